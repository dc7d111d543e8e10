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
_NAMED = re.compile(r"(?<!\d)(\d{1,2})[ .-]?([A-ZА-Я]{3})[A-ZА-Я]*[ .,-]*(\d{4}|\d{2})(?!\d)", re.IGNORECASE)
_TIME = re.compile(r"(?<!\d)([01]?\d|2[0-3])[:.]([0-5]\d)(?::([0-5]\d))?(?!\d)")


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


def find_dates(text: str, *, min_year: int = 2000, max_year: int = 2099) -> list[DateMatch]:
    """Every calendar-valid date in a line; an ambiguous `05/06/26` yields both readings, day-first preferred."""
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
        month_first = _safe_date(year, int(a), int(b)) if sep == "/" else None
        if day_first and month_first and day_first != month_first:
            found.append(DateMatch(day_first, span, 0.6))
            found.append(DateMatch(month_first, span, 0.4))
        elif day_first or month_first:
            found.append(DateMatch(day_first or month_first, span, 1.0))  # type: ignore[arg-type]
    for m in _NAMED.finditer(text):
        month = MONTHS.get(m.group(2).upper()[:3])
        if month:
            d = _safe_date(_year(m.group(3)), month, int(m.group(1)))
            if d:
                found.append(DateMatch(d, m.span(), 1.0))
    return [d for d in found if min_year <= d.value.year <= max_year]


def find_times(text: str) -> list[tuple[time, tuple[int, int]]]:
    """Times `HH:MM` or `HH:MM:SS` (seconds dropped: slips are matched to the minute)."""
    return [
        (time(int(m.group(1)), int(m.group(2))), m.span()) for m in _TIME.finditer(text) if ":" in m.group(0)
    ]
