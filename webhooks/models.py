"""Webhook endpoints (a campaign's receiver in the client's systems), the deliveries of decisions to them, and
every attempt of each delivery.

A delivery's body is frozen when it is created, in the transaction that decides the submission: a retry or a
resend sends the same bytes, signed with a fresh timestamp (webhooks.signing).
"""

import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from promo.models import Campaign, Submission
from webhooks.transport import url_problem

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """256 random bits; the prefix tells a leaked one for what it is in logs and scanners."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def final_status_choices() -> list[tuple[str, str]]:
    return [(value, label) for value, label in Submission.Status.choices if value in Submission.FINAL]


def validate_statuses(value: list[str]) -> None:
    if not isinstance(value, list) or not set(value) <= set(Submission.FINAL):
        raise ValidationError(
            _("Choose among the final statuses: %(final)s."),
            params={"final": ", ".join(sorted(Submission.FINAL))},
        )


class Endpoint(models.Model):
    """Where a campaign's decisions are pushed: an HTTPS URL typed by a campaign admin, and the secret that signs
    every request to it (generated here, shown to the admin to configure the receiver)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="webhook_endpoints"
    )
    url = models.URLField(
        _("URL"),
        max_length=500,
        help_text=_(
            "HTTPS address of the receiver in your systems. Addresses in private networks are refused; redirects "
            "are not followed."
        ),
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    secret = models.CharField(_("signing secret"), max_length=100, default=new_secret, editable=False)
    # After a rotation the old secret still signs (a second v1) until this time, so the receiver can switch over.
    previous_secret = models.CharField(max_length=100, blank=True, default="", editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    # Which final statuses are sent; empty: every one.
    statuses = models.JSONField(
        _("statuses sent"),
        default=list,
        blank=True,
        validators=[validate_statuses],
        help_text=_("Only decisions to these statuses are sent; none chosen: every decision."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["campaign", "id"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        permissions = [("rotate_secret", _("Can rotate the signing secret of a webhook endpoint"))]

    def __str__(self) -> str:
        return self.url

    def clean(self) -> None:
        problem = url_problem(self.url) if self.url else None
        if problem:
            raise ValidationError({"url": problem})

    def sends(self, status: str) -> bool:
        return self.is_active and (not self.statuses or status in self.statuses)


class Delivery(models.Model):
    """One event (a submission's final decision) for one endpoint, until the receiver answers 2xx or the retry
    window closes."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")

    event_id = models.UUIDField(_("event id"), default=uuid.uuid4, unique=True, editable=False)
    event_type = models.CharField(_("event type"), max_length=40)
    endpoint = models.ForeignKey(
        Endpoint, verbose_name=_("endpoint"), on_delete=models.PROTECT, related_name="deliveries"
    )
    submission = models.ForeignKey(
        Submission, verbose_name=_("submission"), on_delete=models.CASCADE, related_name="+"
    )
    submission_status = models.CharField(_("decision"), max_length=12, choices=Submission.Status.choices)
    # The exact request body (UTF-8 JSON), frozen at creation.
    body = models.TextField(_("body"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    # Retries stop after this (a day after the first attempt, or after a resend).
    retry_until = models.DateTimeField(_("retried until"))
    # When the task was last sent to the queue: the sweep sends again a due delivery whose message was lost.
    enqueued_at = models.DateTimeField(_("enqueued at"), null=True, blank=True)
    # The worker sending it now: its result is written only while the row still carries its token (fencing).
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    claim_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_status_code = models.PositiveSmallIntegerField(_("last response code"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        permissions = [("resend_delivery", _("Can resend webhook deliveries"))]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due")]

    def __str__(self) -> str:
        return str(self.event_id)


class Attempt(models.Model):
    """One request to the receiver (or the refusal to make it): what it answered, how long it took."""

    delivery = models.ForeignKey(
        Delivery, verbose_name=_("delivery"), on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started at"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    signature_timestamp = models.PositiveBigIntegerField(_("signature timestamp"), null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    response_excerpt = models.CharField(_("response (start)"), max_length=300, blank=True)
    succeeded = models.BooleanField(_("succeeded"), default=False)

    class Meta:
        ordering = ["delivery", "number", "id"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self) -> str:
        return f"#{self.number}"
