"""The total paid: labels in the languages slips and receipts are printed in, currency marks, and the
document's own arithmetic."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal

from recognition.dates import find_dates, find_times
from recognition.fields.labels import labelled_values, labels
from recognition.money import find_money
from recognition.payment_systems import PRINTED_NAMES
from recognition.text import has_label, label_end, skeleton, text_for_search
from recognition.types import Candidate, FieldReading, OcrLine

# Labels are matched on skeletons (recognition.text.skeleton): accents dropped, Cyrillic folded, so `Zu zahlen`,
# `Net à payer`, `Do zapłaty` and `Итого` match however the engine rendered their letters.
# The total paid, by the words receipts and slips print for it in Russian, English, German, French, Spanish,
# Italian, Portuguese, Polish and Turkish.
STRONG_TOTAL_LABELS = labels(
    "Итого", "Итог", "К оплате", "Всего к оплате", "Всего", "Сумма", "Сумма покупки", "Сумма к оплате",
    "Grand total", "Total amount", "Total amt", "Total incl", "Incl", "Inclusive", "Net amt", "Nett total",
    "Net total", "Total due", "Amount due", "Balance due", "Total RM", "Pay this amount", "Total charge",
    "Check total", "Total sale", "Sale total",
    "Summe", "Gesamt", "Gesamtsumme", "Gesamtbetrag", "Endbetrag", "Zu zahlen", "Zahlbetrag", "Betrag",
    "Total TTC", "Montant TTC", "Net a payer", "A payer", "Montant", "Montant du",
    "Importe", "Importe total", "Total a pagar", "Total a pagar", "Total factura",
    "Totale", "Totale complessivo", "Totale euro", "Importo", "Importo pagato", "Totale da pagare",
    "Valor total", "Total a pagar", "Valor a pagar",
    "Razem", "Suma", "Suma PLN", "Do zaplaty", "Razem PLN",
    "Toplam", "Genel toplam", "Tutar", "Odenecek tutar",
)  # fmt: skip
# Any label an amount may stand after (weighed below by what it names).
AMOUNT_LABELS = STRONG_TOTAL_LABELS + labels(
    "Безналичными", "Оплачено", "Total", "Amount", "Amt", "Sale", "Total RM", "Total incl GST", "Rounded total",
    "Total sales", "Charge", "Total",
)  # fmt: skip
# The total after cash rounding, or what is left to pay: printed after the total it rounds, and the one paid.
FINAL_TOTAL_LABELS = labels(
    "Rounded total", "Total rounded", "Amt rounded", "Rounded", "After rounding", "After adj", "Total payable",
    "Payable", "To be paid", "Amount payable",
)  # fmt: skip
SUBTOTAL_LABELS = labels(
    "Sub total", "Subtotal", "Sub ttl", "Sub", "Подытог", "Zwischensumme", "Sous total", "Subtotale",
    "Ara toplam", "Ara top", "Netto", "Suma netto", "Total HT", "Base imponible", "Imponibile",
)  # fmt: skip
TAX_LABELS = labels(
    "Tax", "Sales tax", "GST", "VAT", "НДС", "MwSt", "USt", "TVA", "IVA", "KDV", "PTU", "BTW", "Impuesto",
    "Service tax", "State tax", "Local tax", "City tax", "Resort tax",
)  # fmt: skip
TIP_LABELS = labels(
    "Tip", "Tips", "Gratuity", "Service", "Service charge", "Svc chg", "Trinkgeld", "Pourboire", "Propina",
    "Mancia", "Gorjeta", "Napiwek", "Bahsis", "Чаевые", "Fee", "Service fee", "Processing fee",
)  # fmt: skip
DISCOUNT_LABELS = labels("Discount", "Скидка", "Rabatt", "Remise", "Descuento", "Sconto", "Desconto", "Rabat",
                         "Indirim", "Coupon", "Savings")  # fmt: skip
CASH_LABELS = labels(
    "Cash", "Tendered", "Cash tendered", "Payment", "Наличными", "Получено", "Оплачено", "Bar", "Gegeben",
    "Erhalten", "Especes", "Efectivo", "Entregado", "Contanti", "Contante", "Dinheiro", "Numerario", "Gotowka",
    "Nakit",
)  # fmt: skip
CHANGE_LABELS = labels(
    "Change", "Change due", "Сдача", "Ruckgeld", "Wechselgeld", "Rendu", "Monnaie", "Cambio", "Vuelto", "Resto",
    "Troco", "Reszta", "Para ustu",
)  # fmt: skip
# A tip guide's lines (`Suggested 18% tip 7.85 Total 51.45`): neither the total nor a part of it.
SUGGESTION_WORDS = labels(
    "Suggested", "Suggestion", "Recommended", "Tip guide", "Gratuity guide", "Tip calculation"
)
# Never the total paid, whatever else the line says (`Sub Total (RM)`, `Total Excl. GST`, `Total Paid`), nor a
# suggested tip's total (`18% Tip 7.20 Total 50.80` in a tip guide).
NOT_TOTAL_LABELS = SUBTOTAL_LABELS + CHANGE_LABELS + labels(
    "Excl", "Excluding", "Excluded", "Taxable", "Supplies",
    "Total qty", "Qty", "Quantity", "Total item", "Items", "Item", "Item count", "Discount", "Скидка", "Savings",
    "Комиссия", "Tendered", "Accepted", "Получено", "Deposit", "Included",
    "Description", "Price", "Unit price", "U P", "Gegeben", "You saved", "Saved",
) + SUGGESTION_WORDS  # fmt: skip
# Usually not the total, unless the line also names the total (`Total Sales (Inclusive of GST)`).
WEAK_TOTAL_LABELS = TAX_LABELS + TIP_LABELS + labels(
    "Cash", "Наличными", "Rounding", "Payment", "Paid", "Credit", "Balance", "Bar", "Especes", "Efectivo", "Contanti",
    "Dinheiro", "Numerario", "Gotowka", "Nakit",
)  # fmt: skip
# The word "total" itself, in the languages above: a tax line that carries it is the total with its tax.
TOTAL_WORDS = labels(
    "Total", "Итого", "Итог", "Всего", "Summe", "Gesamt", "Totale", "Razem", "Suma", "Toplam", "Grand total"
)
# Words that put the tax inside a total (`Total incl. VAT`, `Gesamt inkl. MwSt`, `Toplam KDV dahil`).
INCLUSION_WORDS = labels(
    "Incl", "Including", "Inclusive", "Inc", "Inkl", "Inklusive", "With", "TTC", "Dahil", "Incluido",
    "Incluida", "Incluso", "Inclusa", "Incluindo", "Включая", "Включительно",
)  # fmt: skip
SUMMARY_HEADINGS = labels("GST summary", "Tax summary", "Tax code", "Сводка НДС", "VAT summary", "MwSt Satz")
CURRENCY_WORDS = labels(
    "RUB", "Руб", "Ру", "USD", "EUR", "RM", "MYR", "GBP", "PLN", "zl", "TL", "TRY", "CHF"
)  # `Ру`: PP-OCR drops the `б`; a lone `Р` is too often a Latin P
# A currency sign counts only against a number: `$12.50`, `12,50 ₽`, `€ 12.50` (a lone `$` is often a misread S).
# The number a currency sign marks: `$1.50` in `1 White Rice $1.50`, not the quantity before it.
_NUMBER = r"(?:\d{1,3}(?:[ \u00a0.,']\d{3})+|\d+)(?:[.,]\d{2})?(?!\d)"
_MARKED_NUMBER = re.compile(rf"[$€₽£₺]\s?({_NUMBER})|(?<![\d.,])({_NUMBER})\s?[€₽£₺]")


_PERCENT = re.compile(r"(?<![\d.,])\d{1,3}(?:[.,]\d{1,3})?\s?%")
# Amounts are never printed with more integer digits than this; a longer number is an id (RRN, terminal).
MAX_AMOUNT_DIGITS = 9


# A currency word glued to the amount before it (`6053,00py6`): PP-OCR drops the space.
_GLUED_CURRENCY_AFTER = re.compile(r"(?<=\d)(?=(?:PY6|PYB|PY|RUB)(?![0-9A-Z]))")
# A currency code glued to the word before it (`RoundingRM 13.60`): matched on the text as printed, since the
# case change is what shows where the word ends.
_GLUED_CURRENCY_BEFORE = re.compile(r"(?<=[a-z])(?=(?:RM|RUB|USD|EUR|MYR)\s?\d)")


def _blank_not_money(text: str) -> str:
    """The line with dates, times and percentages blanked, so `21.11.26 14:32` is not three amounts and
    `Incl. 6% GST` not one."""
    spans = [m.span for m in find_dates(text)] + [span for _, span in find_times(text)]
    spans += [m.span() for m in _PERCENT.finditer(text)]
    for span in spans:
        text = text[: span[0]] + " " * (span[1] - span[0]) + text[span[1] :]
    return text


def _money_in(text: str) -> list[Decimal]:
    """Valid money in a line, dates, times and percentages aside."""
    return [value for value, _ in find_money(_blank_not_money(text))]


def has_money(text: str) -> bool:
    """Valid money anywhere in the text, whether or not it counts as an amount (`0,00` does not)."""
    return bool(_money_in(text))


_WITH_CENTS = re.compile(r"[.,]\d{2}$")


def total_values(text: str) -> list[Decimal]:
    """Amounts after a total's label; where some are printed with cents, only those (`TOPLAM *2195,33 3 TL`:
    the stray `3` after the total is no amount)."""
    text = _blank_not_money(text)
    found = [
        (value, bool(_WITH_CENTS.search(text[start:end])))
        for value, (start, end) in find_money(text)
        if value > 0 and len(str(int(value))) <= MAX_AMOUNT_DIGITS
    ]
    if any(cents for _, cents in found):
        found = [(value, cents) for value, cents in found if cents]
    return [value for value, _ in found]


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
    # `Sales Tax (Incl. 9.5%)`, `Service 10%`, and the total of the tax (`TOPLAM KDV`, `Summe MwSt`, `SUMA PTU`,
    # `Total GST`): a part of the total, unless the line names the total with the tax in it (`Total Sales
    # (Inclusive GST)`, `Total incl. VAT`).
    if has_label(words, TAX_LABELS + TIP_LABELS) and not (
        has_label(words, TOTAL_WORDS) and has_label(words, INCLUSION_WORDS)
    ):
        return 0.4
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
    lines = [unglue_label(line) for line in lines]
    labelled = labelled_values(
        lines,
        AMOUNT_LABELS,
        total_values,
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

    currency = labelled_values(
        [unglue_currency(line) for line in lines],
        CURRENCY_WORDS,
        total_values,
        "currency",
        weight=currency_weight,
        whole_line=True,
        has_value=has_money,
    )
    currency += [
        Candidate(value, line.confidence * 0.93 * currency_weight(index, line), f"currency: {line.text}")
        for index, line in enumerate(lines)
        for value in currency_marked_amounts(line.text)
    ]
    card_paid = [
        Candidate(value, line.confidence * 0.9, f"card payment: {line.text}", ("card_payment_amount",))
        for line in lines
        for value in card_payment_amounts(line.text)
    ]
    candidates = corroborate_total(ranked + currency + card_paid, lines)
    return FieldReading.from_candidates(doubt_lost_decimal_marks(candidates, lines))


# On a document that prints its money with cents, an amount without them most likely lost its decimal mark to the
# OCR (`88.17` read `8817`): it stays a candidate, but not one to refuse a participant on.
MOSTLY_CENTS = 0.7
LOST_MARK_FACTOR = 0.6


def doubt_lost_decimal_marks(candidates: list[Candidate], lines: list[OcrLine]) -> list[Candidate]:
    """Candidates printed without cents, less sure where most of the document's money has them."""
    printed = [_WITH_CENTS.search(line.text[start:end]) is not None
               for line in lines for _, (start, end) in find_money(_blank_not_money(line.text))]  # fmt: skip
    if len(printed) < 3 or sum(printed) < MOSTLY_CENTS * len(printed):
        return candidates
    return [
        c
        if _printed_with_cents(c)
        else Candidate(c.value, c.confidence * LOST_MARK_FACTOR, c.source, c.rules, c.unsure)
        for c in candidates
    ]


def _printed_with_cents(candidate: Candidate) -> bool:
    """Whether the candidate's own line prints its value with cents (or a candidate without cents at all)."""
    if candidate.value != candidate.value.to_integral_value():
        return True
    text = _blank_not_money(candidate.source.split(": ", 1)[-1])
    return any(
        value == candidate.value and _WITH_CENTS.search(text[start:end])
        for value, (start, end) in find_money(text)
    )


# The line of the card payment on a receipt (`PAID BY: CC*7185: RM111.90`, `VISA ************1956 GBP 23.50`,
# `Kartenzahlung 11,90`): what was charged to the card is the total paid, as on the card slip.
# A bare card noun (`Kart`, `Carta`, `Card`) is also a word of dishes and goods (`KART PAKODA 4.50`): it counts
# only with the card's masked number on the line; these phrases, and schemes' names of four letters or more, count
# alone (`MC`, `CUP`, `MIR` are words of item names too: `Cup Italian Wedding Soup $2.95`).
# fmt: off
CARD_PAYMENT_LABELS = labels(
    "Paid by", "Credit card", "Debit card", "Card payment", "Card sale", "Card tendered", "EFTPOS",
    "Kartenzahlung", "EC Karte", "Girocard", "Carte bancaire", "Paiement CB", "Pago con tarjeta",
    "Carta di credito", "Bancomat", "Cartao de credito", "Karta platnicza", "Kredi karti", "Оплата картой",
    "Безналичными", "Электронными",
) + tuple(name for names in PRINTED_NAMES.values() for name in names if len(name) >= 4)
# fmt: on
# (`*2195,33` is a Turkish amount, its star no mask.)
_CARD_TAIL_TEXT = re.compile(r"(?:[*•#]+|(?<![^\W\d_])[xX]{2,}|\.{3,}|…)\s?\d{4}(?!\d|[.,]\d)")
_CENTS = re.compile(r"\d[.,]\d{2}(?!\d)")


def card_payment_amounts(text: str) -> list[Decimal]:
    """The amount on a card payment line (its last one with cents), the card's masked digits left out."""
    if not has_label(skeleton(text), CARD_PAYMENT_LABELS) and not _CARD_TAIL_TEXT.search(text):
        return []
    cleaned = _CARD_TAIL_TEXT.sub(" ", text)
    if not _CENTS.search(cleaned):
        return []
    return amounts_in(cleaned)[-1:]


def currency_marked_amounts(text: str) -> list[Decimal]:
    """The amounts a currency sign stands against (`$12.50`, `12,50 €`); other numbers on the line (a quantity,
    an item code) are not money because a sign is somewhere on it."""
    return [
        value
        for match in _MARKED_NUMBER.finditer(text)
        for value in amounts_in(match.group(1) or match.group(2))
    ]


# A capitalised label glued to the lower-case word before it (`12:31pTOTAL: 55.95`, the time's `p`).
_GLUED_LABEL = re.compile(r"(?<=[a-z])(?=[A-Z]{3,}\b)")


def unglue_label(line: OcrLine) -> OcrLine:
    """`12:31pTOTAL: 55.95` as `12:31p TOTAL: 55.95`, so the label is a word of its own."""
    text = _GLUED_LABEL.sub(" ", line.text)
    return line if text == line.text else replace(line, text=text)


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
    cash = [v for c in labelled_values(lines, CASH_LABELS, amounts_in, "cash") for v in [c.value]]
    change = [v for c in labelled_values(lines, CHANGE_LABELS, amounts_in, "change") for v in [c.value]]
    tendered_minus_change = {a - b for a in cash for b in change if a > b}
    lines_of: dict[Decimal, set[str]] = {}
    for candidate in candidates:
        # The same line seen as labelled and as carrying a currency mark is one line, not a repetition.
        lines_of.setdefault(candidate.value, set()).add(candidate.source.split(": ", 1)[-1])
    items = items_sum(lines)
    sums = sums_of_parts(lines, items)
    # Where a subtotal is printed, the items add up to it, and the total is that plus its parts (in `sums`); so
    # too where the items plus a printed tax or tip are another amount read: the items are then the subtotal.
    added_to = {c.value for c in candidates} & (sums - {items})
    items_total = None if items in subtotals_printed(lines) or added_to else items
    confirmed = []
    for candidate in candidates:
        confidence, rules = candidate.confidence, candidate.rules
        if candidate.value == items_total:
            confidence, rules = 1 - (1 - confidence) * 0.4, (*rules, "total_is_sum_of_items")
        elif candidate.value in sums:
            confidence, rules = 1 - (1 - confidence) * 0.4, (*rules, "total_is_sum_of_parts")
        if len(lines_of[candidate.value]) >= 2:
            confidence, rules = 1 - (1 - confidence) * 0.7, (*rules, "total_repeated")
        if candidate.value in tendered_minus_change:
            confidence, rules = 1 - (1 - confidence) * 0.5, (*rules, "total_is_cash_minus_change")
        confirmed.append(Candidate(candidate.value, confidence, candidate.source, rules, candidate.unsure))
    return prefer_cash_rounded(confirmed)


# A row's price is a unit price, not what the row costs, after a multiplication sign (`2 AD X 147,09`, `@ 2.50`).
_UNIT_PRICE = re.compile(r"(?:[xX×@]|\bAD\b)\s*[$€£₺]?\s*\d[\d.,']*\s*[^\d\s]{0,3}\s*$")
_LAST_PRICE = re.compile(r"(\d[\d.,' ]*[.,]\d{2})\s*[A-Z*]?\s*$")
# Fewest item rows whose sum counts: one item's price is the total by itself, which proves nothing.
MIN_ITEMS = 2


def items_sum(lines: list[OcrLine]) -> Decimal | None:
    """What the item rows add up to: the price ending each row (with cents; a unit price after `x` or `@` left
    out) from the first such row down to the first row naming a subtotal or a total. None with fewer than two
    items, or where a row's price cannot be read as money (one unread item would make any sum a coincidence)."""
    prices: list[Decimal] = []
    for line in lines:
        words = skeleton(line.text)
        if has_label(words, SUBTOTAL_LABELS + STRONG_TOTAL_LABELS + TOTAL_WORDS + TAX_LABELS):
            break
        text = _blank_not_money(line.text)
        price = _LAST_PRICE.search(text)
        if price is None or _UNIT_PRICE.search(text):
            continue
        values = [value for value, _ in find_money(price.group(1).strip())]
        if not values:
            return None
        prices.append(values[-1])
    if len(prices) < MIN_ITEMS:
        return None
    return sum(prices, Decimal("0"))


def _not_suggestions(lines: list[OcrLine]) -> list[OcrLine]:
    return [line for line in lines if not has_label(skeleton(line.text), SUGGESTION_WORDS)]


def subtotals_printed(lines: list[OcrLine]) -> set[Decimal]:
    """The values printed as a subtotal, a tip guide's lines aside."""
    return {c.value for c in labelled_values(_not_suggestions(lines), SUBTOTAL_LABELS, amounts_in, "part")}


def sums_of_parts(lines: list[OcrLine], items: Decimal | None = None) -> set[Decimal]:
    """Every total the document's own arithmetic gives: a subtotal (printed, or the items' sum) plus its tax,
    tip, service or fee lines (each part at most once), less a discount. A candidate equal to one is the total,
    whatever its label."""

    printed = _not_suggestions(lines)

    def values(label_set: tuple[str, ...]) -> list[Decimal]:
        return [c.value for c in labelled_values(printed, label_set, amounts_in, "part")]

    subtotals = subtotals_printed(lines) | ({items} if items is not None else set())
    if not subtotals:
        return set()
    additions = values(TAX_LABELS) + values(TIP_LABELS)
    discounts = values(DISCOUNT_LABELS)
    sums: set[Decimal] = set()
    for subtotal in subtotals:
        partial = {subtotal}
        for part in additions[:6]:  # a receipt prints a handful of parts; bounded, whatever the OCR gives
            partial |= {value + part for value in partial}
        for discount in discounts[:2]:
            partial |= {value - discount for value in partial}
        sums |= partial - {subtotal}
    return sums


def prefer_cash_rounded(candidates: list[Candidate]) -> list[Candidate]:
    """Where cash is rounded to 5 cents (Malaysia, and others), a receipt prints the exact total and then the
    rounded one, which is what was paid: 45.34 then 45.35. When the best candidate has a printed neighbour
    within 2 cents that is a multiple of 5 cents, that neighbour is the total."""
    if not candidates:
        return candidates
    best = max(candidates, key=lambda c: c.confidence)
    for candidate in candidates:
        if has_label(skeleton(candidate.source), CASH_LABELS):
            continue  # cash handed over (`NUMERÁRIO 25,00 €` for 24,98) is not the total rounded
        close = Decimal("0") < abs(candidate.value - best.value) <= Decimal("0.02")
        if close and candidate.value % Decimal("0.05") == 0 and best.value % Decimal("0.05") != 0:
            rounded = Candidate(candidate.value, min(best.confidence + 0.01, 1.0), candidate.source,
                                (*candidate.rules, "total_cash_rounded"), candidate.unsure)  # fmt: skip
            return [rounded if c is candidate else c for c in candidates]
    return candidates


# A tip line left for the guest to fill in (`TIP ________`, `Gratuity:`, `Additional Tip`) or filled in by hand,
# which the OCR does not read: the card is charged the printed total plus that tip.
_BLANK_OR_RULE = re.compile(r"^[\s:._\-$€£]*$")
TIP_WORDS = labels("Tip", "Tips", "Gratuity", "Additional tip", "Add tip", "Trinkgeld", "Pourboire", "Propina",
                   "Mancia", "Gorjeta", "Napiwek", "Bahsis", "Чаевые")  # fmt: skip


def open_tip_mark(texts: Iterable[str]) -> str:
    """The first printed tip line with no amount on it, "" when there is none: where a guest may have written a
    tip in by hand, what was paid can be more than the printed total, and a person compares the two."""
    for text in texts:
        if (
            not text
            or not has_label(skeleton(text), TIP_WORDS)
            or has_label(skeleton(text), SUGGESTION_WORDS)
        ):
            continue
        rest = text[label_end(text, TIP_WORDS) or 0 :]
        if _BLANK_OR_RULE.match(rest) and not has_money(text):
            return text.strip()
    return ""
