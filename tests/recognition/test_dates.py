from datetime import date, time

import pytest

from recognition.dates import find_dates, find_times, unglue_date_time
from recognition.fields.date_time import date_order, extract_date
from recognition.types import OcrLine


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("21.11.26 14:32", [date(2026, 11, 21)]),
        ("21.11.2026", [date(2026, 11, 21)]),
        ("DATE: 11/21/26 TIME: 14:32", [date(2026, 11, 21)]),  # month-first: 21 is no month
        ("21/11/2026", [date(2026, 11, 21)]),
        ("2026-11-21", [date(2026, 11, 21)]),
        # a dashed date is printed both ways (Europe day-first, the US month-first): both readings
        ("12-01-2019", [date(2019, 1, 12), date(2019, 12, 1)]),
        ("SATURDAY 01-27-2018 03:59PM", [date(2018, 1, 27)]),  # month-first: 27 is no month
        ("12.26.2012", [date(2012, 12, 26)]),  # a dotted date is month-first only where it must be
        ("21 NOV 2026", [date(2026, 11, 21)]),
        ("05 ноя 2026", [date(2026, 11, 5)]),
        # month names in the languages receipts are printed in, and month-first named dates
        ("16 июля 2026 г.", [date(2026, 7, 16)]),
        ("15. März 2026", [date(2026, 3, 15)]),
        ("3 févr. 2026", [date(2026, 2, 3)]),
        ("15 de marzo de 2026", [date(2026, 3, 15)]),
        ("2 settembre 2019", [date(2019, 9, 2)]),
        ("7 de outubro de 2025", [date(2025, 10, 7)]),
        ("3 października 2025", [date(2025, 10, 3)]),
        ("15 Şubat 2026", [date(2026, 2, 15)]),
        ("24-Nov-16", [date(2016, 11, 24)]),
        ("Jul16'17", [date(2017, 7, 16)]),
        # the same with the apostrophe lost or misread by the OCR
        ("Oct0814 12:10PM", [date(2014, 10, 8)]),
        ("Sep30:17 07:30PM", [date(2017, 9, 30)]),
        ("Table1234", []),
        ("MARKET1226", []),
        ("Mar 15, 2026", [date(2026, 3, 15)]),
        ("July 4th, 2026", [date(2026, 7, 4)]),
        # a word that only starts like a month is not one
        ("MARKET 12 2026", []),
        ("SALE 12 2026", []),
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


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (["Server: Mary 06/13/17 08:38 PM", "Date 05/06/17"], (True, 0.9)),  # its own 06/13 decides
        (["13/06/17 20:38", "05/06/17"], (False, 0.9)),
        (["Kenmore, WA 98028", "(425) 555-0199", "05/06/17 8:38 PM"], (True, 0.8)),  # two US marks
        (["Total $12.50", "05/06/17"], (True, 0.7)),
        (["VAT 20%", "Total £12.50", "05/06/17"], (False, 0.8)),
        (["Итого 1 119,00", "05/06/26"], (False, 0.7)),
        # ringgit and GST outweigh a Malaysian mobile that looks like a US number
        (["Total RM 12.50", "GST 6%", "05/06/26", "012-345-6789"], (False, 0.7)),
        (["05/06/26"], (False, 0.6)),  # nothing to go by: day-first, barely
    ],
)
def test_the_date_order_follows_the_document(rows, expected):
    lines = [
        OcrLine(text, 0.99, ((0, i * 20), (100, i * 20), (100, i * 20 + 10), (0, i * 20 + 10)))
        for i, text in enumerate(rows)
    ]
    month_first, certainty = date_order(lines)
    assert (month_first, round(certainty, 2)) == expected


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("LAURA D SvrCk: 1 11:23a 03/12/19", [time(11, 23)]),
        ("27-Apr-2017 6:21:59P", [time(18, 21)]),
        ("8:38 p.m.", [time(20, 38)]),
        ("12:10 A LA CARTE", [time(12, 10)]),  # a spaced letter is a word, not a meridiem
    ],
)
def test_pos_checks_one_letter_meridiem(text, expected):
    assert [value for value, _ in find_times(text)] == expected


def test_a_date_inside_an_id_is_no_date():
    assert find_dates("Invoice No: SP-nul1-18/06/04-1016956") == []


def test_a_card_expiry_is_not_the_purchase_date():
    lines = [
        OcrLine(text, 0.99, ((0, i * 20), (100, i * 20), (100, i * 20 + 10), (0, i * 20 + 10)))
        for i, text in enumerate(["05/03/18 15:02 Slip No.: 1010104759", "Card Expiry: 31/05/18"])
    ]
    assert extract_date(lines).value == date(2018, 3, 5)
