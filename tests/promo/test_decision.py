from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from promo.checks import CHECKS, run_checks
from promo.decision import (
    DEFAULT_POLICY,
    CampaignRules,
    Candidate,
    DuplicateMatch,
    Facts,
    FieldRead,
    decide,
)
from promo.reasons import MESSAGES, reason, render

RULES = CampaignRules(starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 30), min_amount=Decimal("100"))
GOOD = Facts(
    typed_amount=Decimal("1234.50"),
    typed_card_last4="4821",
    today=date(2026, 11, 25),
    kind="slip",
    amount=FieldRead.of(Decimal("1234.50")),
    card_last4=FieldRead.of("4821"),
    date=FieldRead.of(date(2026, 11, 21)),
    payment_system=FieldRead.of("VISA"),
)


def run(facts: Facts = GOOD, rules: CampaignRules = RULES):
    decision = decide(run_checks(facts, rules), rules)
    return decision.status, [r["code"] for r in decision.reasons]


def with_(**changes) -> Facts:
    return replace(GOOD, **changes)


def test_matching_slip_in_period_is_accepted():
    assert run() == ("accepted", ["slip_matches"])


@pytest.mark.parametrize(
    ("facts", "codes"),
    [
        (with_(kind="other"), ["not_a_slip"]),
        (with_(kind="receipt"), ["receipt_not_slip"]),
        (with_(kind="other", photo_too_blurred=True), ["photo_unreadable"]),
        (with_(amount=FieldRead(), photo_too_dark=True), ["photo_unreadable"]),
        (with_(typed_amount=Decimal("1234.00")), ["amount_mismatch"]),
        (with_(typed_card_last4="1111"), ["card_mismatch"]),
        (with_(date=FieldRead.of(date(2026, 10, 31))), ["date_before_start"]),
        (with_(date=FieldRead.of(date(2026, 12, 1)), today=date(2026, 12, 5)), ["date_after_end"]),
        (with_(date=FieldRead.of(date(2026, 11, 26))), ["date_in_future"]),
        (with_(amount=FieldRead.of(Decimal("99.99")), typed_amount=Decimal("99.99")), ["below_min_amount"]),
        (with_(duplicates=(DuplicateMatch("file", "earlier"),)), ["duplicate_photo"]),
        (with_(duplicates=(DuplicateMatch("photo", "earlier"),)), ["duplicate_photo"]),
        (with_(duplicates=(DuplicateMatch("slip", "earlier"),)), ["duplicate_slip"]),
    ],
)
def test_plain_failures_are_rejected_with_their_reason(facts, codes):
    assert run(facts) == ("rejected", codes)


@pytest.mark.parametrize(
    ("facts", "codes"),
    [
        (with_(amount=FieldRead()), ["amount_unread"]),
        (with_(card_last4=FieldRead()), ["card_unread"]),
        (with_(date=FieldRead()), ["date_unread"]),
        (with_(amount=FieldRead.of(Decimal("1234.50"), 0.3)), ["low_confidence"]),
        (with_(amount=FieldRead.of(Decimal("1234.00"), 0.3)), ["low_confidence"]),
        # One engine read what was typed, the other something else.
        (with_(amount=FieldRead.of(Decimal("1284.50"), 0.9, Decimal("1234.50"))), ["low_confidence"]),
        (with_(card_last4=FieldRead.of("4821", 0.4)), ["low_confidence"]),
        (
            with_(amount=FieldRead(), card_last4=FieldRead(), date=FieldRead()),
            ["amount_unread", "card_unread", "date_unread"],
        ),
        (with_(full_card_number=True), ["full_card_number"]),
        # A redaction goes to a person even when something else would reject.
        (with_(full_card_number=True, kind="other"), ["full_card_number", "not_a_slip"]),
    ],
)
def test_doubts_go_to_moderation_with_every_reason(facts, codes):
    assert run(facts) == ("moderation", codes)


def test_six_eight_repair_only_where_the_engines_disagreed():
    unsure_six = FieldRead((Candidate(Decimal("166.00"), 0.7, unsure=(1,)),))
    assert run(with_(amount=unsure_six, typed_amount=Decimal("186.00")))[0] == "accepted"
    clear_six = FieldRead.of(Decimal("166.00"), 0.95)
    assert run(with_(amount=clear_six, typed_amount=Decimal("188.00"))) == ("rejected", ["amount_mismatch"])
    # The unsure digit was the second 6, not the one typed differently.
    assert run(with_(amount=unsure_six, typed_amount=Decimal("168.00"))) == ("rejected", ["amount_mismatch"])


def test_a_us_style_date_with_a_reading_inside_the_period_goes_to_a_person():
    swapped = FieldRead((Candidate(date(2026, 12, 11), 0.9), Candidate(date(2026, 11, 12), 0.4)))
    assert run(with_(date=swapped, today=date(2026, 12, 20))) == ("moderation", ["low_confidence"])


def test_a_day_month_ambiguous_date_passes_or_fails_when_both_readings_agree():
    def ambiguous(first, second):
        return FieldRead((Candidate(first, 0.45), Candidate(second, 0.3)))

    both_inside = ambiguous(date(2026, 11, 6), date(2026, 6, 11))
    assert run(with_(date=both_inside), replace(RULES, starts_on=date(2026, 6, 1)))[0] == "accepted"
    assert run(with_(date=both_inside)) == ("moderation", ["low_confidence"])  # 11 June is before the start
    both_before = ambiguous(date(2026, 5, 6), date(2026, 6, 5))
    assert run(with_(date=both_before)) == ("rejected", ["date_before_start"])
    unrelated = FieldRead((Candidate(date(2026, 11, 6), 0.45), Candidate(date(2026, 11, 7), 0.3)))
    assert run(with_(date=unrelated)) == ("moderation", ["low_confidence"])


def test_period_bounds_are_inclusive_and_today_is_not_the_future():
    assert run(with_(date=FieldRead.of(date(2026, 11, 1))))[0] == "accepted"
    assert run(with_(date=FieldRead.of(date(2026, 11, 30)), today=date(2026, 11, 30)))[0] == "accepted"


def test_payment_system_rules_apply_only_when_the_campaign_has_them():
    visa_only = replace(RULES, payment_systems=("VISA",))
    assert run(rules=visa_only)[0] == "accepted"
    assert run(with_(payment_system=FieldRead.of("MIR")), visa_only) == (
        "rejected",
        ["payment_system_not_allowed"],
    )
    assert run(with_(payment_system=FieldRead()), visa_only) == ("moderation", ["payment_system_unread"])
    assert run(with_(payment_system=FieldRead()))[0] == "accepted"


def test_participant_limits_count_accepted_slips():
    limited = replace(RULES, max_accepted_per_day=2, max_accepted_per_campaign=5)
    assert run(with_(accepted_today=1, accepted_in_campaign=4), limited)[0] == "accepted"
    assert run(with_(accepted_today=2, accepted_in_campaign=2), limited) == ("rejected", ["limit_per_day"])
    assert run(with_(accepted_today=0, accepted_in_campaign=5), limited) == (
        "rejected",
        ["limit_per_campaign"],
    )


def test_a_campaign_may_send_a_failure_to_moderation_instead():
    lenient = replace(RULES, policy=(("amount_mismatch", "moderation"),))
    assert run(with_(typed_amount=Decimal("1234.00")), lenient) == ("moderation", ["amount_mismatch"])


def test_the_operating_point_moves_with_the_campaigns_confidence_threshold():
    facts = with_(amount=FieldRead.of(Decimal("1234.50"), 0.7))
    assert run(facts)[0] == "accepted"
    assert run(facts, replace(RULES, min_confidence=0.8)) == ("moderation", ["low_confidence"])


def test_every_check_is_recorded_and_a_failed_gate_skips_the_rest():
    decision = decide(run_checks(with_(kind="other"), RULES), RULES)
    assert [c["check"] for c in decision.checks] == [
        check.__name__.removeprefix("check_") for check, _ in CHECKS
    ]
    outcomes = {c["check"]: c["outcome"] for c in decision.checks}
    assert outcomes["document_kind"] == "fail"
    assert outcomes["amount"] == outcomes["participant_limits"] == "skipped"
    amount = next(c for c in decide(run_checks(GOOD, RULES), RULES).checks if c["check"] == "amount")
    assert amount["outcome"] == "pass" and amount["evidence"]["typed"] == "1234.50"


def test_every_failure_has_a_default_action_and_a_message():
    assert set(DEFAULT_POLICY) <= set(MESSAGES)


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_reason_speaks_russian_and_english(code):
    stored = reason(code, read="1", typed="2", amount="1", minimum="2", date="2026-01-01", starts="a", ends="b",
                    system="MIR", allowed="VISA", note="n", field="amount", limit="3")  # fmt: skip
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


LOOK_ALIKE = DuplicateMatch("photo", "a", {"distance": 3}, certain=False)


@pytest.mark.parametrize(
    ("duplicates", "expected"),
    [
        ((LOOK_ALIKE,), ("moderation", ["possible_duplicate_photo"])),  # the picture alone never rejects
        ((LOOK_ALIKE, DuplicateMatch("file", "b")), ("rejected", ["duplicate_photo"])),  # certain wins
        ((LOOK_ALIKE, DuplicateMatch("slip", "c")), ("rejected", ["duplicate_slip"])),
    ],
)
def test_a_look_alike_photo_asks_a_person_and_a_certain_copy_rejects(duplicates, expected):
    assert run(with_(duplicates=duplicates)) == expected
