from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from promo.decision import CampaignRules, ReadFields, decide
from promo.reasons import MESSAGES, reason, render

RULES = CampaignRules(starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 30), min_amount=Decimal("100"))
GOOD = ReadFields(
    kind="slip",
    amount=Decimal("1234.50"),
    amount_confidence=0.95,
    card_last4="4821",
    card_confidence=0.95,
    date=date(2026, 11, 21),
    date_confidence=0.95,
    payment_system="VISA",
    payment_system_confidence=0.95,
)


def run(read: ReadFields = GOOD, rules: CampaignRules = RULES, amount="1234.50", card="4821"):
    decision = decide(rules=rules, typed_amount=Decimal(amount), typed_card_last4=card, read=read)
    return decision.status, [r["code"] for r in decision.reasons]


def with_(**changes) -> ReadFields:
    return ReadFields(**{**GOOD.__dict__, **changes})


def test_matching_slip_in_period_is_accepted():
    assert run() == ("accepted", ["slip_matches"])


def test_no_document_is_rejected_outright():
    assert run(ReadFields(kind="other")) == ("rejected", ["not_a_slip"])


@pytest.mark.parametrize(
    ("read", "typed", "codes"),
    [
        (GOOD, {"amount": "1234.00"}, ["amount_mismatch"]),
        (GOOD, {"card": "1111"}, ["card_mismatch"]),
        (with_(amount=None), {}, ["amount_unread"]),
        (with_(card_last4=None), {}, ["card_unread"]),
        (with_(date=None), {}, ["date_unread"]),
        (with_(date=date(2026, 10, 31)), {}, ["date_outside_period"]),
        (with_(date=date(2026, 12, 1)), {}, ["date_outside_period"]),
        (with_(amount=Decimal("99.99")), {"amount": "99.99"}, ["below_min_amount"]),
        (with_(amount_confidence=0.3), {}, ["low_confidence"]),
        (with_(kind="receipt"), {}, ["receipt_not_slip"]),
        (with_(amount=None, card_last4=None, date=None), {}, ["amount_unread", "card_unread", "date_unread"]),
    ],
)
def test_everything_else_goes_to_moderation_with_its_reasons(read, typed, codes):
    assert run(read, **typed) == ("moderation", codes)


def test_period_bounds_are_inclusive():
    assert run(with_(date=date(2026, 11, 1)))[0] == "accepted"
    assert run(with_(date=date(2026, 11, 30)))[0] == "accepted"


def test_payment_system_rules_apply_only_when_the_campaign_has_them():
    visa_only = CampaignRules(starts_on=RULES.starts_on, ends_on=RULES.ends_on, payment_systems=("VISA",))
    assert run(rules=visa_only)[0] == "accepted"
    assert run(with_(payment_system="MIR"), rules=visa_only) == ("moderation", ["payment_system_not_allowed"])
    assert run(with_(payment_system=None), rules=visa_only) == ("moderation", ["payment_system_unread"])
    assert run(with_(payment_system=None))[0] == "accepted"


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_reason_speaks_russian_and_english(code):
    stored = reason(code, read="1", typed="2", amount="1", minimum="2", date="2026-01-01", starts="a", ends="b",
                    system="MIR", allowed="VISA", note="n", field="amount")  # fmt: skip
    with translation.override("en"):
        english = render(stored)["message"]
    with translation.override("ru"):
        russian = render(stored)["message"]
    assert english and russian and english != russian
    assert "%(" not in english and "%(" not in russian
    assert any("а" <= ch <= "я" for ch in russian.lower())


def test_unknown_reason_code_is_refused():
    with pytest.raises(KeyError):
        reason("looks_fine_to_me")
