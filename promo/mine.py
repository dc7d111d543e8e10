"""A participant's own submissions in a campaign, reached through a signed link: there are no accounts, and the
link is what a participant keeps.

The token signs the id of one of the participant's submissions (the one whose status page gave the link) with a
salt naming the campaign, so a token is good for one campaign only and cannot be made or altered without the
server's secret; it names no participant (a participant's number would tell anyone how many people the site
knows). Whoever holds the link (it may leak: forwarded,
left in a shared phone's history) reads what the status pages already show: dates, typed amounts and statuses,
never a contact. It works as long as the participant's data exist: once erased (on request, or by retention),
it gives nothing.
"""

from __future__ import annotations

import uuid

from django.core import signing
from django.db.models import QuerySet

from promo.models import Campaign, Submission


def _signer(campaign_id: int) -> signing.Signer:
    return signing.Signer(salt=f"promo.mine.campaign-{campaign_id}")


def mine_token(*, submission_id: uuid.UUID, campaign_id: int) -> str:
    return _signer(campaign_id).sign(uuid.UUID(str(submission_id)).hex)


def mine_participant_id(*, token: str, campaign: Campaign) -> int | None:
    """The participant whose submission the token was made from in this campaign, or None: tampered, made for
    another campaign, or the data erased."""
    try:
        submission_id = uuid.UUID(hex=_signer(campaign.pk).unsign(token))
    except (signing.BadSignature, ValueError):
        return None
    return (
        Submission.objects.filter(
            pk=submission_id, campaign=campaign, erased_at__isnull=True, participant__erased_at__isnull=True
        )
        .values_list("participant_id", flat=True)
        .first()
    )


def mine_submissions(*, participant_id: int, campaign: Campaign) -> QuerySet[Submission]:
    """Newest first, with only what the list shows; erased submissions are gone from it."""
    return (
        Submission.objects.filter(participant_id=participant_id, campaign=campaign, erased_at__isnull=True)
        .order_by("-created_at")
        .only("id", "created_at", "typed_amount", "status")
    )
