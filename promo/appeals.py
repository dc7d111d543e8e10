"""A participant may ask, once per submission, for a person to look at an automatic rejection."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from promo.models import Submission
from promo.reasons import by_a_person, reason
from promo.transitions import TransitionNotAllowed, submission_transition

Status = Submission.Status
# Rejections a person's look cannot change: the same photo or slip already counts, or a limit is reached (a
# moderator's acceptance would meet the same guards, promo.acceptance).
NOT_APPEALABLE = frozenset({"duplicate_photo", "duplicate_slip", "limit_per_day", "limit_per_campaign"})
# Reasons a person's act put first (an appeal, a moderator's verdict, a reopening): the participant's message.

# Why an appeal is refused: a stable code for apps, and what the participant reads.
ALREADY_APPEALED = "already_appealed"
NOT_REJECTED = "not_rejected"
DECIDED_BY_MODERATOR = "decided_by_moderator"
PHOTO_ERASED = "photo_erased"
NOT_CHANGEABLE = "not_changeable"
REFUSALS: dict[str, Any] = {
    ALREADY_APPEALED: _("You have already asked for a person to check this slip: it can be asked only once."),
    NOT_REJECTED: _("Only a rejected slip can be sent to a person for a check."),
    DECIDED_BY_MODERATOR: _("A moderator has already checked this slip, so the decision stands."),
    PHOTO_ERASED: _("The photo of this slip has been deleted, so a person can no longer check it."),
    NOT_CHANGEABLE: _(
        "A check by a person cannot change this decision: the slip has already been submitted, or a limit is "
        "reached."
    ),
}


class AppealNotAllowed(Exception):
    """Not a rejection by the machine, already asked for, or a reason a person cannot change."""

    def __init__(self, why: str):
        super().__init__(why)
        self.why = why

    @property
    def message(self) -> str:
        """What the participant reads, in the active language."""
        return str(REFUSALS[self.why])


def appeal_refusal(submission: Submission) -> str | None:
    """Why the participant may not appeal (one of REFUSALS), or None when they may."""
    codes = {r["code"] for r in submission.reasons}
    if submission.appealed_at is not None:
        return ALREADY_APPEALED
    if submission.status != Status.REJECTED:
        return NOT_REJECTED
    if submission.decided_by_id is not None or any(by_a_person(code) for code in codes):
        return DECIDED_BY_MODERATOR
    if submission.erased_at is not None:  # nothing left for a moderator to look at
        return PHOTO_ERASED
    if codes & NOT_APPEALABLE:
        return NOT_CHANGEABLE
    return None


def can_appeal(submission: Submission) -> bool:
    """An automatic rejection (no moderator decided it), not asked about before, for a reason a look can change."""
    return appeal_refusal(submission) is None


def submission_appeal(*, submission: Submission) -> Submission:
    """Sends an automatic rejection to the moderation queue, once; AppealNotAllowed otherwise."""
    why = appeal_refusal(submission)
    if why is not None:
        raise AppealNotAllowed(why)
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
        # Someone moved it first (most likely the same participant's other request): say why as it is now.
        submission.refresh_from_db()
        raise AppealNotAllowed(appeal_refusal(submission) or ALREADY_APPEALED) from None
