"""The reasons a participant reads are those of the submission's current state (promo.reasons.reasons_of_state),
each with what to do next (promo.next_steps). Pure rules: no database."""

from datetime import date
from decimal import Decimal
from itertools import permutations
from types import SimpleNamespace

import pytest
from django.utils import translation

from promo.decision import DEFAULT_POLICY
from promo.models import Submission
from promo.next_steps import BY_REASON, reason_next_step, status_next_step
from promo.reasons import (
    EXPLAINS,
    MESSAGES,
    by_a_person,
    participant_reasons,
    reasons_of_state,
)

Status = Submission.Status
FINAL = ("accepted", "rejected", "revoked")


def r(code: str, **details) -> dict:
    return {"code": code, "details": {key: str(value) for key, value in details.items()}}


def codes(stored: list[dict]) -> list[str]:
    return [reason["code"] for reason in stored]


# What the services store (their first reason is the act that moved the submission there; the rest the record).
# status, stored, shown
TABLE = [
    # the machine's decisions
    ("accepted", [r("slip_matches")], ["slip_matches"]),
    ("rejected", [r("amount_mismatch"), r("card_mismatch")], ["amount_mismatch", "card_mismatch"]),
    ("rejected", [r("duplicate_slip")], ["duplicate_slip"]),
    ("moderation", [r("low_confidence", field="amount"), r("card_unread")], ["low_confidence", "card_unread"]),
    # a failure the campaign sends to a person waits with the doubts
    ("moderation", [r("full_card_number"), r("amount_mismatch")], ["full_card_number", "amount_mismatch"]),
    ("moderation", [r("recognition_failed")], ["recognition_failed"]),
    # a campaign rejecting a future date (a doubt by default) refuses with it
    ("rejected", [r("date_in_future", date="2027-01-01")], ["date_in_future"]),
    # a person's verdict: theirs alone, the machine's doubts stay the record
    ("accepted", [r("moderator_accepted"), r("low_confidence"), r("card_unread")], ["moderator_accepted"]),
    ("rejected", [r("moderator_unreadable"), r("low_confidence"), r("recognition_failed")], ["moderator_unreadable"]),
    ("rejected", [r("moderator_rejected", note="torn"), r("possible_duplicate_slip")], ["moderator_rejected"]),
    ("rejected", [r("better_photo_needed"), r("date_unread")], ["better_photo_needed"]),
    ("revoked", [r("moderator_revoked", note="fraud"), r("moderator_accepted"), r("low_confidence")], ["moderator_revoked"]),
    # the participant's appeal, then a person's answer to it
    ("moderation", [r("appealed"), r("amount_mismatch")], ["appealed"]),
    ("accepted", [r("moderator_accepted"), r("amount_mismatch")], ["moderator_accepted"]),
    ("rejected", [r("moderator_amount_differs"), r("amount_mismatch")], ["moderator_amount_differs"]),
    # reopened: the earlier verdict is the record
    ("moderation", [r("moderator_reopened"), r("moderator_accepted"), r("low_confidence")], ["moderator_reopened"]),
    ("moderation", [r("moderator_reopened"), r("moderator_revoked", note="x")], ["moderator_reopened"]),
    # stored wrongly or long ago: a reason of another state is never said
    ("accepted", [r("low_confidence"), r("card_unread")], []),
    ("accepted", [r("appealed"), r("slip_matches")], ["slip_matches"]),
    ("rejected", [r("slip_matches"), r("possible_duplicate_photo"), r("amount_mismatch")], ["amount_mismatch"]),
    ("revoked", [r("slip_matches")], []),
    # back to be read again after a failed attempt: nothing decided yet
    ("received", [r("low_confidence")], []),
    ("processing", [r("amount_mismatch")], []),
]  # fmt: skip


@pytest.mark.parametrize(("status", "stored", "shown"), TABLE)
def test_the_reasons_of_the_current_state(status, stored, shown):
    assert codes(reasons_of_state(status, stored)) == shown


# One representative of each origin: the machine's pass, failure and doubt; a person's acceptance, rejection,
# request, revocation and reopening; the participant's appeal.
ORIGINS = {
    "machine pass": r("slip_matches"),
    "machine failure": r("amount_mismatch", read="1.00", typed="2.00"),
    "machine doubt": r("low_confidence", field="card_last4"),
    "person accepts": r("moderator_accepted"),
    "person rejects": r("moderator_unreadable"),
    "person asks": r("better_photo_needed", note="flat, please"),
    "person revokes": r("moderator_revoked", note="fraud"),
    "person reopens": r("moderator_reopened"),
    "participant appeals": r("appealed"),
}
EXPECTED_BY_ORIGIN = {
    # status: the origins that explain it, in the order a person's word wins over the machine's
    "received": [],
    "processing": [],
    "accepted": ["person accepts", "machine pass"],
    "rejected": ["person rejects", "person asks", "machine failure"],
    "revoked": ["person revokes"],
    "moderation": ["person reopens", "participant appeals", "machine failure", "machine doubt"],
}


@pytest.mark.parametrize("status", [s.value for s in Status])
@pytest.mark.parametrize("origin", list(ORIGINS))
def test_every_status_and_origin(status, origin):
    """Alone, a reason is shown exactly when its origin explains the state; under a person's act of the state it
    is the record, not the message."""
    explains = origin in EXPECTED_BY_ORIGIN[status]
    assert codes(reasons_of_state(status, [ORIGINS[origin]])) == (
        [ORIGINS[origin]["code"]] if explains else []
    )
    for act in EXPECTED_BY_ORIGIN[status]:
        if act.startswith(("person", "participant")) and act != origin:
            shown = reasons_of_state(status, [ORIGINS[act], ORIGINS[origin]])
            assert codes(shown) == [ORIGINS[act]["code"]], (act, origin)


@pytest.mark.parametrize("status", [s.value for s in Status])
def test_whatever_the_order_only_the_state_speaks(status):
    for stored in permutations(ORIGINS.values(), 4):
        shown = codes(reasons_of_state(status, list(stored)))
        assert set(shown) <= EXPLAINS[status]
        assert len([code for code in shown if by_a_person(code)]) <= 1
        if any(by_a_person(code) for code in shown):
            assert len(shown) == 1  # a person's word alone


def test_every_reason_explains_some_state_and_every_rejecting_failure_a_rejection():
    explained = set().union(*EXPLAINS.values())
    assert set(MESSAGES) <= explained
    assert set(DEFAULT_POLICY) <= EXPLAINS["rejected"]  # a campaign may reject on any of them
    assert not EXPLAINS["accepted"] & EXPLAINS["rejected"]


def submission(status: str, stored: list[dict], currency: str = "RUB"):
    campaign = SimpleNamespace(
        currency=currency, starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 31), min_amount=Decimal("500")
    )
    return SimpleNamespace(status=status, reasons=stored, campaign=campaign)


PROMISES = ("will check", "will look", "will compare", "is checking")


@pytest.mark.parametrize("status", FINAL)
def test_a_decision_never_promises_a_look_to_come(status):
    everything = [r(code, date="2027-01-01", note="n", field="amount", limit=1) for code in MESSAGES]
    with translation.override("en"):
        for stored in (everything, everything[::-1]):
            for reason in participant_reasons(submission(status, stored)):
                assert not any(words in reason["message"] for words in PROMISES), reason


def test_a_future_date_refused_by_the_campaign_reads_as_a_refusal():
    stored = [r("date_in_future", date="2027-01-05")]
    with translation.override("en"):
        (rejected,) = participant_reasons(submission("rejected", stored))
        (waiting,) = participant_reasons(submission("moderation", stored))
    assert (
        rejected["message"]
        == "The slip is dated 5\xa0Jan\xa02027, which is in the future, so it cannot take part."
    )
    assert "a moderator will check the date" in waiting["message"]


@pytest.mark.parametrize(
    ("language", "code", "said"),
    [
        ("en", "date_before_start", "Only slips dated from 1\xa0Oct\xa02026 to 31\xa0Oct\xa02026 take part"),
        ("en", "moderator_outside_period", "Only slips dated from 1\xa0Oct\xa02026 to 31\xa0Oct\xa02026 take part"),
        ("en", "below_min_amount", "Only purchases of ₽500.00 or more take part."),
        ("en", "duplicate_slip", "Each slip takes part once: upload the slip of another purchase."),
        ("en", "amount_mismatch", "upload the slip again with the amount printed on it"),
        ("ru", "date_after_end", "01.10.2026"),
        ("ru", "below_min_amount", "500,00\xa0₽"),
    ],
)  # fmt: skip
def test_next_steps_name_the_campaigns_own_dates_and_minimum(language, code, said):
    campaign = submission("rejected", []).campaign
    with translation.override(language):
        assert said in reason_next_step(code, campaign)


def test_a_reason_whose_message_says_what_to_do_has_no_second_step():
    for code in (
        "photo_unreadable",
        "moderator_unreadable",
        "limit_per_day",
        "better_photo_needed",
        "not_a_slip",
    ):
        assert code not in BY_REASON
        assert reason_next_step(code, submission("rejected", []).campaign) == ""


def test_the_state_says_what_to_do_while_waiting_and_once_accepted():
    with translation.override("en"):
        assert "keep the paper slip until the draw" in status_next_step("accepted")
        assert status_next_step("moderation").startswith("Nothing to do meanwhile")
        assert status_next_step("rejected") == ""
