"""A person's acceptance meets the machine's guards: a moderator who approves a submission asserts that its photo
proves the typed purchase, and nothing more. Whether it is a copy of another, over the participant's limits, a
refund, or outside the campaign's rules is checked here, as the automatic decision checks it, on the fields the
moderator confirmed, under the same comparison lock (promo.locks): two moderators approving two copies of one
slip at once get one acceptance.

A failed guard refuses the acceptance with its reasons, unless a senior moderator overrides it with a written
justification; the override is recorded with the transition (its codes and the justification).
"""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import date, time
from decimal import Decimal
from typing import Any

from promo.checks import (
    check_date,
    check_min_amount,
    check_participant_limits,
    check_payment_system,
    check_refund,
    check_same_photo,
    check_same_slip,
)
from promo.decision import FAIL, CampaignRules, Candidate, CheckResult, Facts, FieldRead, strongest
from promo.decisions import facts_of
from promo.duplicates import comparison_keys
from promo.locks import comparison_lock
from promo.models import Recognition, Submission
from promo.transitions import TransitionNotAllowed, submission_transition
from recognition.serialize import json_value

Status = Submission.Status

# What a person's look does not replace: the checks about other submissions, the participant and the campaign's
# rules. The reading checks (document kind, legibility, amount, card) are what the moderator judged by eye.
GUARDS = (
    check_same_photo,
    check_refund,
    check_date,
    check_min_amount,
    check_payment_system,
    check_same_slip,
    check_participant_limits,
)

# The fields a moderator may confirm, as the Recognition columns hold them.
CONFIRMABLE = ("amount", "date", "time", "card_last4", "payment_system", "merchant")
_PARSE = {
    "amount": Decimal,
    "date": date.fromisoformat,
    "time": time.fromisoformat,
    "card_last4": str,
    "payment_system": str,
    "merchant": str,
}


class GuardFailed(Exception):
    """The acceptance was refused: these guards failed and nobody with the right overrode them."""

    def __init__(self, failures: list[CheckResult]):
        super().__init__(", ".join(failure.code for failure in failures))
        self.failures = failures


def failed_guards(facts: Facts, rules: CampaignRules) -> list[CheckResult]:
    """Every guard that fails (none gates another: a moderator must see all of them at once)."""
    return [result for result in (guard(facts, rules) for guard in GUARDS) if result.outcome == FAIL]


def confirmed_values(submission: Submission, corrections: dict[str, str]) -> dict[str, Any]:
    """What an acceptance asserts: the typed amount and card (the moderator saw them on the photo), unless a
    correction says otherwise, and every other corrected field; as the Recognition columns' types."""
    values: dict[str, Any] = {"amount": submission.typed_amount, "card_last4": submission.typed_card_last4}
    for name, value in corrections.items():
        if name in _PARSE and value not in (None, ""):
            values[name] = _PARSE[name](value)
    return values


def recognition_confirmed(
    submission: Submission, recognition: Recognition | None, values: dict[str, Any]
) -> Recognition:
    """An unsaved copy of the reading with the confirmed values as sure as they get (a person read them): the
    duplicate search and the comparison keys then look for the slip the moderator saw, not a misreading of it."""
    if recognition is None:  # never read (recognition failed): the person's reading is all there is
        confirmed = Recognition(
            submission=submission, campaign_id=submission.campaign_id, engine="moderator", kind="", fields={}
        )
    else:
        confirmed = copy.copy(recognition)
        confirmed.fields = dict(recognition.fields)
    for name, value in values.items():
        setattr(confirmed, name, value)
        sure = {"value": json_value(value), "confidence": 1.0}
        confirmed.fields[name] = {**sure, "candidates": [sure], "rules": ["confirmed_by_moderator"]}
    return confirmed


def _sure(value: Any) -> FieldRead:
    return FieldRead((Candidate(value, 1.0),))


def acceptance_facts(*, submission: Submission, recognition: Recognition, values: dict[str, Any]) -> Facts:
    """The automatic decision's facts (promo.decisions.facts_of: duplicates, limits, refund lines), with the
    fields the moderator confirmed read for sure. Runs under the comparison lock."""
    facts = facts_of(submission=submission, recognition=recognition)
    # Another copy still waiting for a person is no original yet: whichever a moderator accepts first wins, and
    # the other then meets this one, accepted.
    others = {match.submission_id for match in facts.duplicates}
    waiting = {
        str(pk)
        for pk in Submission.objects.filter(pk__in=others, status=Status.MODERATION).values_list(
            "pk", flat=True
        )
    }
    facts = replace(facts, duplicates=tuple(m for m in facts.duplicates if m.submission_id not in waiting))
    confirmed = {
        name: _sure(values[name])
        for name in ("amount", "card_last4", "date", "payment_system")
        if name in values
    }
    return replace(facts, **confirmed)


def submission_accept_by_person(
    *,
    submission: Submission,
    user: Any,
    reasons: list[dict[str, Any]],
    corrections: dict[str, str] | None = None,
    note: str = "",
    justification: str = "",
) -> Submission:
    """Accepts a submission a person checked, through the guards (see the module's docstring).

    `justification` (a senior moderator's written reason) accepts over failed guards; without it a failure
    raises GuardFailed and nothing changes. The confirmed values are written to the reading's columns, so later
    uploads are compared with what the moderator saw. TransitionNotAllowed when the submission moved meanwhile.
    """
    try:
        recognition: Recognition | None = submission.recognition
    except Recognition.DoesNotExist:
        recognition = None
    values = confirmed_values(submission, corrections or {})
    confirmed = recognition_confirmed(submission, recognition, values)
    rules = submission.campaign.rules()
    with comparison_lock(comparison_keys(submission, confirmed)):
        current = (
            Submission.objects.select_for_update().filter(pk=submission.pk).values_list("status", flat=True)
        )
        if current.first() != submission.status:
            raise TransitionNotAllowed(f"submission {submission.pk} is no longer {submission.status} as read")
        facts = acceptance_facts(submission=submission, recognition=confirmed, values=values)
        failures = failed_guards(facts, rules)
        if failures and not justification.strip():
            raise GuardFailed(failures)
        if recognition is not None:
            Recognition.objects.filter(pk=recognition.pk).update(**values)
        else:  # what the moderator read is what later copies of this slip are compared with
            confirmed.save(force_insert=True)
        match = strongest(facts.duplicates)
        overridden = [failure.code for failure in failures]
        return submission_transition(
            submission=submission,
            to=Status.ACCEPTED,
            actor=user.get_username(),
            user=user,
            note="\n".join(part for part in (note, justification.strip()) if part),
            reasons=reasons,
            overridden=overridden,
            changes={
                "duplicate_of_id": match.submission_id if match and overridden else submission.duplicate_of_id
            },
        )
