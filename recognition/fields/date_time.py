"""The transaction's date and time: the date printed next to a time or a date label; month-first where the
document is US-style."""

from __future__ import annotations

from recognition.dates import find_dates, find_times, unglue_date_time
from recognition.fields.labels import (
    DATE_LABELS,
)
from recognition.rules import repair_date_mask
from recognition.text import has_label, skeleton
from recognition.types import Candidate, FieldReading, OcrLine


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
