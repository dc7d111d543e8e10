"""The card's last four digits and its payment system."""

from __future__ import annotations

import re
from collections.abc import Iterable

from recognition.fields.labels import (
    CARD_LABELS,
    MASKED_ID_LABELS,
    labels,
)
from recognition.payment_systems import PRINTED_NAMES
from recognition.rules import search_card_tail, spot_payment_system
from recognition.text import has_label, skeleton
from recognition.types import Candidate, FieldReading, OcrLine

_CARD_MASKED = re.compile(
    r"(?:[*xX•#＊＃]{2,}[\s*xX•#＊＃.-]*)(\d{4})(?!\d)|(?<!\d)\d{4,6}[*xX•#＊＃]{2,}[\s*xX•#＊＃]*(\d{4})(?!\d)"
)
# Behind a card label or a scheme name only: `Karte ...1234`, `VISA #1234`, `Card ending 1234`.
_CARD_TAIL_AFTER_LABEL = re.compile(r"(?:\.{2,}|…|#|ending(?: in)?)\s?(\d{4})(?!\d)", re.IGNORECASE)
# A mask as long as a card number's hidden part (`************1956`): a card, not a masked id.
_FULL_MASK = re.compile(r"[*xX•#＊＃]{8,}")


# Words of a card payment that no loyalty card's line has: the terminal's approval, ids and entry mode.
_TERMINAL_WORDS = labels(
    "Credit", "Debit", "Approved", "Approval", "Одобрено", "Auth", "Auth code", "Код авторизации", "Terminal",
    "Терминал", "TID", "RRN", "Contactless", "Бесконтактная", "Chip", "EMV", "Kartenzahlung", "Girocard", "Kredi",
)  # fmt: skip
# What shows a card payment, beyond a card noun (which a loyalty card's line has too): a scheme's name, the
# payment or sale, the terminal's words above, in the languages slips and receipts are printed in.
# fmt: off
PAYMENT_WORDS = _TERMINAL_WORDS + labels(
    "Бесконтактный", "Оплата", "Покупка", "Sale", "Purchase", "Payment", "Paid", "Zahlung", "Genehmigt",
    "Paiement", "CB", "Autorisation", "Vente", "Achat", "Pago", "Venta", "Compra", "Autorizacion", "Pagamento",
    "Vendita", "Autorizzazione", "Pagamento elettronico", "Platnosc", "Sprzedaz", "Odeme", "Satis", "Onay",
    "EFTPOS", "PIN",
) + tuple(name for names in PRINTED_NAMES.values() for name in names)
# fmt: on
# How many rows from a masked number such a word shows its payment; a tail with none near counts this much less.
_PAYMENT_REACH = 3
_NO_PAYMENT_NEAR = 0.7


def _within_reach(marks: list[bool], reach: int) -> list[bool]:
    """For each row, whether a marked row is at most `reach` rows away."""
    return [any(marks[max(0, i - reach) : i + reach + 1]) for i in range(len(marks))]


def payment_context(lines: list[OcrLine]) -> list[bool]:
    """For each line, whether a card payment is printed within reach (`_PAYMENT_REACH` rows)."""
    return _within_reach([has_label(skeleton(line.text), PAYMENT_WORDS) for line in lines], _PAYMENT_REACH)


def extract_card_last4(lines: list[OcrLine]) -> FieldReading:
    """The last four digits after a masked card number (`**** 1234`, `XXXXXXXXXXXX1234`, `427600******1234`,
    `Karte ...1234`). A masked number on a terminal, merchant or reference id's line is that id, not the card
    (`TID: ****6633` above `VISA CREDIT ************1956`); a full-length mask, a card label or a scheme name on
    the line make a tail the likelier card."""
    candidates = []
    paying = payment_context(lines)
    card_lines = [
        (line, near)
        for line, near in zip(lines, paying, strict=True)
        if not _masked_id_line(skeleton(line.text))
    ]
    for line, near_payment in card_lines:
        words = skeleton(line.text)
        schemed = any(has_label(words, names) for names in PRINTED_NAMES.values())
        labelled = schemed or has_label(words, CARD_LABELS)
        for match in _CARD_MASKED.finditer(line.text):
            digits = match.group(1) or match.group(2)
            # A scheme's name on the line is the payment card's (`MAESTRO **** 5533`); a card noun alone may be a
            # store's card the list above does not name (`Carta Insieme ****4736`).
            factor = 0.98 if schemed else 0.97 if labelled or _FULL_MASK.search(match.group(0)) else 0.9
            if not near_payment:  # a masked number no payment is printed near: a store's own card, perhaps
                factor *= _NO_PAYMENT_NEAR
            candidates.append(Candidate(digits, line.confidence * factor, f"card: {line.text}"))
        if labelled and not candidates:
            for match in _CARD_TAIL_AFTER_LABEL.finditer(line.text):
                candidates.append(Candidate(match.group(1), line.confidence * 0.9, f"card: {line.text}"))
    if not candidates:
        # Not found line by line: the masked number may be split across boxes or broken by spaces and dots.
        full_text = " ".join(line.text for line, _ in card_lines)
        confidence = min((line.confidence for line, _ in card_lines), default=0.0) * 0.8
        candidates = [
            Candidate(d, confidence, "card tail search", ("card_tail_search",))
            for d in search_card_tail(full_text)
        ]
    return FieldReading.from_candidates(doubt_rival_tails(candidates))


def doubt_rival_tails(candidates: list[Candidate]) -> list[Candidate]:
    """Two different card numbers printed alike (`Karta **** 1995` and a store's `Karta Moja Biedronka
    ****9323` the loyalty words do not name): which one paid is a guess, so each loses as much of its confidence
    as half its best rival's, and neither is sure enough to refuse a participant on. The same tail printed twice
    is no rival."""
    best: dict[str, float] = {}
    for candidate in candidates:
        best[candidate.value] = max(best.get(candidate.value, 0.0), candidate.confidence)
    if len(best) < 2:
        return candidates

    def rival(value: str) -> float:
        return max(confidence for other, confidence in best.items() if other != value)

    return [
        Candidate(c.value, c.confidence * (1 - rival(c.value) / 2), c.source, c.rules, c.unsure)
        for c in candidates
    ]


# A loyalty or discount card is printed masked like the payment card, often on the next line (`Clubcard
# *********0938` under `Card ending 0935`, `Payback-Karte ****5678`, `CARTE CLUB ****5193`): never the card paid
# with, whatever card word its line has.
LOYALTY_LABELS = labels(
    "Club", "Clubcard", "Club card", "Payback", "DeutschlandCard", "Loyalty", "Member", "Membership", "Bonus",
    "Bonuskarte", "Kundenkarte", "Fidelite", "Carte fidelite", "Carte club", "Tarjeta cliente", "Cliente",
    "Socio", "Fidelity", "Fedelta", "Fidelizzazione", "Lojalnosciowa", "Money Kart", "Money Club", "Puan", "Points",
    "Punkte", "Nectar", "Rewards", "Reward", "Advantage", "Лояльности", "Бонусная", "Бонусы", "Дисконтная",
    "Скидочная",
)  # fmt: skip


def _masked_id_line(words: str) -> bool:
    """A masked terminal, merchant or reference id, or a loyalty card: not the card paid with."""
    if has_label(words, LOYALTY_LABELS):
        return True
    return has_label(words, MASKED_ID_LABELS) and not has_label(words, CARD_LABELS)


# What puts a scheme's name in a card payment's context: a card label, a masked card number, the terminal's
# approval. A short name (`MC`, `CUP`, `МИР`) or a damaged one spotted fuzzily counts only near these: on a
# receipt `Pimm's Cup`, `Gracias por su Visita` and `Customer Name` are not payment systems.
CARD_CONTEXT_LABELS = (
    CARD_LABELS
    + _TERMINAL_WORDS
    + labels("Оплата картой", "Card type", "Carte bancaire", "Tarjeta", "Carta", "Cartao", "Karta")
)
# How many rows away from such a mark a scheme's name is still read as the card's.
_CONTEXT_REACH = 3


def card_context(lines: list[OcrLine]) -> list[bool]:
    """For each line, whether a card label, a masked card number or a terminal's approval is within reach."""
    marks = [
        bool(_CARD_MASKED.search(line.text)) or has_label(skeleton(line.text), CARD_CONTEXT_LABELS)
        for line in lines
    ]
    return _within_reach(marks, _CONTEXT_REACH)


def extract_payment_system(lines: list[OcrLine]) -> FieldReading:
    """A payment system printed as a whole word; failing that, a damaged one spotted by fuzzy matching. Short
    names and fuzzy matches count only in a card payment's context (`card_context`)."""
    candidates = []
    context = card_context(lines)
    for line, near_card in zip(lines, context, strict=True):
        words = skeleton(line.text)
        for system, names in PRINTED_NAMES.items():
            spelled = [name for name in names if near_card or len(name.replace(" ", "")) >= 4]
            if spelled and has_label(words, tuple(spelled)):
                candidates.append(Candidate(system, line.confidence * 0.95, f"payment system: {line.text}"))
    if not candidates:
        for line, near_card in zip(lines, context, strict=True):
            spotted = spot_payment_system(skeleton(line.text)) if near_card else None
            if spotted:
                confidence = line.confidence * spotted.score * 0.8
                candidates.append(
                    Candidate(
                        spotted.system, confidence, f"payment system: {line.text}", ("payment_system_fuzzy",)
                    )
                )
    return FieldReading.from_candidates(candidates)


# A run of mask characters as a card number's hidden digits are printed (`****`, `XXXX`, `####`).
_MASK = r"(?:[*•#＊＃]{4,}|(?<![^\W\d_])[xX]{4,})"
_MASK_RUN = re.compile(_MASK)
_DIGITS_AFTER_MASK = re.compile(_MASK + r"[\s*•#＊＃xX.-]{0,8}\d")


def masked_number_mark(texts: Iterable[str]) -> str:
    """The first printed line with a masked number that is not a loyalty card's, a terminal's or a reference's,
    "" when there is none: a card number printed whose tail the reader did not make out (`Karta **** **** 01a`),
    for a person to read rather than a receipt refused as showing no card."""
    for text in texts:
        if not text or not _MASK_RUN.search(text) or _masked_id_line(skeleton(text)):
            continue
        words = skeleton(text)
        # A card's number, not a rule of stars printed across the paper: a card word or a payment's on the line,
        # or digits after the mask.
        if has_label(words, CARD_CONTEXT_LABELS + PAYMENT_WORDS) or _DIGITS_AFTER_MASK.search(text):
            return text.strip()
    return ""
