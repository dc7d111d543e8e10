"""Labels as printed, matched on OCR skeletons, and the values printed after them (on the row or the next)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from recognition.text import has_label, label_end, skeleton
from recognition.types import Candidate, OcrLine


def labels(*printed: str) -> tuple[str, ...]:
    """Labels as printed (either alphabet) turned into skeletons, so `Сумма` also matches PP-OCR's `CyMMa`."""
    return tuple(dict.fromkeys(skeleton(text) for text in printed))


CARD_LABELS = labels(
    "Карта", "Card", "PAN", "Card no", "Номер карты", "Karte", "Kartennummer", "Carte", "Tarjeta", "Carta",
    "Cartão", "Kart", "Karta",
)  # fmt: skip
RRN_LABELS = labels("RRN", "Ref", "Ref no", "Номер ссылки", "Ссылка", "Ссылки")
AUTH_LABELS = labels(
    "Auth", "Auth code", "Appr code", "Approval code", "Код авторизации", "Код авт", "Авторизации"
)
TERMINAL_LABELS = labels("Terminal", "Terminal ID", "TID", "Терминал", "Терм", "Term")
# Ids printed masked like a card (`TID: ****6633`, `MID ****0042`): their digits are not the card's.
MASKED_ID_LABELS = (
    TERMINAL_LABELS + RRN_LABELS + AUTH_LABELS + labels("MID", "Merchant", "Merchant ID", "Мерчант")
)
DATE_LABELS = labels("Date", "Дата")
SLIP_MARKERS = labels("Одобрено", "Approved", "Оплата", "Покупка", "Sale", "Purchase", "Чек", "Slip")


def after_label(line: OcrLine, labels: tuple[str, ...], whole_line: bool = False) -> str | None:
    """The text of a line after its label (or all of it), or None when the line has no such label."""
    if not has_label(skeleton(line.text), labels):
        return None
    end = None if whole_line else label_end(line.text, labels)
    return line.text[end:] if end is not None else line.text


def next_line(index: int, lines: list[OcrLine]) -> list[OcrLine]:
    return lines[index + 1 : index + 2]


def labelled_values(
    lines: list[OcrLine],
    labels: tuple[str, ...],
    find: Callable[[str], Iterable[object]],
    source: str,
    weight: float | Callable[[int, OcrLine], float] = 1.0,
    whole_line: bool = False,
    has_value: Callable[[str], bool] = lambda rest: False,
) -> list[Candidate]:
    """Values after a label on its row (anywhere on it with whole_line), else on the next row unless the label's
    row already has a value that `find` does not count (`has_value`)."""
    candidates: list[Candidate] = []
    for index, line in enumerate(lines):
        rest = after_label(line, labels, whole_line)
        if rest is None:
            continue
        weigh = weight(index, line) if callable(weight) else weight
        values = list(find(rest))
        if values:
            # The value is printed last after its label (`Сумма (Руб): 1 119,00`, `TOTAL 2 x 5.00 10.00`).
            candidates += [
                Candidate(
                    v,
                    line.confidence * (0.95 if i == len(values) - 1 else 0.5) * weigh,
                    f"{source}: {line.text}",
                )
                for i, v in enumerate(values)
            ]
            continue
        if has_value(rest):
            # The line has its value, just not one that counts (`0 руб.`): the next line holds something else
            # (the auth code), not this label's value.
            continue
        for other in next_line(index, lines):
            confidence = min(line.confidence, other.confidence) * 0.8 * weigh
            candidates += [
                Candidate(v, confidence, f"{source}: {line.text} | {other.text}") for v in find(other.text)
            ]
    return candidates
