from datetime import date
from decimal import Decimal

import pytest

from recognition.fields import extract_fields
from recognition.rules import (
    compare_amount_with_typed,
    repair_date_mask,
    search_card_tail,
    spot_payment_system,
)
from recognition.text import skeleton
from tests.recognition.lines import lines


@pytest.mark.parametrize(
    ("text", "years", "expected"),
    [
        ("21.11.2?", (2026,), [date(2026, 11, 21)]),  # the last digit broken
        ("21/11/2б 14:32", (2026,), [date(2026, 11, 21)]),
        ("21-11-202", (2026,), [date(2026, 11, 21)]),
        ("21.11.", (2026,), []),  # nothing of the year is visible: nothing says it was this year
        ("21.11.26", (2026,), []),  # readable: no repair
        ("21.11.2?", (2025, 2026), []),  # two campaign years fit: ambiguous, refuse
        ("21.11.1?", (2026,), []),  # the visible digit contradicts the campaign year
        ("31.02.2?", (2026,), []),  # no such day
    ],
)
def test_repair_date_mask(text, years, expected):
    assert repair_date_mask(text, years) == expected


def test_date_mask_repair_is_only_a_fallback_and_is_recorded():
    fields = extract_fields(lines("ДАТА 21.11.2? 14:32"), years=(2026,))
    assert fields["date"].value == date(2026, 11, 21)
    assert fields["date"].rules == ("date_mask_repaired",)
    assert extract_fields(lines("ДАТА 21.11.2? 14:32"))["date"].value is None  # no campaign year, no repair
    assert extract_fields(lines("21.11.25 14:32"), years=(2026,))["date"].value == date(2025, 11, 21)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("** 1 2 3 4", ["1234"]),
        ("XXXX.1234", ["1234"]),
        ("Карта ЖЖЖЖ 4821", ["4821"]),
        ("**** **** **** 12-34", ["1234"]),
        ("RRN 123456789012", []),
        ("** 12345", []),  # five digits are not a tail
    ],
)
def test_search_card_tail(text, expected):
    assert search_card_tail(text) == expected


def test_card_tail_search_when_the_mask_and_digits_are_apart():
    fields = extract_fields(lines("Карта **", "4 8 2 1"))
    assert fields["card_last4"].value == "4821"
    assert fields["card_last4"].rules == ("card_tail_search",)


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("VISH", "VISA"),
        ("V1SA", "VISA"),
        ("MASTERCRD", "MASTERCARD"),
        ("Mastercard", "MASTERCARD"),
        ("Card: V", "VISA"),
        ("MAESTR0", "MAESTRO"),
        ("UNI0NPAY", "UNIONPAY"),
        ("VIEW", None),
        ("MIX", None),  # short words are not matched fuzzily
        ("RECEIPT", None),
    ],
)
def test_spot_payment_system(printed, expected):
    spotted = spot_payment_system(skeleton(printed))
    assert (spotted.system if spotted else None) == expected


def test_fuzzy_payment_system_is_recorded_and_weaker_than_an_exact_one():
    fuzzy = extract_fields(lines("VISH", "**** 2044"))["payment_system"]
    exact = extract_fields(lines("VISA"))["payment_system"]
    assert (fuzzy.value, fuzzy.rules) == ("VISA", ("payment_system_fuzzy",))
    assert fuzzy.confidence < exact.confidence


@pytest.mark.parametrize(
    ("read", "typed", "unsure", "matches", "repaired"),
    [
        ("166.00", "166.00", (), True, False),
        ("166.00", "188.00", (1, 2), True, True),  # engines disagreed on those digits: 6/8 forgiven
        ("166.00", "188.00", (), False, False),  # both read a clear 6: no repair, whatever was typed
        ("166.00", "188.00", (1,), False, False),  # only one of the two digits was unsure
        ("136.00", "186.00", (1,), True, True),  # 3/8
        ("166.00", "177.00", (1, 2), False, False),  # 6/7 is not a confusion
        ("166.00", "1660.00", (1, 2), False, False),
    ],
)
def test_compare_amount_with_typed(read, typed, unsure, matches, repaired):
    result = compare_amount_with_typed(Decimal(read), Decimal(typed), unsure)
    assert (result.matches, result.repaired) == (matches, repaired)
