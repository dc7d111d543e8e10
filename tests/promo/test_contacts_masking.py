"""Contacts in free text (a moderator's note, a merchant line) are masked as a participant's contact is; what only
looks like digits in a row (amounts, dates, RRNs, card tails) is left alone."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.utils import formats, translation
from hypothesis import given
from hypothesis import strategies as st

from promo.contacts import mask_contacts, masked_contact


@pytest.mark.parametrize(
    ("contact", "masked"),
    [
        ("+79991234567", "+7******4567"),
        ("+442071234567", "+4*******4567"),
        ("alice@example.com", "a***@example.com"),
        ("a@example.com", "a***@example.com"),
    ],
)
def test_a_contact_is_masked(contact, masked):
    assert masked_contact(contact) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (
            "писал с ivan.petrov@mail.ru, тел. +7 916 123-45-67",
            "писал с i***@mail.ru, тел. +7******4567",
        ),
        # Russian numbers, as people write them.
        ("+79161234567", "+7******4567"),
        ("+7 (916) 123-45-67", "+7******4567"),
        ("+7-916-123-45-67", "+7******4567"),
        ("8 (916) 123-45-67", "+7******4567"),
        ("8-916-123-45-67", "+7******4567"),
        ("89161234567", "+7******4567"),
        ("8 916 1234567", "+7******4567"),
        ("79161234567", "+7******4567"),
        ("(916) 123-45-67", "+7******4567"),
        ("916 123 45 67", "+7******4567"),
        ("тел:9161234567.", "тел:+7******4567."),
        ("тел+79161234567", "тел+7******4567"),
        ("8\u00a0916\u00a0123\u00a045\u00a067", "+7******4567"),
        # International ones.
        ("+44 20 7123 4567", "+4*******4567"),
        ("+1 (555) 123-4567", "+1******4567"),
        ("+49 30 12345678", "+4*******5678"),
        ("+33 6 12 34 56 78", "+3******5678"),
        ("+380 44 123 4567", "+3*******4567"),
        ("+971501234567", "+9*******4567"),
        # Two in one note; a number beside a phone is not taken in.
        ("8-916-123-45-67 или 8 903 765 43 21", "+7******4567 или +7******4321"),
        ("+7 916 123 45 67 2 раза", "+7******4567 2 раза"),
        ("+44 20 7123 4567 12.10.2026", "+4*******4567 12.10.2026"),
        # E-mails.
        ("Maria.Petrova+promo@Example.co.uk!", "M***@Example.co.uk!"),
        ("почта: иван@почта.рф", "почта: и***@почта.рф"),
    ],
)
def test_contacts_in_text_are_masked(text, masked):
    assert mask_contacts(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "сумма 1 234,50 ₽, на чеке 1234.50",
        "amount 1,234,567.89 and 12 345 678,90",
        "+1 234 567,00",  # a signed amount, not a number to call
        "от 05.10.2026 14:03, 2026-10-05, 10/05/2026",
        "RRN 612345678901, RRN 812345678901, RRN 912345678901",
        "код авторизации 123456, терминал 12345678",
        "карта **** 0025, ************1234, *0025, 427600******1234",
        "ИНН 7701234567",
        "@SUM(1+1)",
        "user@localhost",
        "чек №8 916",
    ],
)
def test_what_is_no_contact_is_left_alone(text):
    assert mask_contacts(text) == text


_GAPS = st.sampled_from(["", " ", "-", "\u00a0"])


@st.composite
def russian_phones(draw) -> tuple[str, str]:
    """(a Russian mobile number as someone might write it, its digits after +7)."""
    digits = "9" + "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=9, max_size=9)))
    prefix = draw(st.sampled_from(["+7", "8", "7", ""]))
    area = digits[:3]
    if draw(st.booleans()):
        area = f"({area})"
    gap = draw(_GAPS)
    last = draw(st.sampled_from([f"{digits[6:8]}{gap}{digits[8:]}", digits[6:]]))
    lead = f"{prefix}{draw(_GAPS)}" if prefix else ""
    return f"{lead}{area}{gap}{digits[3:6]}{gap}{last}", digits


_WORDS = st.sampled_from(["тел.", "звонил с", "phone:", "номер", "(", "—", "и", "call"])


@given(russian_phones(), _WORDS, _WORDS)
def test_any_written_russian_number_is_masked_to_its_last_four(phone, before, after):
    written, digits = phone
    masked = mask_contacts(f"{before} {written} {after}")
    assert masked == f"{before} +7******{digits[-4:]} {after}"
    assert digits[:6] not in re.sub(r"\D", "", masked)


@given(
    st.decimals(min_value=0, max_value=Decimal("99999999.99"), places=2, allow_nan=False),
    st.sampled_from(["ru", "en"]),
    st.booleans(),
)
def test_amounts_in_any_format_are_left_alone(amount, language, grouping):
    with translation.override(language):
        written = formats.number_format(amount, decimal_pos=2, force_grouping=grouping)
    text = f"сумма {written} ₽"
    assert mask_contacts(text) == text


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)), st.sampled_from(["%d.%m.%Y", "%Y-%m-%d", "%d/%m/%y", "%d.%m.%Y %H:%M"]))  # fmt: skip
def test_dates_are_left_alone(day, pattern):
    text = f"чек от {day.strftime(pattern)} 14:03"
    assert mask_contacts(text) == text


@given(
    st.text("0123456789", min_size=12, max_size=12),
    st.text("0123456789", min_size=4, max_size=4),
    st.text("0123456789", min_size=6, max_size=6),
)
def test_rrns_card_tails_and_auth_codes_are_left_alone(rrn, last4, auth):
    text = f"RRN {rrn} карта **** {last4} *{last4} код {auth}"
    assert mask_contacts(text) == text
