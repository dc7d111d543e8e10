from datetime import date, time

import pytest

from recognition.dates import find_dates, find_times, unglue_date_time


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("21.11.26 14:32", [date(2026, 11, 21)]),
        ("21.11.2026", [date(2026, 11, 21)]),
        ("DATE: 11/21/26 TIME: 14:32", [date(2026, 11, 21)]),  # month-first: 21 is no month
        ("21/11/2026", [date(2026, 11, 21)]),
        ("2026-11-21", [date(2026, 11, 21)]),
        ("12-01-2019", [date(2019, 1, 12)]),
        ("21 NOV 2026", [date(2026, 11, 21)]),
        ("05 ноя 2026", [date(2026, 11, 5)]),
        # ambiguous slash date: both readings, day-first first
        ("05/06/2026", [date(2026, 6, 5), date(2026, 5, 6)]),
        # not dates
        ("31.02.26", []),
        ("RRN 123456789012", []),
        ("1234,50", []),
        ("21.11.1899", []),
    ],
)
def test_find_dates(text, expected):
    assert [match.value for match in find_dates(text)] == expected


def test_ambiguous_date_is_less_plausible_than_unambiguous():
    ambiguous = find_dates("05/06/2026")
    assert ambiguous[0].plausibility > ambiguous[1].plausibility
    assert find_dates("21/11/2026")[0].plausibility == 1.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14:32", [time(14, 32)]),
        ("21.11.26 14:32:05", [time(14, 32)]),
        ("TIME 09:05", [time(9, 5)]),
        ("25:61", []),
        ("1234,50", []),
    ],
)
def test_find_times(text, expected):
    assert [value for value, _ in find_times(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01:06 PM", [time(13, 6)]),
        ("12:30 AM", [time(0, 30)]),
        ("12:30 PM", [time(12, 30)]),
        ("01:06 РМ", [time(13, 6)]),  # Tesseract reads PM in Cyrillic letters
        ("13:06 PM", []),
    ],
)
def test_twelve_hour_clock(text, expected):
    assert [value for value, _ in find_times(text)] == expected


def test_us_documents_read_ambiguous_dates_month_first():
    assert [m.value for m in find_dates("05/06/26", month_first=True)] == [date(2026, 5, 6), date(2026, 6, 5)]
    assert [m.value for m in find_dates("21/11/26", month_first=True)] == [date(2026, 11, 21)]


@pytest.mark.parametrize(
    ("text", "expected", "fired"),
    [
        ("05.10.2615:13:44", "05.10.26 15:13:44", True),
        ("05.10.202615:13", "05.10.2026 15:13", True),
        ("05.10.26 15:13", "05.10.26 15:13", False),
    ],
)
def test_unglue_date_time(text, expected, fired):
    assert unglue_date_time(text) == (expected, fired)
