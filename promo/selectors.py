"""Reads that views, the API and reports share."""

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from promo.models import Campaign, Recognition, Submission
from recognition.types import FIELD_NAMES


def campaigns_moderated_by(user: Any) -> QuerySet[Campaign]:
    """The campaigns whose submissions and photos a staff user may see: all for superusers and holders of
    promo.moderate_any_campaign, otherwise those that name the user among their moderators; none without a
    permission to see submissions."""
    if not (user.is_active and user.is_staff):
        return Campaign.objects.none()
    # Being named a campaign's moderator is not enough: the role must let one see submissions (marketing,
    # named by mistake, still sees no photo).
    if not (user.has_perm("promo.view_submission") or user.has_perm("moderation.view_queueitem")):
        return Campaign.objects.none()
    if user.is_superuser or user.has_perm("promo.moderate_any_campaign"):
        return Campaign.objects.all()
    return Campaign.objects.filter(moderators=user)


def active_campaigns() -> QuerySet[Campaign]:
    return Campaign.objects.filter(is_active=True).order_by("-starts_on", "name")


def public_campaigns() -> QuerySet[Campaign]:
    """Campaigns whose rules anyone may read: the active ones, and closed ones that had started (an app can tell
    "closed" from "unknown"). An inactive campaign whose first day is still ahead is a draft: not shown."""
    return Campaign.objects.filter(Q(is_active=True) | Q(starts_on__lte=timezone.localdate()))


def recognized_summary(submission: Submission) -> dict[str, Any] | None:
    """What was read, field by field with its confidence; None until the photo has been read."""
    try:
        recognition: Recognition = submission.recognition
    except Recognition.DoesNotExist:
        return None
    if recognition.error:
        return None
    out: dict[str, Any] = {"kind": recognition.kind}
    for name in FIELD_NAMES:
        out[name] = recognition.fields.get(name, {}).get("value")
    out["confidence"] = {"kind": recognition.kind_confidence} | {
        name: recognition.confidence(name) for name in FIELD_NAMES
    }
    return out
