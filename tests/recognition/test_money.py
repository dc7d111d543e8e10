from decimal import Decimal

import pytest

from recognition.money import find_money, parse_money


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("1234", "1234.00"),
        ("1234.50", "1234.50"),
        ("1234,50", "1234.50"),
        ("1 234,50", "1234.50"),
        ("1\u00a0234,50", "1234.50"),
        ("1,234.50", "1234.50"),
        ("1.234,50", "1234.50"),
        ("12 345 678.90", "12345678.90"),
        ("1,234", "1234.00"),  # grouping: a decimal part has two digits
        ("0.50", "0.50"),
        # not money: misreads must not become amounts
        ("1.23.45", None),
        ("12,3456", None),
        ("1,23.45", None),
        ("1.234.50", None),  # grouping and decimal mark are the same character
        ("1 23,50", None),
        ("012", None),
        ("12.5", None),
        ("1234.567", None),
        ("", None),
        ("abc", None),
    ],
)
def test_parse_money_accepts_exactly_valid_syntax(token, expected):
    assert parse_money(token) == (Decimal(expected) if expected else None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CyMMa (Py): 1234,50", ["1234.50"]),
        ("ИТОГО: 1 234,50 руб", ["1234.50"]),
        ("AMOUNT: USD 1,234.50", ["1234.50"]),
        ("TOTAL 15.90  CASH 20.00", ["15.90", "20.00"]),
        ("no digits here", []),
    ],
)
def test_find_money_in_lines(text, expected):
    assert [str(value) for value, _ in find_money(text)] == expected
