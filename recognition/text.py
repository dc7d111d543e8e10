"""Text normalization for matching labels: PP-OCR reads Cyrillic as Latin look-alikes (`Сумма` -> `CyMMa`)."""

import re
import unicodedata

# Cyrillic letters folded onto the Latin letter PP-OCR most often reads for them, and back, so that a label
# written in either alphabet matches the same skeleton.
_CYRILLIC_TO_LATIN = str.maketrans(
    {
        "А": "A", "В": "B", "С": "C", "Е": "E", "Ё": "E", "Н": "H", "К": "K", "М": "M", "О": "O",
        "Р": "P", "Т": "T", "Х": "X", "У": "Y", "И": "N", "Й": "N", "П": "N", "Г": "R", "З": "3",
        "Л": "N", "Д": "A", "Ы": "BI", "Ь": "B", "Ъ": "B", "Б": "6", "Я": "R", "Ч": "4", "Ш": "W",
        "Щ": "W", "Ж": "X", "Ф": "O", "Ц": "U", "Ю": "IO", "Э": "3",
        # PP-OCR reads some Cyrillic capitals as Greek ones (`ФН` -> `ΦH`): folded the same way.
        "Α": "A", "Β": "B", "Ε": "E", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P",
        "Τ": "T", "Χ": "X", "Υ": "Y", "Ζ": "Z", "Φ": "O", "Π": "N", "Γ": "R",
    }
)  # fmt: skip
_NON_WORD = re.compile(r"[^0-9A-Z]+")


def skeleton(text: str) -> str:
    """Upper-case, accents dropped, Cyrillic folded to Latin look-alikes, punctuation and spaces collapsed to one space."""
    folded = fold(text).translate(_CYRILLIC_TO_LATIN)
    return _NON_WORD.sub(" ", folded).strip()


def has_label(line_skeleton: str, label_skeletons: tuple[str, ...]) -> bool:
    """A label counts only as whole words, so `SUBTOTAL` is not `TOTAL`."""
    padded = f" {line_skeleton} "
    return any(f" {label} " in padded for label in label_skeletons)


def label_end(line_text: str, label_skeletons: tuple[str, ...]) -> int | None:
    """Index in the original text just past the first label found (skeleton keeps one char per char for labels)."""
    upper = text_for_search(line_text)
    for label in label_skeletons:
        words = r"[^0-9A-Z]+".join(re.escape(word) for word in label.split())
        match = re.search(rf"(?<![0-9A-Z]){words}(?![0-9A-Z])", upper)
        if match:
            return match.end()
    return None


def text_for_search(text: str) -> str:
    """Like skeleton() but keeps positions: one output character per input character."""
    out = []
    for ch in text.upper():
        folded = (fold(ch)[:1] or ch).translate(_CYRILLIC_TO_LATIN)
        out.append(folded[0] if folded else ch)
    return "".join(out)


# Latin letters with no decomposition that receipts print: Polish, Turkish, Nordic.
_UNDECOMPOSED = {"Ł": "L", "Ø": "O", "Đ": "D", "İ": "I", "I": "I", "Æ": "AE", "Œ": "OE", "ẞ": "SS"}


def fold(text: str) -> str:
    """Upper case without accents (`März` -> `MARZ`, `Şubat` -> `SUBAT`, `Ağustos` -> `AGUSTOS`), so printed
    words of the main European languages match whatever the diacritics. Cyrillic is kept as it is (`Й` is not
    `И`)."""
    out = []
    for ch in text.upper():
        if "\u0400" <= ch <= "\u04ff":
            out.append(ch)
        else:
            base = _UNDECOMPOSED.get(ch) or unicodedata.normalize("NFKD", ch)
            out.append("".join(c for c in base if not unicodedata.combining(c)))
    return "".join(out)
