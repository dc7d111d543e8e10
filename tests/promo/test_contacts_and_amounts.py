from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from promo.amounts import parse_typed_amount
from promo.contacts import normalize_contact


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+7 (999) 123-45-67", ("phone", "+79991234567")),
        ("8 999 123 45 67", ("phone", "+79991234567")),
        ("79991234567", ("phone", "+79991234567")),
        ("9991234567", ("phone", "+79991234567")),
        ("+44 20 7946 0958", ("phone", "+442079460958")),
        ("  Ivan.Petrov@Example.RU ", ("email", "ivan.petrov@example.ru")),
    ],
)
def test_normalize_contact(raw, expected):
    assert normalize_contact(raw) == expected


@pytest.mark.parametrize("raw", ["", "12345", "ivan@", "not a phone", "+12", "8 999 123 45 6"])
def test_normalize_contact_rejects(raw):
    with pytest.raises(ValidationError):
        normalize_contact(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1234.50", "1234.50"),
        ("1234,5", "1234.50"),
        ("1 234,50", "1234.50"),
        ("99", "99.00"),
        (12.3, "12.30"),
    ],
)
def test_parse_typed_amount(raw, expected):
    assert parse_typed_amount(raw) == Decimal(expected)


@pytest.mark.parametrize("raw", ["", "abc", "0", "-5", "1.2.3", "12.345", "NaN", "Infinity", "1e400"])
def test_parse_typed_amount_rejects(raw):
    with pytest.raises(ValidationError):
        parse_typed_amount(raw)
