"""A participant may ask, once per submission, for a person to look at an automatic rejection."""

from __future__ import annotations

from django.utils import timezone

from promo.models import Submission
from promo.reasons import reason
from promo.transitions import TransitionNotAllowed, submission_transition

Status = Submission.Status
# Rejections a person's look cannot change: the same photo or slip already counts, or a limit is reached (a
# moderator's acceptance would meet the same guards, promo.acceptance).
NOT_APPEALABLE = frozenset({"duplicate_photo", "duplicate_slip", "limit_per_day", "limit_per_campaign"})


class AppealNotAllowed(Exception):
    """Not a rejection by the machine, already asked for, or a reason a person cannot change."""


def can_appeal(submission: Submission) -> bool:
    """An automatic rejection (no moderator decided it), not asked about before, for a reason a look can change."""
    codes = {r["code"] for r in submission.reasons}
    return (
        submission.status == Status.REJECTED
        and submission.decided_by_id is None
        and submission.appealed_at is None
        and not codes & NOT_APPEALABLE
        and not any(code.startswith("moderator_") or code == "better_photo_needed" for code in codes)
    )


def submission_appeal(*, submission: Submission) -> Submission:
    """Sends an automatic rejection to the moderation queue, once; AppealNotAllowed otherwise."""
    if not can_appeal(submission):
        raise AppealNotAllowed(str(submission.pk))
    now = timezone.now()
    try:
        return submission_transition(
            submission=submission,
            to=Status.MODERATION,
            actor="participant",
            note="appeal",
            reasons=[reason("appealed"), *submission.reasons],
            # Once: a second request racing the first finds appealed_at set and moves nothing.
            only_if={"appealed_at__isnull": True},
            changes={"appealed_at": now},
        )
    except TransitionNotAllowed:
        raise AppealNotAllowed(str(submission.pk)) from None
