"""Repairs of known OCR confusions, each named, explicit and audited: a repair is recorded where it fired, and
it never turns a confident reading into something else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from rapidfuzz import fuzz

from recognition.payment_systems import PRINTED_NAMES

# --- date mask `XX/XX/XY`: the OCR most often breaks the last digit of the year ------------------------------

_BROKEN_YEAR_DATE = re.compile(r"(?<!\d)(\d{2})([./-])(\d{2})\2(\d{0,3})(\S?)(?![\d])")


def repair_date_mask(text: str, years: tuple[int, ...]) -> list[date]:
    """Dates whose year is damaged (`21.11.2?`, `21/11/2б`, `21.11.202`), repaired to a campaign year when that
    is the only year the visible digits allow. Nothing when the year is readable or several years fit."""
    repaired = []
    for match in _BROKEN_YEAR_DATE.finditer(text):
        day, month, visible, damage = int(match.group(1)), int(match.group(3)), match.group(4), match.group(5)
        if len(visible) in (2, 4) and not damage:
            continue  # a whole year: nothing to repair
        fitting = {y for y in years if str(y).startswith(visible) or str(y)[2:].startswith(visible)}
        if len(fitting) != 1 or not (visible or damage):
            continue
        try:
            repaired.append(date(fitting.pop(), month, day))
        except ValueError:
            continue
    return repaired


# --- card tail: the masked card number, with spaces or punctuation between the digits ---------------------------

# Masks as printed (`*`, `X`, `#`, `•`) and as Tesseract reads `*` (`Ж`, `ж`, `К`, `к`).
_MASK = "*xX#•ЖжКкKk"
_CARD_TAIL = re.compile(
    rf"[{_MASK}]{{2,}}[\s{_MASK}.,:;-]*(\d)[\s.,-]?(\d)[\s.,-]?(\d)[\s.,-]?(\d)(?![\d.,]?\d)"
)


def search_card_tail(full_text: str) -> list[str]:
    """Last four digits after a card mask anywhere in the text (`** 1 2 3 4`, `XXXX.1234`, `ЖЖЖЖ 1234`)."""
    return ["".join(match.groups()) for match in _CARD_TAIL.finditer(full_text)]


# --- payment system spotting, tolerant of OCR damage (`VISH`, `V1SA`, `MASTERCRD`, `Card: V`) --------------------

FUZZY_MIN_SCORE = 75  # VISH~VISA 75, VIEW~VISA 50
_DIGIT_AS_LETTER = str.maketrans({"1": "I", "0": "O", "5": "S", "8": "B", "4": "A"})
_CARD_INITIAL_V = re.compile(r"(?:CARD|KAPTA)\W{0,3}V\b")


@dataclass(frozen=True)
class SpottedSystem:
    system: str
    score: float  # 0..1 similarity of the printed word to the system's name
    word: str


def spot_payment_system(words: str) -> SpottedSystem | None:
    """The payment system a damaged word most likely spells, by fuzzy matching, not a list of misspellings.

    `words` is a line's skeleton (see recognition.text.skeleton). Short names (MIR, JCB, MC) are too easy to hit
    by chance, so only names of four letters or more are matched fuzzily; `Card: V` means VISA.
    """
    if _CARD_INITIAL_V.search(words):
        return SpottedSystem("VISA", 0.7, "V")
    best: SpottedSystem | None = None
    for word in words.split():
        # A word of digits (`596-1564` of a phone number) spells no name, whatever digits look like.
        if len(word) < 4 or sum(ch.isalpha() for ch in word) < 2:
            continue
        letters = word.translate(_DIGIT_AS_LETTER)
        for system, names in PRINTED_NAMES.items():
            for name in names:
                # `VISA CREDIT` is VISA's name and a word anyone prints (`Credit`): fuzzily, names of one word.
                if len(name) < 4 or " " in name:
                    continue
                score = fuzz.ratio(letters, name) / 100
                if score * 100 >= FUZZY_MIN_SCORE and (best is None or score > best.score):
                    best = SpottedSystem(system, score, word)
    return best


# --- digit confusions when a read amount is compared with the typed one --------------------------------------

# Pairs an OCR confuses, both ways. 6<->8 most of all on thermal print.
CONFUSABLE = {frozenset(pair) for pair in ("68", "38", "08", "56", "17", "49")}


@dataclass(frozen=True)
class AmountComparison:
    matches: bool
    repaired: bool  # matched only thanks to a repair of unsure characters
    positions: tuple[int, ...] = ()  # repaired positions in the read text


def compare_amount_with_typed(read: Decimal, typed: Decimal, unsure: tuple[int, ...]) -> AmountComparison:
    """Does the read amount prove the typed one? Confusable digits (6/8 and friends) are forgiven only at
    positions the engines were unsure of (they disagreed, or their confidence there was low); a clear 6 read by
    both stays a 6, otherwise anyone could type 188.00 for a slip of 166.00."""
    read_text, typed_text = f"{read:.2f}", f"{typed:.2f}"
    if read_text == typed_text:
        return AmountComparison(True, False)
    if len(read_text) != len(typed_text):
        return AmountComparison(False, False)
    repaired = []
    for position, (r, t) in enumerate(zip(read_text, typed_text, strict=True)):
        if r == t:
            continue
        if position not in unsure or frozenset((r, t)) not in CONFUSABLE:
            return AmountComparison(False, False)
        repaired.append(position)
    return AmountComparison(True, True, tuple(repaired))
