"""Reads the prizes admin pages, the registry and the commands share."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from promo.models import Campaign
from promo.selectors import campaigns_moderated_by


def prize_campaigns(user: Any) -> QuerySet[Campaign]:
    """The campaigns whose prizes a staff user may see (what they may do there is their prizes permissions').

    Every campaign for superusers, holders of promo.moderate_any_campaign (campaign admins) and of
    promo.view_campaign (marketing sees every campaign's page already); otherwise the campaigns they moderate."""
    if not (user.is_active and user.is_staff):
        return Campaign.objects.none()
    if (
        user.is_superuser
        or user.has_perm("promo.moderate_any_campaign")
        or user.has_perm("promo.view_campaign")
    ):
        return Campaign.objects.all()
    return campaigns_moderated_by(user)
