"""A participant's own submissions in a campaign, reached through a signed link: there are no accounts, and the
link is what a participant keeps.

Whose they are is decided by promo.owners: the uploads of one browser (its secret cookie's hash) under one
contact. Never by the contact alone: anyone can type someone else's phone number. The token signs the id (a
random UUID) of the submission whose status page gave the link, with a salt naming the campaign, so a token is good
for one campaign only, cannot be made or altered without the server's secret, and names no participant (a
participant's number would tell anyone how many people the site knows). An upload without an owner (the API, a
batch) has no list. Whoever holds the link (it may leak: forwarded, left in a shared phone's history) reads what
the status pages already show: dates, typed amounts and statuses, never a contact. It works as long as the data
exist: once erased (on request, or by retention), it gives nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.core import signing
from django.db.models import QuerySet

from promo.models import Campaign, Submission


def _signer(campaign_id: int) -> signing.Signer:
    return signing.Signer(salt=f"promo.mine.campaign-{campaign_id}")


def mine_token(*, submission_id: uuid.UUID, campaign_id: int) -> str:
    return _signer(campaign_id).sign(uuid.UUID(str(submission_id)).hex)


@dataclass(frozen=True)
class Owner:
    participant_id: int
    owner_hash: str


def mine_owner(*, token: str, campaign: Campaign) -> Owner | None:
    """Whose submission the token was made from, in this campaign; None: tampered, made for another campaign, the
    data erased, or an upload without an owner."""
    try:
        submission_id = uuid.UUID(hex=_signer(campaign.pk).unsign(token))
    except (signing.BadSignature, ValueError):
        return None
    found = (
        Submission.objects.filter(
            pk=submission_id, campaign=campaign, erased_at__isnull=True, participant__erased_at__isnull=True
        )
        .exclude(owner_hash="")
        .values_list("participant_id", "owner_hash")
        .first()
    )
    return Owner(*found) if found else None


def mine_submissions(*, owner: Owner, campaign: Campaign) -> QuerySet[Submission]:
    """Newest first, with only what the list shows; erased submissions are gone from it."""
    return (
        Submission.objects.filter(
            participant_id=owner.participant_id,
            owner_hash=owner.owner_hash,
            campaign=campaign,
            erased_at__isnull=True,
        )
        .order_by("-created_at")
        .only("id", "created_at", "typed_amount", "status")
    )
