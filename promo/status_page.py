"""What a participant's status page, and the fragment it polls, show of a submission: the reasons of its current
state with what to do next, the participant's own earlier copy of the same slip, and the links onwards.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from promo import extras
from promo.appeals import can_appeal
from promo.mine import mine_token
from promo.models import Submission
from promo.next_steps import reason_next_step, status_next_step
from promo.reasons import participant_reasons

Status = Submission.Status

# How often the page asks for news, in seconds (first, and the most it backs off to): quickly while the photo is
# read, then slower and slower while people look at it; never once decided.
POLL_SECONDS: dict[str, tuple[int, int]] = {
    Status.RECEIVED: (2, 2),
    Status.PROCESSING: (2, 2),
    Status.MODERATION: (15, 30),
}

DUPLICATE_CODES = frozenset({"duplicate_photo", "duplicate_slip", "moderator_duplicate"})
# Earlier submissions that are the one counting for the slip (a revoked one counts for nothing).
_COUNTING = frozenset({Status.RECEIVED, Status.PROCESSING, Status.MODERATION, Status.ACCEPTED})
OWN_DUPLICATE = _("You already sent this slip on %(date)s, and that submission is the one that counts. Its status: %(status)s.")  # fmt: skip
OWN_DUPLICATE_NOT_COUNTING = _("You already sent this slip on %(date)s. Its status: %(status)s.")


def own_earlier(submission: Submission, codes: set[str]) -> Submission | None:
    """The earlier submission under the same contact this one was refused as a copy of, or None: not refused as a
    copy, or the original is under another contact (never a word of it: it is another person's).

    A contact is typed, not proven (promo.owners): its date and status may be said to whoever typed it with a copy
    of the slip, but only the same browser gets the link to it (`same_owner`), which opens its promo code."""
    if (
        submission.status != Status.REJECTED
        or not codes & DUPLICATE_CODES
        or submission.duplicate_of_id is None
    ):
        return None
    return (
        Submission.objects.filter(
            pk=submission.duplicate_of_id,
            participant_id=submission.participant_id,
            campaign_id=submission.campaign_id,
        )
        .only("id", "created_at", "status", "owner_hash")
        .first()
    )


def same_owner(submission: Submission, earlier: Submission) -> bool:
    return bool(submission.owner_hash) and submission.owner_hash == earlier.owner_hash


def _own_duplicate_reason(submission: Submission, earlier: Submission, code: str) -> dict[str, str]:
    template = OWN_DUPLICATE if earlier.status in _COUNTING else OWN_DUPLICATE_NOT_COUNTING
    message = str(template) % {
        "date": date_format(localtime(earlier.created_at), "DATETIME_FORMAT"),
        "status": earlier.get_status_display(),
    }
    return {
        "code": "own_duplicate",
        "of": code,  # the stored reason it stands for: the API keeps that code, which clients branch on
        "message": message,
        "next": "",
        "url": reverse("promo:status", args=[earlier.pk]) if same_owner(submission, earlier) else "",
    }


def shown_reasons(submission: Submission) -> tuple[list[dict[str, str]], Submission | None]:
    """`[{"code", "message", "next"}]` for the page, and the own earlier submission when this one repeats it (its
    duplicate reason then becomes the earlier submission's news)."""
    reasons = participant_reasons(submission)
    earlier = own_earlier(submission, {r["code"] for r in reasons})
    shown = []
    for reason in reasons:
        if earlier is not None and reason["code"] in DUPLICATE_CODES:
            shown.append(_own_duplicate_reason(submission, earlier, reason["code"]))
            continue
        # Steps help where the participant can act: after a refusal. A wait and an acceptance say theirs once.
        step = (
            reason_next_step(reason["code"], submission.campaign)
            if submission.status == Status.REJECTED
            else ""
        )
        shown.append({**reason, "next": step})
    return shown, earlier


def status_context(submission: Submission) -> dict[str, Any]:
    """Everything the status block shows; the submission comes with its campaign and extras' relations."""
    reasons, earlier = shown_reasons(submission)
    poll, poll_max = POLL_SECONDS.get(submission.status, (None, None))
    mine_url = ""
    # Erased on request or by retention: nothing to list any more; uploaded without a browser (API): no list.
    if submission.erased_at is None and submission.owner_hash:
        token = mine_token(submission_id=submission.pk, campaign_id=submission.campaign_id)
        mine_url = reverse("promo:mine", kwargs={"slug": submission.campaign.slug, "token": token})
    return {
        "submission": submission,
        "campaign": submission.campaign,
        "reasons": reasons,
        "own_earlier": earlier,
        "next_step": status_next_step(submission.status),
        "can_appeal": can_appeal(submission),
        "extras": extras.labelled_extras(submission),
        "poll_seconds": poll,
        "poll_max_seconds": poll_max,
        "mine_url": mine_url,
    }
