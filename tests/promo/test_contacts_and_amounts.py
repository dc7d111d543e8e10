from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework import serializers as drf_serializers

from promo.amounts import format_amount, parse_typed_amount
from promo.contacts import normalize_contact
from promo.forms import UploadForm
from promo.reasons import reason, render
from promo.serializers import TypedAmountField


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
        # The usual formats of the participants' locales, and a sign typed along.
        ("2586.6", "2586.60"),
        ("2 586,60", "2586.60"),
        ("2\u00a0586,60", "2586.60"),
        ("2\u202f586,60", "2586.60"),
        ("2,586.60", "2586.60"),
        ("2.586,60", "2586.60"),
        ("2'586.60", "2586.60"),
        ("1,234,567.89", "1234567.89"),
        ("1.234.567,89", "1234567.89"),
        ("2 586,60 ₽", "2586.60"),
        ("2586 руб.", "2586.00"),
        ("₽2,586.60", "2586.60"),
        # One mark before exactly three digits groups them: money has no third decimal.
        ("2,586", "2586.00"),
        ("1.500", "1500.00"),
        # Under one unit: a leading 0 is a whole part, never the start of a group.
        ("0,5", "0.50"),
        ("0.12", "0.12"),
        ("0,99 ₽", "0.99"),
    ],
)
def test_parse_typed_amount(raw, expected):
    assert parse_typed_amount(raw) == Decimal(expected)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "invalid"),
        ("abc", "invalid"),
        ("0", "min_value"),
        ("-5", "min_value"),
        ("1.2.3", "invalid"),
        ("12.345.6", "invalid"),
        ("1,500,00", "invalid"),  # the decimal mark cannot also group
        ("12 34", "invalid"),  # groups are three digits
        ("1 2345", "invalid"),
        ("1234.567", "max_decimal_places"),
        # A group never starts with 0: these are decimals with one digit too many, not 125 (nor 12,345).
        ("0.125", "max_decimal_places"),
        ("0,125", "max_decimal_places"),
        ("0,125 ₽", "max_decimal_places"),
        ("00.125", "max_decimal_places"),
        ("012.345", "max_decimal_places"),
        ("0 125", "invalid"),
        ("0.125,50", "invalid"),
        ("0,125.50", "invalid"),
        ("NaN", "invalid"),
        ("Infinity", "invalid"),
        ("1e400", "invalid"),
        ("99999999999", "max_value"),  # not "greater than zero"
    ],
)
def test_parse_typed_amount_rejects(raw, code):
    with pytest.raises(ValidationError) as refused:
        parse_typed_amount(raw)
    assert refused.value.code == code


@pytest.mark.parametrize(
    ("language", "invalid", "too_big"),
    [
        ("ru", "например, 1\u00a0234,50", "не больше 9\u00a0999\u00a0999\u00a0999,99"),
        ("en", "e.g. 1,234.50", "at most 9,999,999,999.99"),
    ],
)
def test_refusals_give_an_example_in_the_readers_format(language, invalid, too_big):
    with translation.override(language):
        for raw, expected in (("12 34", invalid), ("99999999999", too_big)):
            with pytest.raises(ValidationError) as refused:
                parse_typed_amount(raw)
            assert expected in refused.value.messages[0]


@pytest.mark.parametrize(
    ("language", "currency", "expected"),
    [
        ("ru", "RUB", "2\u00a0586,60\u00a0₽"),
        ("en", "RUB", "₽2,586.60"),
        ("ru", "", "2\u00a0586,60"),
        ("en", "USD", "$2,586.60"),
        ("en", "CHF", "CHF\u00a02,586.60"),
    ],
)
def test_amounts_are_written_back_as_the_locale_writes_money(language, currency, expected):
    with translation.override(language):
        assert format_amount(Decimal("2586.6"), currency) == expected


@settings(max_examples=300, deadline=None)
@given(
    cents=st.integers(min_value=1, max_value=999_999_999_999),
    language=st.sampled_from(["ru", "en"]),
    currency=st.sampled_from(["", "RUB", "USD"]),
)
def test_what_is_written_back_reads_as_the_same_money(cents, language, currency):
    amount = Decimal(cents) / 100
    with translation.override(language):
        assert parse_typed_amount(format_amount(amount, currency)) == amount


@pytest.mark.parametrize("raw", ["0.125", "0,125"])
def test_the_page_and_the_api_refuse_a_zero_before_three_digits(raw):
    """Both read amounts through promo.amounts: neither takes `0.125` for 125."""
    form = UploadForm(data={"amount": raw})
    form.is_valid()
    assert [error.code for error in form.errors.as_data()["amount"]] == ["max_decimal_places"]
    with pytest.raises(drf_serializers.ValidationError) as refused:
        TypedAmountField().to_internal_value(raw)
    assert refused.value.get_codes() == ["max_decimal_places"]


def written_by_hand(amount: Decimal, group: str, decimal: str, short: bool) -> str:
    """`amount` as a person may type it: digits grouped by threes with `group` (or not at all), `decimal` before
    the cents; `short` drops what a person leaves out (`,00`, a trailing 0 of the cents)."""
    whole, cents = f"{amount:.2f}".split(".")
    groups = []
    while len(whole) > 3:
        whole, groups = whole[:-3], [whole[-3:], *groups]
    text = group.join([whole, *groups])
    if short:
        cents = cents.rstrip("0")
    return f"{text}{decimal}{cents}" if cents else text


@settings(max_examples=500, deadline=None)
@given(
    cents=st.one_of(
        st.integers(min_value=1, max_value=99), st.integers(min_value=1, max_value=999_999_999_999)
    ),
    marks=st.sampled_from(
        [
            (group, decimal)
            for group in ("", " ", "\u00a0", "\u202f", "'", ".", ",")
            for decimal in ".,"
            if group != decimal
        ]
    ),
    short=st.booleans(),
)
def test_any_usual_writing_of_an_amount_reads_as_the_same_money(cents, marks, short):
    """Whatever the marks, and with `0,5` for 50 kopecks: no writing is read as another amount (a thousand times
    more, or less)."""
    amount = Decimal(cents) / 100
    text = written_by_hand(amount, *marks, short)
    assert parse_typed_amount(text) == amount, text


@settings(max_examples=300, deadline=None)
@given(
    decimals=st.text(alphabet="0123456789", min_size=3, max_size=8),
    mark=st.sampled_from(".,"),
    sign=st.sampled_from(["", " ₽", "₽", " руб."]),
)
def test_a_zero_then_three_or_more_digits_is_refused_as_too_many_decimals(decimals, mark, sign):
    """`0.125` is never 125: a group does not start with 0, so these are decimals, one or more too many."""
    with pytest.raises(ValidationError) as refused:
        parse_typed_amount(f"0{mark}{decimals}{sign}")
    assert refused.value.code == "max_decimal_places"


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="0123456789 .,'-₽\u00a0", max_size=16))
def test_any_typing_is_an_amount_or_a_clear_refusal(text):
    try:
        amount = parse_typed_amount(text)
    except ValidationError as refused:
        assert refused.code in {"invalid", "min_value", "max_value", "max_decimal_places"}
    else:
        assert 0 < amount <= Decimal("9999999999.99") and amount == amount.quantize(Decimal("0.01"))


@pytest.mark.parametrize(
    ("language", "mismatch", "period"),
    [
        ("ru", "(1\u00a0499,00\u00a0₽) отличается от введённой вами (1\u00a0489,50\u00a0₽)", "21.11.2026"),
        (
            "en",
            "(₽1,499.00) differs from the amount you typed (₽1,489.50)",
            "21\xa0Nov\xa02026",
        ),  # not 11/21/2026
    ],
)
def test_reasons_write_amounts_and_dates_as_the_reader_does(language, mismatch, period):
    amounts = reason("amount_mismatch", read="1499.00", typed=Decimal("1489.50"))
    dated = reason("date_after_end", date="2026-11-21", ends="2026-11-20")
    card = reason("card_mismatch", read="4821", typed="1234")
    with translation.override(language):
        assert mismatch in render(amounts, "RUB")["message"]
        assert period in render(dated)["message"]
        assert "4821" in render(card, "RUB")["message"]  # a card tail is not money
