"""The transaction's date and time: the date printed next to a time or a date label; month-first where the
document is US-style."""

from __future__ import annotations

import re

from recognition.dates import find_dates, find_times, order_hints, unglue_date_time
from recognition.fields.labels import (
    DATE_LABELS,
    labels,
)
from recognition.rules import repair_date_mask
from recognition.text import has_label, skeleton
from recognition.types import Candidate, FieldReading, OcrLine

# Dates that are not the purchase's: a card's expiry, a best-before, a return deadline.
NOT_DATE_LABELS = labels(
    "Expiry",
    "Exp",
    "Expires",
    "Exp date",
    "Card expiry",
    "Valid thru",
    "Valid until",
    "Gultig bis",
    "Срок действия",
    "Best before",
    "Return by",
    "Ablauf",
    "Date d expiration",
    "Caducidad",
    "Scadenza",
    "Validade",
    "Waznosc",
)
US_STATES = [
    "AL",
    "AK",
    "AZ",
    "AR",
    "CA",
    "CO",
    "CT",
    "DE",
    "DC",
    "FL",
    "GA",
    "HI",
    "ID",
    "IL",
    "IN",
    "IA",
    "KS",
    "KY",
    "LA",
    "ME",
    "MD",
    "MA",
    "MI",
    "MN",
    "MS",
    "MO",
    "MT",
    "NE",
    "NV",
    "NH",
    "NJ",
    "NM",
    "NY",
    "NC",
    "ND",
    "OH",
    "OK",
    "OR",
    "PA",
    "RI",
    "SC",
    "SD",
    "TN",
    "TX",
    "UT",
    "VT",
    "VA",
    "WA",
    "WV",
    "WI",
    "WY",
]
# A US document: dollars, a US phone number, a state and ZIP code (`Kenmore, WA 98028`).
_US_MARKS = (
    re.compile(r"\$|\bUSD\b"),
    re.compile(r"\(\d{3}\)\s?\d{3}[-. ]\d{4}|(?<!\d)\d{3}[-.]\d{3}[-.]\d{4}(?!\d)"),
    re.compile(rf"\b(?:{'|'.join(US_STATES)}),?\s+\d{{5}}(?:-\d{{4}})?\b"),
)
# Anywhere else day-first is the rule: euros, pounds, roubles, ringgit, rupees, lira, zloty, and the names of
# VAT in the languages that print it.
_DAY_FIRST_MARKS = (
    re.compile(r"[€£₽₺]|\b(?:EUR|GBP|RUB|RM|MYR|Rs|INR|TL|TRY|PLN|zł)\b", re.IGNORECASE),
    re.compile(r"\b(?:VAT|GST|MwSt|USt|TVA|IVA|KDV|PTU|BTW|НДС)\b", re.IGNORECASE),
    # Russian words a receipt prints (not any Cyrillic: Tesseract's rus+eng reads Latin as Cyrillic look-alikes)
    re.compile(r"(?i)(?<![^\W\d_])(?:руб|итог|итого|сумма|кассир|чек)(?![^\W\d_])"),
)


def date_order(lines: list[OcrLine]) -> tuple[bool, float]:
    """Whether the document's ambiguous dates (`05/06/26`) put the month first: its own unambiguous dates
    decide (`12/26/2012` elsewhere on it); failing them, US marks against day-first ones. (A 12-hour clock is
    no evidence: Malaysian receipts print PM and day-first dates.) With how sure that order is: the document's
    own dates, 0.9; two marks more on one side, 0.8; one, 0.7; nothing (day-first by default), 0.6."""
    month_first = day_first = 0
    for line in lines:
        hints = order_hints(line.text)
        month_first, day_first = month_first + hints[0], day_first + hints[1]
    if month_first != day_first:
        return month_first > day_first, 0.9
    us = sum(any(mark.search(line.text) for line in lines) for mark in _US_MARKS)
    elsewhere = sum(any(mark.search(line.text) for line in lines) for mark in _DAY_FIRST_MARKS)
    return us > elsewhere, min(0.6 + 0.1 * abs(us - elsewhere), 0.8)


def extract_date(lines: list[OcrLine], years: tuple[int, ...] = ()) -> FieldReading:
    """The transaction date: a date next to a time or a DATE label is the slip's own date. With no readable
    date, a date whose year the OCR broke is repaired to the campaign's year (`years`) when only it fits."""
    candidates = []
    month_first, certainty = date_order(lines)
    for line in lines:
        text, unglued = unglue_date_time(line.text)
        rules = ("date_time_unglued",) if unglued else ()
        has_time = bool(find_times(text))
        labelled = has_label(skeleton(text), DATE_LABELS)
        if has_label(skeleton(text), NOT_DATE_LABELS):
            continue
        for match in find_dates(text, month_first=month_first, certainty=certainty):
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
