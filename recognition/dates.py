"""Dates and times as slips and receipts print them: day-first, month-first, ISO, two- or four-digit years."""

import re
from dataclasses import dataclass
from datetime import date, time

from recognition.text import fold

# Month names as printed, folded (upper case, accents dropped: recognition.text.fold), by their first letters:
# English, Russian (nominative and genitive share them), German, French, Spanish, Italian, Portuguese, Polish
# and Turkish. Four letters where three are ambiguous (French JUIN / JUIL).
MONTHS = {
    # English (and the many languages sharing these stems)
    "JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10,
    "NOV": 11, "DEC": 12,
    # Russian
    "ЯНВ": 1, "ФЕВ": 2, "МАР": 3, "АПР": 4, "МАЙ": 5, "МАЯ": 5, "ИЮН": 6, "ИЮЛ": 7, "АВГ": 8, "СЕН": 9,
    "ОКТ": 10, "НОЯ": 11, "ДЕК": 12,
    # German, French, Spanish, Italian, Portuguese
    "MAI": 5, "OKT": 10, "DEZ": 12, "JANV": 1, "FEVR": 2, "FEV": 2, "AVR": 4, "JUIN": 6, "JUIL": 7,
    "AOU": 8, "ENE": 1, "ABR": 4, "AGO": 8, "SET": 9, "DIC": 12, "GEN": 1, "MAG": 5, "GIU": 6, "LUG": 7,
    "OTT": 10, "OUT": 10,
    # Polish (stycznia, lutego, marca, kwietnia, maja, czerwca, lipca, sierpnia, września, października,
    # listopada, grudnia)
    "STY": 1, "LUT": 2, "KWI": 4, "MAJ": 5, "CZE": 6, "LIP": 7, "SIE": 8, "WRZ": 9, "PAZ": 10, "LIS": 11,
    "GRU": 12,
    # Turkish (Ocak, Şubat, Mart, Nisan, Mayıs, Haziran, Temmuz, Ağustos, Eylül, Ekim, Kasım, Aralık)
    "OCA": 1, "SUB": 2, "NIS": 4, "HAZ": 6, "TEM": 7, "AGU": 8, "EYL": 9, "EKI": 10, "KAS": 11, "ARA": 12,
}  # fmt: skip

# Whole month names: a longer word is a month only if it is one of them (`MARKET 12 2026` is not March).
MONTH_NAMES = frozenset(
    [
        "JANUARY",
        "FEBRUARY",
        "MARCH",
        "APRIL",
        "JUNE",
        "JULY",
        "AUGUST",
        "SEPTEMBER",
        "OCTOBER",
        "NOVEMBER",
        "DECEMBER",
        "SEPT",
        "ЯНВАРЬ",
        "ЯНВАРЯ",
        "ФЕВРАЛЬ",
        "ФЕВРАЛЯ",
        "МАРТ",
        "МАРТА",
        "АПРЕЛЬ",
        "АПРЕЛЯ",
        "ИЮНЬ",
        "ИЮНЯ",
        "ИЮЛЬ",
        "ИЮЛЯ",
        "АВГУСТ",
        "АВГУСТА",
        "СЕНТЯБРЬ",
        "СЕНТЯБРЯ",
        "ОКТЯБРЬ",
        "ОКТЯБРЯ",
        "НОЯБРЬ",
        "НОЯБРЯ",
        "ДЕКАБРЬ",
        "ДЕКАБРЯ",
        "JANUAR",
        "FEBRUAR",
        "MARZ",
        "JUNI",
        "JULI",
        "OKTOBER",
        "DEZEMBER",
        "JANVIER",
        "FEVRIER",
        "MARS",
        "AVRIL",
        "JUIN",
        "JUILLET",
        "AOUT",
        "SEPTEMBRE",
        "OCTOBRE",
        "NOVEMBRE",
        "DECEMBRE",
        "JANV",
        "FEVR",
        "JUIL",
        "ENERO",
        "FEBRERO",
        "MARZO",
        "ABRIL",
        "MAYO",
        "JUNIO",
        "JULIO",
        "AGOSTO",
        "SEPTIEMBRE",
        "SETIEMBRE",
        "OCTUBRE",
        "NOVIEMBRE",
        "DICIEMBRE",
        "GENNAIO",
        "FEBBRAIO",
        "APRILE",
        "MAGGIO",
        "GIUGNO",
        "LUGLIO",
        "SETTEMBRE",
        "OTTOBRE",
        "DICEMBRE",
        "JANEIRO",
        "FEVEREIRO",
        "MARCO",
        "MAIO",
        "JUNHO",
        "JULHO",
        "SETEMBRO",
        "OUTUBRO",
        "DEZEMBRO",
        "STYCZEN",
        "STYCZNIA",
        "LUTY",
        "LUTEGO",
        "MARZEC",
        "MARCA",
        "KWIECIEN",
        "KWIETNIA",
        "MAJA",
        "CZERWIEC",
        "CZERWCA",
        "LIPIEC",
        "LIPCA",
        "SIERPIEN",
        "SIERPNIA",
        "WRZESIEN",
        "WRZESNIA",
        "PAZDZIERNIK",
        "PAZDZIERNIKA",
        "LISTOPAD",
        "LISTOPADA",
        "GRUDZIEN",
        "GRUDNIA",
        "OCAK",
        "SUBAT",
        "MART",
        "NISAN",
        "MAYIS",
        "HAZIRAN",
        "TEMMUZ",
        "AGUSTOS",
        "EYLUL",
        "EKIM",
        "KASIM",
        "ARALIK",
    ]
)

# Abbreviations read as months: English and Russian, and the other languages' where they are no common word on
# a receipt. `SET` (a set meal), `OUT`, `SUB`, `ARA`, `GEN`, `MAG`, `LIS` and the like count only spelled out.
ABBREVIATIONS = frozenset(
    [
        "JAN",
        "FEB",
        "MAR",
        "APR",
        "MAY",
        "JUN",
        "JUL",
        "AUG",
        "SEP",
        "SEPT",
        "OCT",
        "NOV",
        "DEC",
        "ЯНВ",
        "ФЕВ",
        "МАР",
        "АПР",
        "МАЙ",
        "МАЯ",
        "ИЮН",
        "ИЮЛ",
        "АВГ",
        "СЕН",
        "ОКТ",
        "НОЯ",
        "ДЕК",
        "MAI",
        "OKT",
        "DEZ",
        "JANV",
        "FEVR",
        "AVR",
        "JUIN",
        "JUIL",
        "ENE",
        "ABR",
        "AGO",
        "DIC",
        "GIU",
        "LUG",
        "OTT",
        "FEV",
    ]
)

_NUMERIC = re.compile(r"(?<!\d)(\d{1,4})([./-])(\d{1,2})\2(\d{2,4})(?!\d)")
_WORD = r"([^\W\d_]{3,})"
# `15 Mar 2026`, `15-MAR-26`, `15. März 2026`, `15 de marzo de 2026`, `24-Nov-16`
_DAY_MONTH_YEAR = re.compile(
    rf"(?<!\d)(\d{{1,2}})(?:\.|st|nd|rd|th)?[ /-]?(?:de )?{_WORD}\.?[ .,/-]*(?:de )?'?(\d{{4}}|\d{{2}})(?!\d)",
    re.IGNORECASE,
)
# `Mar 15, 2026`, `July 16, 2017`, `Jul16'17`
_MONTH_DAY_YEAR = re.compile(
    rf"(?<![^\W\d_]){_WORD}\.? ?(\d{{1,2}})(?:st|nd|rd|th)?(?:, ?| |')'?(\d{{4}}|\d{{2}})(?!\d)",
    re.IGNORECASE,
)
# POS checks' compact `Oct08'14` with the apostrophe lost or misread (`Oct0814`, `Sep30:17`): two digits of
# day, two of year, nothing else around them.
_MONTH_DDYY = re.compile(rf"(?<![^\W\d_]){_WORD}(\d{{2}})[':.,`]?(\d{{2}})(?![\d:])", re.IGNORECASE)
_TIME = re.compile(
    r"(?<!\d)([01]?\d|2[0-3])[:.]([0-5]\d)(?::([0-5]\d))?(?!\d)"
    # `08:38 PM`, `8:38 p.m.`, and POS checks' one-letter `11:23a`, `6:21:59P` (glued: `12:10 A` may be a word)
    r"(?:\s*([AaАаPpРр])\.?\s?[MmМм]\.?(?![^\W\d_])|([AaPp])(?![^\W\d_]))?"
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
# A numeric date glued into an id by dashes: `-1016956` after it, `SP-01-` before it.
_IN_ID = re.compile(r"-\d")
_ID_BEFORE = re.compile(r"[^\W_]-$")
_GLUED_DATE_TIME = re.compile(r"(?<!\d)(\d{2}[./-]\d{2}[./-](?:\d{4}|\d{2}))(\d{1,2}:\d{2})")


def unglue_date_time(text: str) -> tuple[str, bool]:
    """The text with a space put back between a date and a time glued to it; whether the rule fired."""
    repaired = _GLUED_DATE_TIME.sub(r"\1 \2", text)
    return repaired, repaired != text


def find_dates(
    text: str,
    *,
    month_first: bool = False,
    certainty: float = 0.6,
    min_year: int = 2000,
    max_year: int = 2099,
) -> list[DateMatch]:
    """Every calendar-valid date in a line; an ambiguous `05/06/26` yields both readings, day-first preferred
    unless the document is US-style (`month_first`), with `certainty` as the evidence for that order allows.
    A date inside an id (`SP-01-18/06/04-1016956`) is not a date."""
    found: list[DateMatch] = []
    for m in _NUMERIC.finditer(text):
        a, sep, b, c = m.group(1), m.group(2), m.group(3), m.group(4)
        span = m.span()
        if _IN_ID.match(text, span[1]) or _ID_BEFORE.search(text[: span[0]]):
            continue
        if len(a) == 4:
            d = _safe_date(int(a), int(b), int(c)) if len(c) <= 2 else None
            if d:
                found.append(DateMatch(d, span, 1.0))
            continue
        if len(a) > 2 or len(c) == 3:
            continue
        year = _year(c)
        day_first = _safe_date(year, int(b), int(a))
        # `01-27-2018` can only be month-first; a dotted date is month-first only where day-first is impossible.
        as_month_first = _safe_date(year, int(a), int(b)) if sep != "." or not day_first else None
        readings = [d for d in (day_first, as_month_first) if d]
        if len(set(readings)) == 2:
            preferred, other = readings if not month_first else readings[::-1]
            found.append(DateMatch(preferred, span, certainty))
            found.append(DateMatch(other, span, 1 - certainty))
        elif readings:
            found.append(DateMatch(readings[0], span, 1.0))
    for pattern, day_group, month_group in (
        (_DAY_MONTH_YEAR, 1, 2), (_MONTH_DAY_YEAR, 2, 1), (_MONTH_DDYY, 2, 1)
    ):  # fmt: skip
        for m in pattern.finditer(text):
            month = month_number(m.group(month_group))
            if month and not any(_overlaps(m.span(), d.span) for d in found):
                d = _safe_date(_year(m.group(3)), month, int(m.group(day_group)))
                if d:
                    found.append(DateMatch(d, m.span(), 1.0))
    return [d for d in found if min_year <= d.value.year <= max_year]


def order_hints(text: str) -> tuple[int, int]:
    """How many numeric dates in the text can only be read month-first (`12/26/2012`), and how many only
    day-first (`26/12/2012`): the document's own convention, for its ambiguous dates."""
    month_first = day_first = 0
    for m in _NUMERIC.finditer(text):
        a, b = m.group(1), m.group(3)
        if len(a) > 2:
            continue
        month_first += int(a) <= 12 < int(b) <= 31
        day_first += int(b) <= 12 < int(a) <= 31
    return month_first, day_first


def month_number(word: str) -> int | None:
    """The month a printed month name stands for (`März`, `марта`, `Şubat`, `Sept.`), or None."""
    folded = fold(word)
    if folded not in MONTH_NAMES and (len(folded) > 4 or folded not in ABBREVIATIONS):
        return None
    return MONTHS.get(folded[:4]) or MONTHS.get(folded[:3])


def _overlaps(first: tuple[int, int], second: tuple[int, int]) -> bool:
    return first[0] < second[1] and second[0] < first[1]


def find_times(text: str) -> list[tuple[time, tuple[int, int]]]:
    """Times `HH:MM`, `HH:MM:SS` or `hh:MM PM` (seconds dropped: slips are matched to the minute)."""
    found = []
    for m in _TIME.finditer(text):
        if ":" not in m.group(0):
            continue
        hour, meridiem = int(m.group(1)), (m.group(4) or m.group(5) or "").upper()
        if meridiem and not 1 <= hour <= 12:
            continue
        if meridiem in ("P", "Р"):
            hour = hour % 12 + 12
        elif meridiem in ("A", "А"):
            hour = hour % 12
        found.append((time(hour, int(m.group(2))), m.span()))
    return found
