"""The state machine's only writer: every move of a submission is one conditional UPDATE plus its audit line."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from promo.models import StatusTransition, Submission
from promo.signals import submission_moved

Status = Submission.Status
# Where only the machine moves a submission, and what it may decide from there.
MACHINE_STATES = frozenset({Status.RECEIVED, Status.PROCESSING})
AUTOMATIC_OUTCOMES = frozenset({Status.ACCEPTED, Status.REJECTED, Status.MODERATION})


def codes_column(reasons: list[dict[str, Any]]) -> str:
    """`Submission.reason_codes`: each code between spaces, so `LIKE '% code %'` finds exactly that code."""
    return f" {' '.join(dict.fromkeys(r['code'] for r in reasons))} " if reasons else ""


class TransitionNotAllowed(Exception):
    """A submission was asked to move along an edge its state machine does not have (or someone moved it first)."""


def submission_transition(
    *,
    submission: Submission,
    to: str,
    actor: str,
    user: Any = None,
    note: str = "",
    reasons: list[dict[str, Any]] | None = None,
    only_if: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
    overridden: list[str] | None = None,
) -> Submission:
    """Moves a submission along its state machine, atomically and only from the state it was read in.

    `only_if` adds conditions to the UPDATE (a worker's claim token: fencing), `changes` more columns to write
    with the move. Either the row moves and its transition is recorded, or TransitionNotAllowed: never half.
    """
    if not submission.can_move_to(to):
        raise TransitionNotAllowed(f"{submission.status} -> {to} is not allowed")
    now = timezone.now()
    values: dict[str, Any] = {"status": to, "updated_at": now, **(changes or {})}
    # Moderation counts as a decision for the upload-to-decision time (the machine answered: a person will look);
    # the queue waits from `waiting_since`.
    if to in Submission.FINAL:
        values.update(decided_at=now, decided_by=user, waiting_since=None)
    if to == Status.MODERATION:
        values.update(decided_at=now, decided_by=None, waiting_since=now)
    if submission.status in MACHINE_STATES and to in AUTOMATIC_OUTCOMES:
        # The machine decides once (nothing returns to processing from a decision); a person's later word is
        # `decided_by`, so the reports tell automatic decisions from overturns.
        values.update(auto_outcome=to, auto_decided_at=now)
    if submission.status == Status.MODERATION and to in Submission.FINAL and submission.waiting_since:
        values["moderation_wait"] = now - submission.waiting_since
    if to != Status.PROCESSING:  # a claim lives only while processing
        values.update(claim_token=None, claim_expires_at=None)
    if reasons is not None:
        values["reasons"] = reasons
        values["reason_codes"] = codes_column(reasons)
    with transaction.atomic():
        rows = Submission.objects.filter(pk=submission.pk, status=submission.status, **(only_if or {}))
        if not rows.update(**values):
            raise TransitionNotAllowed(f"submission {submission.pk} is no longer {submission.status} as read")
        StatusTransition.objects.create(
            submission=submission,
            from_status=submission.status,
            to_status=to,
            actor=actor,
            user=user,
            note=note,
            overridden=overridden or [],
            created_at=now,
        )
        moved_from = submission.status
        written = {name: value for name, value in values.items() if not hasattr(value, "resolve_expression")}
        before = {
            name: getattr(submission, name) for name in written
        }  # an F() expression: re-read by the caller
        for name, value in written.items():
            setattr(submission, name, value)
        try:  # receivers see the moved submission, and write in this transaction
            submission_moved.send(
                sender=Submission,
                submission=submission,
                from_status=moved_from,
                to_status=to,
                actor=actor,
                user=user,
            )
        except BaseException:  # rolled back: the object says what the row says
            for name, value in before.items():
                setattr(submission, name, value)
            raise
    return submission
