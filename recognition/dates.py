"""Dates and times as slips and receipts print them: day-first, month-first, ISO, two- or four-digit years."""

import re
from dataclasses import dataclass
from datetime import date, time

MONTHS = {
    "JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6,
    "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12,
    "ЯНВ": 1, "ФЕВ": 2, "МАР": 3, "АПР": 4, "МАЙ": 5, "МАЯ": 5, "ИЮН": 6,
    "ИЮЛ": 7, "АВГ": 8, "СЕН": 9, "ОКТ": 10, "НОЯ": 11, "ДЕК": 12,
}  # fmt: skip

_NUMERIC = re.compile(r"(?<!\d)(\d{1,4})([./-])(\d{1,2})\2(\d{2,4})(?!\d)")
_NAMED = re.compile(
    r"(?<!\d)(\d{1,2})[ ./-]?([A-ZА-Я]{3})[A-ZА-Я]*[ .,/-]*(\d{4}|\d{2})(?!\d)", re.IGNORECASE
)
_TIME = re.compile(
    r"(?<!\d)([01]?\d|2[0-3])[:.]([0-5]\d)(?::([0-5]\d))?(?!\d)(?:\s*([AaАаPpРр])\.?\s?[MmМм]\b)?"
)


@dataclass(frozen=True)
class DateMatch:
    value: date
    span: tuple[int, int]
    plausibility: float  # 1.0 unambiguous; lower when another reading of the same digits exists


def _year(text: str) -> int:
    year = int(text)
    return 2000 + year if len(text) == 2 else year


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


# OCR drops the space between a date and the time printed after it: `05.10.2615:13:44`.
_GLUED_DATE_TIME = re.compile(r"(?<!\d)(\d{2}[./-]\d{2}[./-](?:\d{4}|\d{2}))(\d{1,2}:\d{2})")


def unglue_date_time(text: str) -> tuple[str, bool]:
    """The text with a space put back between a date and a time glued to it; whether the rule fired."""
    repaired = _GLUED_DATE_TIME.sub(r"\1 \2", text)
    return repaired, repaired != text


def find_dates(
    text: str, *, month_first: bool = False, min_year: int = 2000, max_year: int = 2099
) -> list[DateMatch]:
    """Every calendar-valid date in a line; an ambiguous `05/06/26` yields both readings, day-first preferred
    unless the document is US-style (`month_first`)."""
    found: list[DateMatch] = []
    for m in _NUMERIC.finditer(text):
        a, sep, b, c = m.group(1), m.group(2), m.group(3), m.group(4)
        span = m.span()
        if len(a) == 4:
            d = _safe_date(int(a), int(b), int(c)) if len(c) <= 2 else None
            if d:
                found.append(DateMatch(d, span, 1.0))
            continue
        if len(a) > 2 or len(c) == 3:
            continue
        year = _year(c)
        day_first = _safe_date(year, int(b), int(a))
        as_month_first = _safe_date(year, int(a), int(b)) if sep == "/" else None
        readings = [d for d in (day_first, as_month_first) if d]
        if len(set(readings)) == 2:
            preferred, other = readings if not month_first else readings[::-1]
            found.append(DateMatch(preferred, span, 0.6))
            found.append(DateMatch(other, span, 0.4))
        elif readings:
            found.append(DateMatch(readings[0], span, 1.0))
    for m in _NAMED.finditer(text):
        month = MONTHS.get(m.group(2).upper()[:3])
        if month:
            d = _safe_date(_year(m.group(3)), month, int(m.group(1)))
            if d:
                found.append(DateMatch(d, m.span(), 1.0))
    return [d for d in found if min_year <= d.value.year <= max_year]


def find_times(text: str) -> list[tuple[time, tuple[int, int]]]:
    """Times `HH:MM`, `HH:MM:SS` or `hh:MM PM` (seconds dropped: slips are matched to the minute)."""
    found = []
    for m in _TIME.finditer(text):
        if ":" not in m.group(0):
            continue
        hour, meridiem = int(m.group(1)), (m.group(4) or "").upper()
        if meridiem and not 1 <= hour <= 12:
            continue
        if meridiem in ("P", "Р"):
            hour = hour % 12 + 12
        elif meridiem in ("A", "А"):
            hour = hour % 12
        found.append((time(hour, int(m.group(2))), m.span()))
    return found
