"""The review queue is a view of submissions, not a copy: a proxy model gives it its own admin page."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from promo.models import Submission


class QueueManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(status=Submission.Status.MODERATION)


class QueueItem(Submission):
    objects = QueueManager()

    class Meta:
        proxy = True
        ordering = ["waiting_since", "created_at"]  # oldest first: the participant who waited longest
        verbose_name = _("submission to review")
        verbose_name_plural = _("moderation queue")
        permissions = [
            ("override_guards", _("Can accept over a failed guard, with a written justification")),
            ("revoke_acceptance", _("Can revoke an acceptance and reopen a revoked one")),
        ]


class ReviewClaim(models.Model):
    """A moderator holds a submission for a few minutes while reviewing it, so two never decide one at once.

    One row per submission (unique): taking it is an insert or a conditional update of an expired or own claim,
    so two moderators racing for it cannot both win. An expired claim is anyone's; nothing needs to clean it.
    """

    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="review_claim")
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    expires_at = models.DateTimeField(db_index=True)
    taken_at = models.DateTimeField()

    class Meta:
        verbose_name = _("review claim")
        verbose_name_plural = _("review claims")

    def __str__(self) -> str:
        return f"{self.submission_id} held by {self.moderator_id} until {self.expires_at:%H:%M}"


class FieldCorrection(models.Model):
    """A field a moderator read off the photo in place of the machine's reading: the decision's guards and the
    duplicate search use it from then on, and `export_labels` writes it as ground truth. Never edited: a second
    correction is a new row."""

    class Field(models.TextChoices):
        AMOUNT = "amount", _("amount")
        DATE = "date", _("date")
        TIME = "time", _("time")
        CARD_LAST4 = "card_last4", _("card last 4")
        PAYMENT_SYSTEM = "payment_system", _("payment system")
        MERCHANT = "merchant", _("merchant")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="corrections")
    field = models.CharField(_("field"), max_length=16, choices=Field.choices)
    read_value = models.CharField(_("read"), max_length=255, blank=True)
    value = models.CharField(_("corrected to"), max_length=255)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("field correction")
        verbose_name_plural = _("field corrections")

    def __str__(self) -> str:
        return f"{self.field}: {self.read_value or '—'} -> {self.value}"


class Redaction(models.Model):
    """A moderator confirmed or redrew what hides a full card number on a photo; the unredacted original was then
    deleted. Boxes are fractions of the working copy's width and height: `[[x0, y0, x1, y1], ...]`."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="redactions")
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    boxes = models.JSONField(_("boxes drawn"), default=list, blank=True)
    original_deleted = models.BooleanField(_("original deleted"), default=False)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("redaction")
        verbose_name_plural = _("redactions")

    def __str__(self) -> str:
        return f"{self.submission_id}: {len(self.boxes)} boxes"
