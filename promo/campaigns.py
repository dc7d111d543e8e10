"""Creating and changing campaigns, the way the admin does (validated), for commands and tests."""

from datetime import date
from decimal import Decimal

from promo.decision import MIN_FIELD_CONFIDENCE, REJECT_CONFIDENCE
from promo.models import Campaign


def campaign_create_or_update(
    *,
    slug: str,
    name: str,
    starts_on: date,
    ends_on: date,
    timezone: str = "Europe/Moscow",
    min_amount: Decimal = Decimal("0"),
    payment_systems: list[str] | None = None,
    currency: str = "RUB",
    min_confidence: float = MIN_FIELD_CONFIDENCE,
    reject_confidence: float = REJECT_CONFIDENCE,
    max_accepted_per_day: int | None = None,
    max_accepted_per_campaign: int | None = None,
    failure_policy: dict[str, str] | None = None,
    documents: list[str] | None = None,
) -> tuple[Campaign, bool]:
    """Idempotent: running it twice with the same values changes nothing. Validates like the admin does.
    `documents` None keeps what an existing campaign accepts (perhaps set in the admin), or the default (the
    slip) for a new one: scripts written before documents existed do not undo an operator's choice."""
    campaign = Campaign.objects.filter(slug=slug).first()
    created = campaign is None
    campaign = campaign or Campaign(slug=slug)
    campaign.name = name
    campaign.starts_on = starts_on
    campaign.ends_on = ends_on
    campaign.timezone = timezone
    campaign.min_amount = min_amount
    campaign.payment_systems = payment_systems or []
    campaign.currency = currency
    campaign.min_confidence = min_confidence
    campaign.reject_confidence = reject_confidence
    campaign.max_accepted_per_day = max_accepted_per_day
    campaign.max_accepted_per_campaign = max_accepted_per_campaign
    campaign.failure_policy = failure_policy or {}
    if documents is not None:
        campaign.documents = list(documents)
    campaign.full_clean()
    campaign.save()
    return campaign, created
