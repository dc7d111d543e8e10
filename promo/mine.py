"""A participant's own submissions in a campaign, reached through a signed link: there are no accounts, and the
link is what a participant keeps.

The token signs the participant's id with a salt naming the campaign, so a token is good for one campaign only
and cannot be made or altered without the server's secret. Whoever holds the link (it may leak: forwarded,
left in a shared phone's history) reads what the status pages already show: dates, typed amounts and statuses,
never a contact. It works as long as the participant's data exist: once erased (on request, or by retention),
it gives nothing.
"""

from __future__ import annotations

from django.core import signing
from django.db.models import QuerySet

from promo.models import Campaign, Participant, Submission


def _signer(campaign_id: int) -> signing.Signer:
    return signing.Signer(salt=f"promo.mine.campaign-{campaign_id}")


def mine_token(*, participant_id: int, campaign_id: int) -> str:
    return _signer(campaign_id).sign(str(participant_id))


def mine_participant_id(*, token: str, campaign: Campaign) -> int | None:
    """The participant the token was made for in this campaign, or None: tampered, made for another campaign,
    or its participant's data erased."""
    try:
        participant_id = int(_signer(campaign.pk).unsign(token))
    except (signing.BadSignature, ValueError):
        return None
    if not Participant.objects.filter(pk=participant_id, erased_at__isnull=True).exists():
        return None
    return participant_id


def mine_submissions(*, participant_id: int, campaign: Campaign) -> QuerySet[Submission]:
    """Newest first, with only what the list shows; erased submissions are gone from it."""
    return (
        Submission.objects.filter(participant_id=participant_id, campaign=campaign, erased_at__isnull=True)
        .order_by("-created_at")
        .only("id", "created_at", "typed_amount", "status")
    )
