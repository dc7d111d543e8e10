"""Reads the webhooks admin shares."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from promo.models import Campaign
from promo.selectors import campaigns_moderated_by


def webhook_campaigns(user: Any) -> QuerySet[Campaign]:
    """The campaigns whose endpoints and deliveries a staff user may see (what they may do there is their
    webhooks permissions'): every campaign for superusers, campaign admins (promo.moderate_any_campaign) and
    those who may edit campaigns; otherwise the campaigns they moderate."""
    if not (user.is_active and user.is_staff):
        return Campaign.objects.none()
    if (
        user.is_superuser
        or user.has_perm("promo.moderate_any_campaign")
        or user.has_perm("promo.change_campaign")
    ):
        return Campaign.objects.all()
    return campaigns_moderated_by(user)
