"""Fields from OCR lines: labels, patterns and line positions in, candidates with confidences out.

Pure functions: lines in, FieldReading out; no image, no engine, so every rule is a table test.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Callable, Iterable
from dataclasses import replace
from decimal import Decimal

from recognition.dates import find_dates, find_times, unglue_date_time
from recognition.money import find_money
from recognition.payment_systems import PRINTED_NAMES
from recognition.rules import repair_date_mask, search_card_tail, spot_payment_system
from recognition.text import has_label, label_end, skeleton, text_for_search
from recognition.types import Candidate, FieldReading, OcrLine


def labels(*printed: str) -> tuple[str, ...]:
    """Labels as printed (either alphabet) turned into skeletons, so `Сумма` also matches PP-OCR's `CyMMa`."""
    return tuple(dict.fromkeys(skeleton(text) for text in printed))


AMOUNT_LABELS = labels(
    "Сумма", "Сумма покупки", "Итог", "Итого", "К оплате", "Безналичными", "Оплачено",
    "Total", "Grand total", "Total amount", "Amount", "Amt", "Sale", "Total due", "Nett total", "Net total",
    "Total RM", "Total incl GST", "Rounded total", "Total sales",
)  # fmt: skip
# Amount lines that name the total paid, and those that name something else (a total of another thing).
STRONG_TOTAL_LABELS = labels(
    "Итого", "Итог", "К оплате", "Всего к оплате", "Grand total", "Total amount", "Total amt", "Total incl",
    "Incl", "Inclusive", "Net amt", "Nett total", "Net total", "Total due", "Amount due", "Total RM", "Сумма",
)  # fmt: skip
# The total after cash rounding, or what is left to pay: printed after the total it rounds, and the one paid.
FINAL_TOTAL_LABELS = labels(
    "Rounded total", "Total rounded", "Amt rounded", "Rounded", "After rounding", "After adj", "Total payable",
    "Payable", "To be paid", "Amount payable",
)  # fmt: skip
# Never the total paid, whatever else the line says (`Sub Total (RM)`, `Total Excl. GST`, `Total Paid`).
NOT_TOTAL_LABELS = labels(
    "Sub total", "Subtotal", "Sub ttl", "Sub", "Подытог", "Excl", "Excluding", "Excluded", "Taxable", "Supplies",
    "Total qty", "Qty", "Quantity", "Total item", "Items", "Item", "Item count", "Discount", "Скидка", "Savings",
    "Change", "Сдача", "Комиссия", "Tendered", "Accepted", "Получено", "Deposit", "Balance", "Included",
    "Description", "Price", "Unit price", "U P",
)  # fmt: skip
# Usually not the total, unless the line also names the total (`Total Sales (Inclusive of GST)`).
WEAK_TOTAL_LABELS = labels("GST", "Tax", "НДС", "Cash", "Наличными", "Rounding", "Payment", "Paid", "Credit")
SUMMARY_HEADINGS = labels("GST summary", "Tax summary", "Tax code", "Сводка НДС")
CASH_LABELS = labels("Cash", "Tendered", "Cash tendered", "Payment", "Наличными", "Получено", "Оплачено")
CHANGE_LABELS = labels("Change", "Change due", "Сдача")
CURRENCY_WORDS = labels(
    "RUB", "Руб", "Ру", "USD", "EUR", "RM", "MYR"
)  # `Ру`: PP-OCR drops the `б`; a lone `Р` is too often a Latin P
# A currency sign counts only against a number: `$12.50`, `12,50 ₽`, `€ 12.50` (a lone `$` is often a misread S).
_CURRENCY_SYMBOL_AMOUNT = re.compile(r"[$€₽]\s?\d|\d\s?[€₽]")
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

# Amounts are never printed with more integer digits than this; a longer number is an id (RRN, terminal).
MAX_AMOUNT_DIGITS = 9

_CARD_MASKED = re.compile(
    r"(?:[*xX•#]{2,}[\s*xX•#.-]*)(\d{4})(?!\d)|(?<!\d)\d{4,6}[*xX•#]{2,}[\s*xX•#]*(\d{4})(?!\d)"
)
# Behind a card label or a scheme name only: `Karte ...1234`, `VISA #1234`, `Card ending 1234`.
_CARD_TAIL_AFTER_LABEL = re.compile(r"(?:\.{2,}|…|#|ending(?: in)?)\s?(\d{4})(?!\d)", re.IGNORECASE)
# A mask as long as a card number's hidden part (`************1956`): a card, not a masked id.
_FULL_MASK = re.compile(r"[*xX•#]{8,}")
# A currency word glued to the amount before it (`6053,00py6`): PP-OCR drops the space.
_GLUED_CURRENCY_AFTER = re.compile(r"(?<=\d)(?=(?:PY6|PYB|PY|RUB)(?![0-9A-Z]))")
# A currency code glued to the word before it (`RoundingRM 13.60`): matched on the text as printed, since the
# case change is what shows where the word ends.
_GLUED_CURRENCY_BEFORE = re.compile(r"(?<=[a-z])(?=(?:RM|RUB|USD|EUR|MYR)\s?\d)")
_ALNUM6 = re.compile(r"(?<![0-9A-Z])[0-9A-Z]{6}(?![0-9A-Z])")


def _after_label(line: OcrLine, labels: tuple[str, ...], whole_line: bool = False) -> str | None:
    """The text of a line after its label (or all of it), or None when the line has no such label."""
    if not has_label(skeleton(line.text), labels):
        return None
    end = None if whole_line else label_end(line.text, labels)
    return line.text[end:] if end is not None else line.text


def _next_line(index: int, lines: list[OcrLine]) -> list[OcrLine]:
    return lines[index + 1 : index + 2]


def _labelled_values(
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
        rest = _after_label(line, labels, whole_line)
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
        for other in _next_line(index, lines):
            confidence = min(line.confidence, other.confidence) * 0.8 * weigh
            candidates += [
                Candidate(v, confidence, f"{source}: {line.text} | {other.text}") for v in find(other.text)
            ]
    return candidates


def _money_in(text: str) -> list[Decimal]:
    """Valid money in a line, with dates and times blanked first so `21.11.26 14:32` is not three amounts."""
    for span in [m.span for m in find_dates(text)] + [span for _, span in find_times(text)]:
        text = text[: span[0]] + " " * (span[1] - span[0]) + text[span[1] :]
    return [value for value, _ in find_money(text)]


def has_money(text: str) -> bool:
    """Valid money anywhere in the text, whether or not it counts as an amount (`0,00` does not)."""
    return bool(_money_in(text))


def amounts_in(text: str) -> list[Decimal]:
    """Money in a line that can be an amount paid: positive, and not an id's worth of digits."""
    return [value for value in _money_in(text) if value > 0 and len(str(int(value))) <= MAX_AMOUNT_DIGITS]


def is_summary_heading(text: str) -> bool:
    """`GST Summary`, `GSTSummary`, `Tax code`: the heading of a tax table printed under the total."""
    squeezed = skeleton(text).replace(" ", "")
    return any(heading.replace(" ", "") in squeezed for heading in SUMMARY_HEADINGS)


def total_label_weight(index: int, line: OcrLine, lines: list[OcrLine]) -> float:
    """How much a labelled amount line looks like the total paid, rather than a subtotal, tax, cash or count.

    `Total incl. GST`, `Итого`, `К оплате` are the total; `Sub total`, `Total GST`, `Total qty`, `Cash`,
    `Change` are not; rows of a tax summary table after its heading are not either.
    """
    words = skeleton(line.text)
    if any(is_summary_heading(row.text) for row in lines[: index + 1]):
        return 0.3
    if has_label(words, NOT_TOTAL_LABELS):
        return 0.3
    if has_label(words, FINAL_TOTAL_LABELS):
        return 1.0
    if has_label(words, STRONG_TOTAL_LABELS):
        return 0.95
    if has_label(words, WEAK_TOTAL_LABELS):
        return 0.4
    return 0.85


def extract_amount(lines: list[OcrLine]) -> FieldReading:
    """The total paid: a labelled amount first (the last total on a receipt), then one next to a currency mark.

    Corroborated with the rest of the document: a value printed on several total lines, or equal to cash
    tendered minus change, is more likely the total.
    """
    labelled = _labelled_values(
        lines,
        AMOUNT_LABELS,
        amounts_in,
        "label",
        weight=lambda i, line: total_label_weight(i, line, lines),
        has_value=has_money,
    )
    # On a receipt the grand total comes after subtotals; a slip has one amount line. Prefer later labels.
    ranked = [Candidate(c.value, c.confidence * (0.97 + 0.03 * i / max(len(labelled), 1)), c.source)
              for i, c in enumerate(labelled)]  # fmt: skip

    # `Cya (Py): 1979,00`: a damaged label, but the currency mark still says money follows; on a receipt, item
    # and tax-summary lines carry currency marks too, so the same label classes weigh them.
    def currency_weight(index: int, line: OcrLine) -> float:
        return 0.75 * min(total_label_weight(index, line, lines) / 0.85, 1.0)  # a plain line: 0.75

    currency = _labelled_values(
        [unglue_currency(line) for line in lines],
        CURRENCY_WORDS,
        amounts_in,
        "currency",
        weight=currency_weight,
        whole_line=True,
        has_value=has_money,
    )
    currency += [
        Candidate(value, line.confidence * 0.93 * currency_weight(index, line), f"currency: {line.text}")
        for index, line in enumerate(lines)
        if _CURRENCY_SYMBOL_AMOUNT.search(line.text)
        for value in amounts_in(line.text)
    ]
    return FieldReading.from_candidates(corroborate_total(ranked + currency, lines))


def unglue_currency(line: OcrLine) -> OcrLine:
    """`6053,00py6` as `6053,00 py6` and `RoundingRM 13.60` as `Rounding RM 13.60`, so the currency word is
    seen as one."""
    cuts = sorted(
        {m.start() for m in _GLUED_CURRENCY_AFTER.finditer(text_for_search(line.text))}
        | {m.start() for m in _GLUED_CURRENCY_BEFORE.finditer(line.text)}
    )
    if not cuts:
        return line
    text = line.text
    for cut in reversed(cuts):
        text = text[:cut] + " " + text[cut:]
    return replace(line, text=text)


def corroborate_total(candidates: list[Candidate], lines: list[OcrLine]) -> list[Candidate]:
    """Raises the candidates the document confirms: printed on two or more lines, or cash minus change."""
    cash = [v for c in _labelled_values(lines, CASH_LABELS, amounts_in, "cash") for v in [c.value]]
    change = [v for c in _labelled_values(lines, CHANGE_LABELS, amounts_in, "change") for v in [c.value]]
    tendered_minus_change = {a - b for a in cash for b in change if a > b}
    lines_of: dict[Decimal, set[str]] = {}
    for candidate in candidates:
        # The same line seen as labelled and as carrying a currency mark is one line, not a repetition.
        lines_of.setdefault(candidate.value, set()).add(candidate.source.split(": ", 1)[-1])
    confirmed = []
    for candidate in candidates:
        confidence, rules = candidate.confidence, candidate.rules
        if len(lines_of[candidate.value]) >= 2:
            confidence, rules = 1 - (1 - confidence) * 0.7, (*rules, "total_repeated")
        if candidate.value in tendered_minus_change:
            confidence, rules = 1 - (1 - confidence) * 0.5, (*rules, "total_is_cash_minus_change")
        confirmed.append(Candidate(candidate.value, confidence, candidate.source, rules, candidate.unsure))
    return prefer_cash_rounded(confirmed)


def prefer_cash_rounded(candidates: list[Candidate]) -> list[Candidate]:
    """Where cash is rounded to 5 cents (Malaysia, and others), a receipt prints the exact total and then the
    rounded one, which is what was paid: 45.34 then 45.35. When the best candidate has a printed neighbour
    within 2 cents that is a multiple of 5 cents, that neighbour is the total."""
    if not candidates:
        return candidates
    best = max(candidates, key=lambda c: c.confidence)
    for candidate in candidates:
        close = Decimal("0") < abs(candidate.value - best.value) <= Decimal("0.02")
        if close and candidate.value % Decimal("0.05") == 0 and best.value % Decimal("0.05") != 0:
            rounded = Candidate(candidate.value, min(best.confidence + 0.01, 1.0), candidate.source,
                                (*candidate.rules, "total_cash_rounded"), candidate.unsure)  # fmt: skip
            return [rounded if c is candidate else c for c in candidates]
    return candidates


def is_us_style(lines: list[OcrLine]) -> bool:
    """US slips print dollars and put the month first: evidence for reading `05/06/26`. (A 12-hour clock is no
    evidence: Malaysian receipts print PM and day-first dates.)"""
    return any("$" in line.text or has_label(skeleton(line.text), ("USD",)) for line in lines)


def extract_date(lines: list[OcrLine], years: tuple[int, ...] = ()) -> FieldReading:
    """The transaction date: a date next to a time or a DATE label is the slip's own date. With no readable
    date, a date whose year the OCR broke is repaired to the campaign's year (`years`) when only it fits."""
    candidates = []
    month_first = is_us_style(lines)
    for line in lines:
        text, unglued = unglue_date_time(line.text)
        rules = ("date_time_unglued",) if unglued else ()
        has_time = bool(find_times(text))
        labelled = has_label(skeleton(text), DATE_LABELS)
        for match in find_dates(text, month_first=month_first):
            factor = 0.95 if has_time or labelled else 0.8
            confidence = line.confidence * factor * match.plausibility
            candidates.append(Candidate(match.value, confidence, f"date: {line.text}", rules))
    if not candidates and years:
        for line in lines:
            candidates += [
                Candidate(value, line.confidence * 0.6, f"date: {line.text}", ("date_mask_repaired",))
                for value in repair_date_mask(line.text, years)
            ]
    return FieldReading.from_candidates(candidates)


def extract_time(lines: list[OcrLine]) -> FieldReading:
    candidates = []
    for line in lines:
        text, unglued = unglue_date_time(line.text)
        rules = ("date_time_unglued",) if unglued else ()
        has_date = bool(find_dates(text))
        for value, _ in find_times(text):
            factor = 0.95 if has_date else 0.85
            candidates.append(Candidate(value, line.confidence * factor, f"time: {line.text}", rules))
    return FieldReading.from_candidates(candidates)


def extract_card_last4(lines: list[OcrLine]) -> FieldReading:
    """The last four digits after a masked card number (`**** 1234`, `XXXXXXXXXXXX1234`, `427600******1234`,
    `Karte ...1234`). A masked number on a terminal, merchant or reference id's line is that id, not the card
    (`TID: ****6633` above `VISA CREDIT ************1956`); a full-length mask, a card label or a scheme name on
    the line make a tail the likelier card."""
    candidates = []
    card_lines = [line for line in lines if not _masked_id_line(skeleton(line.text))]
    for line in card_lines:
        words = skeleton(line.text)
        labelled = has_label(words, CARD_LABELS) or any(
            has_label(words, names) for names in PRINTED_NAMES.values()
        )
        for match in _CARD_MASKED.finditer(line.text):
            digits = match.group(1) or match.group(2)
            factor = 0.97 if labelled or _FULL_MASK.search(match.group(0)) else 0.9
            candidates.append(Candidate(digits, line.confidence * factor, f"card: {line.text}"))
        if labelled and not candidates:
            for match in _CARD_TAIL_AFTER_LABEL.finditer(line.text):
                candidates.append(Candidate(match.group(1), line.confidence * 0.9, f"card: {line.text}"))
    if not candidates:
        # Not found line by line: the masked number may be split across boxes or broken by spaces and dots.
        full_text = " ".join(line.text for line in card_lines)
        confidence = min((line.confidence for line in card_lines), default=0.0) * 0.8
        candidates = [
            Candidate(d, confidence, "card tail search", ("card_tail_search",))
            for d in search_card_tail(full_text)
        ]
    return FieldReading.from_candidates(candidates)


def _masked_id_line(words: str) -> bool:
    return has_label(words, MASKED_ID_LABELS) and not has_label(words, CARD_LABELS)


def extract_payment_system(lines: list[OcrLine]) -> FieldReading:
    """A payment system printed as a whole word; failing that, a damaged one spotted by fuzzy matching."""
    candidates = []
    for line in lines:
        words = skeleton(line.text)
        for system, names in PRINTED_NAMES.items():
            if has_label(words, names):
                candidates.append(Candidate(system, line.confidence * 0.95, f"payment system: {line.text}"))
    if not candidates:
        for line in lines:
            spotted = spot_payment_system(skeleton(line.text))
            if spotted:
                confidence = line.confidence * spotted.score * 0.8
                candidates.append(
                    Candidate(
                        spotted.system, confidence, f"payment system: {line.text}", ("payment_system_fuzzy",)
                    )
                )
    return FieldReading.from_candidates(candidates)


def _labelled_pattern(
    lines: list[OcrLine], labels: tuple[str, ...], pattern: re.Pattern[str], source: str
) -> FieldReading:
    def find(text: str) -> list[str]:
        return [m.group(0) for m in pattern.finditer(text.upper().replace(" ", ""))] or [
            m.group(0) for m in pattern.finditer(text.upper())
        ]

    return FieldReading.from_candidates(_labelled_values(lines, labels, find, source))


def extract_rrn(lines: list[OcrLine]) -> FieldReading:
    return _labelled_pattern(lines, RRN_LABELS, re.compile(r"(?<!\d)\d{12}(?!\d)"), "rrn")


def extract_auth_code(lines: list[OcrLine]) -> FieldReading:
    return _labelled_pattern(lines, AUTH_LABELS, _ALNUM6, "auth code")


def extract_terminal_id(lines: list[OcrLine]) -> FieldReading:
    return _labelled_pattern(lines, TERMINAL_LABELS, re.compile(r"(?<!\d)\d{8}(?!\d)"), "terminal")


def extract_merchant(lines: list[OcrLine]) -> FieldReading:
    """The shop's name: the first wordy line at the top that is not a label, a marker or a payment system."""
    not_names = (
        AMOUNT_LABELS + CARD_LABELS + RRN_LABELS + AUTH_LABELS + TERMINAL_LABELS + DATE_LABELS + SLIP_MARKERS
    )
    not_names += tuple(name for names in PRINTED_NAMES.values() for name in names)
    for line in lines[:5]:
        letters = sum(ch.isalpha() for ch in line.text)
        wordy = letters >= 3 and letters >= 0.5 * len(line.text.replace(" ", ""))
        # Russian slips open with the acquiring bank (`ПАО СБЕРБАНК`, PP-OCR's `CEPBAHK`): not the shop.
        bank = any(part in skeleton(line.text).replace(" ", "") for part in ("6AHK", "BAHK", "BANK"))
        if wordy and not bank and not has_label(skeleton(line.text), not_names):
            return FieldReading.from_candidates(
                [Candidate(line.text.strip(), line.confidence * 0.6, "top line")]
            )
    return FieldReading.empty()


EXTRACTORS: dict[str, Callable[[list[OcrLine]], FieldReading]] = {
    "amount": extract_amount,
    "date": extract_date,
    "time": extract_time,
    "card_last4": extract_card_last4,
    "payment_system": extract_payment_system,
    "merchant": extract_merchant,
    "rrn": extract_rrn,
    "auth_code": extract_auth_code,
    "terminal_id": extract_terminal_id,
}


def page_angle(lines: list[OcrLine]) -> float:
    """The photo's text direction in radians: the median slope of the top edges of the wide boxes (a short box's
    slope is mostly noise). 0 when no box is wide enough."""
    angles = []
    for line in lines:
        (x0, y0), (x1, y1), _, (x3, y3) = line.box
        width, height = math.hypot(x1 - x0, y1 - y0), math.hypot(x3 - x0, y3 - y0)
        if width > 2 * height > 0:
            angles.append(math.atan2(y1 - y0, x1 - x0))
    return statistics.median(angles) if angles else 0.0


def merge_rows(lines: list[OcrLine]) -> list[OcrLine]:
    """Lines printed on one row joined left to right: engines often split `Сумма:   1979,00` in two boxes.

    Rows are found along the text's own direction: on a photo taken a few degrees off, the value at the right
    end of a row sits higher or lower than its label by more than half a line."""
    angle = page_angle(lines)
    cos, sin = math.cos(angle), math.sin(angle)

    def across(line: OcrLine) -> tuple[float, float]:
        v = [-x * sin + y * cos for x, y in line.box]
        return min(v), max(v)

    def along(line: OcrLine) -> float:
        return min(x * cos + y * sin for x, y in line.box)

    rows: list[list[tuple[OcrLine, float, float]]] = []
    for line, top, bottom in sorted(((line, *across(line)) for line in lines), key=lambda t: t[1]):
        for row in rows:
            row_top, row_bottom = min(r[1] for r in row), max(r[2] for r in row)
            overlap = min(row_bottom, bottom) - max(row_top, top)
            if overlap > 0.5 * min(bottom - top, row_bottom - row_top):
                row.append((line, top, bottom))
                break
        else:
            rows.append([(line, top, bottom)])
    merged = []
    for row in rows:
        members = sorted((r[0] for r in row), key=along)
        left, right = min(r.left for r in members), max(r.right for r in members)
        top, bottom = min(r.top for r in members), max(r.bottom for r in members)
        merged.append(
            OcrLine(
                text=" ".join(r.text for r in members),
                confidence=min(r.confidence for r in members),
                box=((left, top), (right, top), (right, bottom), (left, bottom)),
            )
        )
    return merged


def extract_fields(lines: list[OcrLine], *, years: tuple[int, ...] = ()) -> dict[str, FieldReading]:
    """Every field, read from printed rows top to bottom so that 'next line' means the printed next line.
    `years`: the years a campaign accepts, for repairing a broken year (nothing else uses them)."""
    rows = merge_rows(lines)
    return {
        name: extract_date(rows, years) if name == "date" else extractor(rows)
        for name, extractor in EXTRACTORS.items()
    }


# A slip is short; a shop receipt lists items. Longest slip seen in practice ~ 30 lines.
MAX_SLIP_LINES = 30
SLIP_FIELDS = ("card_last4", "payment_system", "rrn", "auth_code", "terminal_id")


def classify_document(lines: list[OcrLine], fields: dict[str, FieldReading]) -> tuple[str, float]:
    """`slip`, `receipt` or `other`, with a confidence: slip markers on a short document make a slip."""
    readable = [
        line for line in lines if line.confidence >= 0.6 and sum(ch.isalnum() for ch in line.text) >= 3
    ]
    key_fields = [name for name in ("amount", "date", "card_last4") if fields[name].value is not None]
    if len(readable) < 3 and not key_fields:
        return "other", 0.9 if not readable else 0.7
    slip_evidence = sum(fields[name].value is not None for name in SLIP_FIELDS) + any(
        has_label(skeleton(line.text), SLIP_MARKERS) for line in lines
    )
    if len(lines) > MAX_SLIP_LINES:
        return "receipt", 0.8 if slip_evidence < 3 else 0.6
    if slip_evidence >= 2:
        return "slip", min(0.6 + 0.1 * slip_evidence, 0.95)
    if key_fields:
        return ("receipt", 0.6) if len(lines) > 15 else ("slip", 0.5)
    return "other", 0.6
