"""Decisions by people."""

from typing import Any

from promo.models import Submission
from promo.reasons import reason
from promo.transitions import submission_transition


def moderation_resolve(*, submission: Submission, accept: bool, moderator: Any, note: str = "") -> Submission:
    """A moderator's verdict on a submission in the queue; the automatic reasons stay for the record."""
    verdict = reason("moderator_accepted") if accept else reason("moderator_rejected", note=note or "—")
    return submission_transition(
        submission=submission,
        to=Submission.Status.ACCEPTED if accept else Submission.Status.REJECTED,
        actor=moderator.get_username(),
        user=moderator,
        note=note,
        reasons=[verdict, *(r for r in submission.reasons if r["code"] != "slip_matches")],
    )
