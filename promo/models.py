"""Campaigns, participants, submissions and what was read from each photo."""

import uuid
import zoneinfo
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from promo.decision import (
    DEFAULT_POLICY,
    MIN_FIELD_CONFIDENCE,
    MODERATE,
    REJECT,
    REJECT_CONFIDENCE,
    CampaignRules,
)
from promo.documents import (
    DOCUMENTS,
    RECEIPT,
    asks_for_card,
    default_documents,
    normalize_documents,
    photograph_instruction,
)
from promo.photos import ACCEPTED
from recognition.payment_systems import PAYMENT_SYSTEMS


def validate_timezone(name: str) -> None:
    if name not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(name)s"), params={"name": name})


def validate_payment_systems(value: list[str]) -> None:
    unknown = sorted(set(value) - set(PAYMENT_SYSTEMS))
    if unknown:
        raise ValidationError(
            _("Unknown payment systems: %(unknown)s (known: %(known)s)"),
            params={"unknown": ", ".join(unknown), "known": ", ".join(PAYMENT_SYSTEMS)},
        )


def validate_documents(value: list[str]) -> None:
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise ValidationError(_("A list of document names."))
    if not value:
        raise ValidationError(_("Choose at least one document."))
    unknown = sorted(set(value) - set(DOCUMENTS))
    if unknown:
        raise ValidationError(
            _("Unknown documents: %(unknown)s (known: %(known)s)"),
            params={"unknown": ", ".join(unknown), "known": ", ".join(DOCUMENTS)},
        )


def validate_failure_policy(value: dict[str, str]) -> None:
    if not isinstance(value, dict):
        raise ValidationError(_("A mapping of reason code to 'reject' or 'moderation'."))
    unknown = sorted(set(value) - set(DEFAULT_POLICY))
    bad = sorted(code for code, action in value.items() if action not in (REJECT, MODERATE))
    if unknown or bad:
        raise ValidationError(
            _(
                "Unknown reason codes: %(unknown)s; actions other than reject/moderation for: %(bad)s (codes: %(known)s)"
            ),
            params={
                "unknown": ", ".join(unknown) or "-",
                "bad": ", ".join(bad) or "-",
                "known": ", ".join(DEFAULT_POLICY),
            },
        )


class Campaign(models.Model):
    """A promotion: who may win is decided by slips printed in its period, in its own time zone."""

    slug = models.SlugField(_("address name"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Moscow", validators=[validate_timezone]
    )
    min_amount = models.DecimalField(
        _("minimum amount"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(0)],
    )
    currency = models.CharField(_("currency"), max_length=3, default="RUB")
    # Empty means any payment system is accepted.
    payment_systems = models.JSONField(
        _("allowed payment systems"), default=list, blank=True, validators=[validate_payment_systems]
    )
    # What a participant may photograph (promo.documents); the default is what every campaign took before.
    documents = models.JSONField(
        _("accepted documents"),
        default=default_documents,
        validators=[validate_documents],
        error_messages={"blank": _("Choose at least one document.")},
        help_text=_(
            "A campaign taking receipts that show the card payment also takes the card slip, which proves the "
            "same payment. A campaign taking any receipt does not check the card on a receipt."
        ),
    )
    is_active = models.BooleanField(_("accepting uploads"), default=True)
    min_confidence = models.FloatField(
        _("minimum confidence"),
        default=MIN_FIELD_CONFIDENCE,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("A field read with less confidence goes to moderation (evaluate_decisions --sweep)."),
    )
    reject_confidence = models.FloatField(
        _("confidence threshold to refuse"),
        default=REJECT_CONFIDENCE,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_(
            "From 0 to 1. An amount or card read differently from what was typed refuses the upload only at this "
            "confidence or above (and never below the minimum confidence); below it, a moderator decides."
        ),
    )
    max_accepted_per_day = models.PositiveIntegerField(
        _("accepted slips per participant per day"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    max_accepted_per_campaign = models.PositiveIntegerField(
        _("accepted slips per participant"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    moderation_target_minutes = models.PositiveIntegerField(
        _("moderation target (minutes)"),
        default=60,
        validators=[MinValueValidator(1)],
        help_text=_("How long a submission may wait for a moderator; the queue shows who waited longer."),
    )
    # {"amount_mismatch": "moderation", ...}: what a failed check does, over promo.decision.DEFAULT_POLICY.
    failure_policy = models.JSONField(
        _("on failure"), default=dict, blank=True, validators=[validate_failure_policy]
    )
    # What a participant consents to with each upload: recorded on the submission with the time.
    rules_version = models.CharField(
        _("rules version"),
        max_length=32,
        default="1",
        help_text=_("Change it whenever the rules or the privacy notice change; each upload records it."),
    )
    rules_url = models.URLField(_("rules and privacy notice"), blank=True)
    retention_days = models.PositiveIntegerField(
        _("keep photos and contacts for (days after the last day)"),
        default=90,
        help_text=_("Then photos are deleted and contacts anonymised; decisions and figures are kept."),
    )
    # Set when retention has erased every submission's personal data: the periodic task skips the campaign.
    personal_data_purged_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)
    # Staff who may see this campaign's photos and decide its submissions (besides holders of
    # promo.moderate_any_campaign and superusers).
    moderators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="moderated_campaigns",
        verbose_name=_("moderators"),
        limit_choices_to={"is_staff": True},  # only staff reach the admin and the photo view
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        permissions = [("moderate_any_campaign", _("Can see the photos of and moderate every campaign"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="campaign_period_valid"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.starts_on, time.min, tzinfo=self.tz)

    @property
    def ends_at(self) -> datetime:
        """The first instant after the campaign (its last day is included)."""
        return datetime.combine(self.ends_on + timedelta(days=1), time.min, tzinfo=self.tz)

    def rules(self) -> CampaignRules:
        """What the decision needs of the campaign. Slips print the shop's local date, so the period is in days."""
        return CampaignRules(
            starts_on=self.starts_on,
            ends_on=self.ends_on,
            min_amount=self.min_amount,
            payment_systems=tuple(self.payment_systems),
            min_confidence=self.min_confidence,
            reject_confidence=self.reject_confidence,
            documents=tuple(normalize_documents(self.documents)),
            max_accepted_per_day=self.max_accepted_per_day,
            max_accepted_per_campaign=self.max_accepted_per_campaign,
            policy=tuple(sorted(self.failure_policy.items())),
        )

    def today(self) -> date:
        return timezone.now().astimezone(self.tz).date()

    @property
    def retention_ends_on(self) -> date:
        """After this day, the campaign's photos and contacts are erased."""
        return self.ends_on + timedelta(days=self.retention_days)

    @property
    def photograph_instruction(self) -> str:
        """Which document to photograph, in the reader's language (the upload page)."""
        return str(photograph_instruction(self.documents))

    @property
    def asks_for_card(self) -> bool:
        return asks_for_card(self.documents)

    def clean(self) -> None:
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The last day is before the first day.")
        documents_valid = isinstance(self.documents, list) and set(self.documents) <= set(DOCUMENTS)
        if documents_valid and self.documents:
            self.documents = normalize_documents(self.documents)  # each once, in the canonical order
            if self.payment_systems and RECEIPT in self.documents:
                # Any receipt includes cash ones, on which no payment system can be checked.
                errors["documents"] = _(
                    "A campaign that requires a payment system needs the card payment on the document: accept "
                    "the slip or receipts showing the card payment, not any receipt."
                )
        if errors:
            raise ValidationError(errors)


class Participant(models.Model):
    """A person, known by a normalized phone number or e-mail (one row per contact, across campaigns)."""

    class ContactKind(models.TextChoices):
        PHONE = "phone", _("phone")
        EMAIL = "email", _("e-mail")

    contact = models.CharField(_("contact"), max_length=254, unique=True)
    contact_kind = models.CharField(_("contact kind"), max_length=5, choices=ContactKind.choices)
    created_at = models.DateTimeField(_("first seen at"), auto_now_add=True)
    # Set when the contact was replaced by an anonymous token (on request, or by retention).
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return self.contact


# Extensions the server gives stored photos (those of the accepted formats): the participant's file name is never
# kept.
STORED_EXTENSIONS = frozenset(ACCEPTED.values())


def _stored_name(folder: str, submission: "Submission", filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix not in STORED_EXTENSIONS:
        raise ValueError(f"refusing to store a photo as .{suffix}: intake names stored files")
    return f"{folder}/{submission.campaign.slug}/{timezone.now():%Y/%m/%d}/{submission.id}.{suffix}"


def photo_upload_to(submission: "Submission", filename: str) -> str:
    """The working copy (JPEG), under the campaign and the submission id."""
    return _stored_name("submissions", submission, filename)


def original_upload_to(submission: "Submission", filename: str) -> str:
    """The original, with the extension of the format its bytes are, stripped of metadata."""
    return _stored_name("originals", submission, filename)


class Submission(models.Model):
    """One upload: the photo, what the participant typed, and where the decision stands."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        PROCESSING = "processing", _("processing")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")
        MODERATION = "moderation", _("in moderation")
        # An acceptance withdrawn by a senior moderator (fraud found later): it counts for nothing.
        REVOKED = "revoked", _("revoked")

    # The state machine: only services move a submission, and only along these edges.
    TRANSITIONS: dict[str, frozenset[str]] = {
        # To moderation without a reading: its attempts are used up (promo.jobs.MAX_ATTEMPTS).
        Status.RECEIVED: frozenset({Status.PROCESSING, Status.MODERATION}),
        # Back to received: an expired claim (a dead or hung worker) or a transient failure hands the work on.
        Status.PROCESSING: frozenset({Status.ACCEPTED, Status.REJECTED, Status.MODERATION, Status.RECEIVED}),
        Status.MODERATION: frozenset({Status.ACCEPTED, Status.REJECTED}),
        # Back to moderation: a decision reopened by a moderator, or a rejection the participant asked a person
        # to look at (moderation.services); revoked: fraud found after the acceptance.
        Status.ACCEPTED: frozenset({Status.MODERATION, Status.REVOKED}),
        Status.REJECTED: frozenset({Status.MODERATION}),
        Status.REVOKED: frozenset({Status.MODERATION}),
    }
    FINAL = frozenset({Status.ACCEPTED, Status.REJECTED, Status.REVOKED})

    class Channel(models.TextChoices):
        PAGE = "page", _("upload page")
        API = "api", _("API")
        BATCH = "batch", _("batch command")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="submissions"
    )
    participant = models.ForeignKey(
        Participant, verbose_name=_("participant"), on_delete=models.PROTECT, related_name="submissions"
    )
    # The working copy: upright, re-encoded as JPEG, no metadata; what hashes, recognition and the admin read.
    photo = models.FileField(_("photo"), upload_to=photo_upload_to, max_length=255, blank=True)
    # The upload as its bytes were, less metadata and anything appended (None for HEIF, deleted with a full
    # card number on it).
    original = models.FileField(_("original"), upload_to=original_upload_to, max_length=255, blank=True)
    original_format = models.CharField(_("original format"), max_length=8, blank=True)
    photo_sha256 = models.CharField(_("SHA-256 of the upload"), max_length=64, db_index=True)
    typed_amount = models.DecimalField(_("typed amount"), max_digits=12, decimal_places=2)
    typed_card_last4 = models.CharField(
        _("typed card last 4"), max_length=4, validators=[RegexValidator(r"^\d{4}$", _("Four digits."))]
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED)
    # [{"code": ..., "details": {...}}]: codes are stable, messages are rendered in the reader's language.
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    # The reasons' codes as " code1 code2 ", written with them (promo.transitions): the queue filters and counts
    # by reason with a plain LIKE that every database runs, where JSON containment differs between them.
    reason_codes = models.CharField(_("reason codes"), max_length=255, blank=True, default="")
    # Where it came from; empty for uploads stored before it was recorded.
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices, blank=True, default="")
    # What the automatic decision said (accepted, rejected or moderation) and when, kept when a person later
    # decides otherwise: the reports count automatic decisions and the people's overturns from these.
    auto_outcome = models.CharField(
        _("automatic decision"), max_length=12, choices=Status.choices, blank=True, default=""
    )
    auto_decided_at = models.DateTimeField(_("decided automatically at"), null=True, blank=True)
    # The repairs of OCR confusions (promo.repairs) that a passed check relied on, as " rule1 rule2 ": what
    # each rule bought is counted with a plain LIKE, as reason_codes are.
    repairs = models.CharField(_("repairs relied on"), max_length=255, blank=True, default="")
    # How long it waited for the person who decided it (from waiting_since to the decision).
    moderation_wait = models.DurationField(_("waited for a moderator"), null=True, blank=True)
    # When it last entered moderation (first look, reopened, or asked for by the participant): the queue's
    # order and its waiting time.
    waiting_since = models.DateTimeField(_("waiting since"), null=True, blank=True)
    # The participant asked for a person to look at an automatic rejection (once per submission).
    appealed_at = models.DateTimeField(_("review asked for at"), null=True, blank=True)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    processing_started_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    # The job (promo.jobs): when it was last sent to the queue (null: never, e.g. the broker was down), how many
    # times a worker claimed it, and the claim of the worker processing it now. A worker writes its result only
    # while the claim is still its own (fencing), so a late worker's result is dropped.
    enqueued_at = models.DateTimeField(_("enqueued at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts to read"), default=0)
    claim_token = models.UUIDField(null=True, blank=True)
    claim_expires_at = models.DateTimeField(_("claimed by a worker until"), null=True, blank=True)
    # What went wrong in the last failed attempt (time limit, worker lost, an error), for the moderator.
    last_error = models.TextField(_("last failure"), blank=True)
    # Every check of the decision, in order: [{"check", "outcome", "code", "details", "evidence"}].
    checks = models.JSONField(_("checks"), default=list, blank=True)
    # A full card number was read on the photo (masked in what was stored): a moderator must redact the photo.
    needs_redaction = models.BooleanField(_("needs redaction"), default=False, db_index=True)
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("duplicate of"),
    )
    # The campaign rules' version the participant accepted with this upload, and when.
    consent_version = models.CharField(_("accepted rules version"), max_length=32, blank=True)
    consent_at = models.DateTimeField(_("rules accepted at"), null=True, blank=True)
    # Photos, typed card digits and raw OCR text deleted (retention or the participant's request).
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)
    # 64-bit perceptual hash of the photo (signed, as the database stores it) and its four 16-bit bands, each
    # indexed with the campaign: a near-duplicate shares a band within a small Hamming radius (promo.duplicates).
    photo_phash = models.BigIntegerField(null=True, blank=True)
    phash_band0 = models.IntegerField(null=True, blank=True)
    phash_band1 = models.IntegerField(null=True, blank=True)
    phash_band2 = models.IntegerField(null=True, blank=True)
    phash_band3 = models.IntegerField(null=True, blank=True)
    # The upload's idempotency key (promo.idempotency): the page's hidden field or the API's Idempotency-Key
    # header. A second request with it gets this submission back instead of making another.
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, blank=True, default="")
    # SHA-256 of the uploading browser's secret cookie (promo.owners): one browser's uploads, the proof of ownership
    # a typed contact is not. Empty for the API and batches, and once erased.
    owner_hash = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            # Two simultaneous requests with one key: the database lets one row in, the other finds it. A key is
            # its contact's (promo.idempotency).
            models.UniqueConstraint(
                fields=["campaign", "participant", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="submission_participant_idempotency_key",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "status", "created_at"]),
            models.Index(fields=["status", "waiting_since"], name="submission_waiting"),
            # The sweep's two questions: whose claim expired, and what waited too long since it was enqueued.
            models.Index(fields=["status", "claim_expires_at"], name="submission_claims"),
            models.Index(fields=["status", "enqueued_at", "created_at"], name="submission_queue"),
            models.Index(fields=["campaign", "photo_sha256"], name="submission_campaign_sha"),
            # What changed since the report's rollups were last refreshed (reports.rollups): every move writes
            # updated_at (promo.transitions), creation too.
            models.Index(fields=["campaign", "updated_at"], name="submission_changes"),
            models.Index(
                fields=["participant", "campaign", "status", "created_at"], name="submission_participant"
            ),
            # The stored hash and the id ride along in each band index (PostgreSQL INCLUDE), so a lookup reads only the
            # indexes, never the table (measured: 4,000 heap pages and 28 ms per lookup at 1,000,000 rows).
            # The campaign report (reports.selectors) reads a campaign's submissions of a period from these
            # indexes alone (index-only scans), never the wide rows (checks, reasons, photo names): see
            # promo/migrations/0012_report_indexes.py for the measured plans.
            models.Index(
                fields=["campaign", "created_at"],
                include=[
                    "participant_id",
                    "status",
                    "auto_outcome",
                    "channel",
                    "decided_by_id",
                    "auto_decided_at",
                    "reason_codes",
                    "repairs",
                ],
                name="submission_report",
            ),
            models.Index(
                fields=["campaign", "decided_at"],
                include=["moderation_wait"],
                condition=models.Q(moderation_wait__isnull=False),
                name="submission_report_waits",
            ),
            models.Index(
                fields=["campaign", "created_at"],
                include=["id", "typed_amount"],
                condition=models.Q(status="accepted"),
                name="submission_report_accepted",
            ),
            *(
                models.Index(
                    fields=["campaign", f"phash_band{i}"],
                    include=["photo_phash", "id"],
                    name=f"submission_phash_b{i}",
                )
                for i in range(4)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign.slug}/{self.id}"

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.status]


class StatusTransition(models.Model):
    """Every move of a submission: from where, to where, who or what moved it, and why."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(
        _("from"), max_length=12, choices=Submission.Status.choices, blank=True
    )  # blank: created
    to_status = models.CharField(_("to"), max_length=12, choices=Submission.Status.choices)
    actor = models.CharField(
        _("by"), max_length=150, help_text=_("'system', 'worker', 'participant', or the moderator's username")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("why"), blank=True)
    # The guards a senior moderator overrode with this move (their reason codes); the justification is the note.
    overridden = models.JSONField(default=list, blank=True)
    # The move's own time, the one written to the submission's decided_at and updated_at (promo.transitions):
    # the report's rollups find the day a submission was decided before it was moved again from here.
    created_at = models.DateTimeField(_("when"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self.from_status} -> {self.to_status} by {self.actor}"


class Recognition(models.Model):
    """What the OCR read from a submission's photo: every field with its confidence, and all the lines."""

    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="recognition")
    # The submission's campaign, copied here so the same-slip probe is one campaign-scoped index lookup.
    campaign = models.ForeignKey(Campaign, null=True, on_delete=models.CASCADE, related_name="+")
    engine = models.CharField(max_length=64)
    kind = models.CharField(_("document kind"), max_length=16)
    kind_confidence = models.FloatField(default=0.0)
    # Best values, as columns: duplicates and reports query them.
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    date = models.DateField(null=True, blank=True)
    time = models.TimeField(null=True, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    payment_system = models.CharField(max_length=16, blank=True)
    merchant = models.CharField(max_length=255, blank=True)
    rrn = models.CharField(max_length=12, blank=True)
    auth_code = models.CharField(max_length=6, blank=True)
    terminal_id = models.CharField(max_length=8, blank=True)
    # The Russian fiscal receipt QR (recognition.fiscal_qr), blank when none was decoded: fiscal drive, document
    # number and fiscal sign identify one receipt in the country, so they are the strongest duplicate key.
    fiscal_fn = models.CharField(max_length=16, blank=True)
    fiscal_i = models.CharField(max_length=10, blank=True)
    fiscal_fp = models.CharField(max_length=10, blank=True)
    # The QR's operation: 1 sale, 2 refund of a sale, 3 expense, 4 refund of an expense (a refund proves no
    # purchase); null without a QR.
    fiscal_operation = models.PositiveSmallIntegerField(null=True, blank=True)
    # {"amount": {"value", "confidence", "candidates", "rules"}, ...}
    fields = models.JSONField(default=dict)
    # [{"text", "confidence", "box": [[x, y] * 4]}, ...], top to bottom as read
    lines = models.JSONField(default=list)
    full_text = models.TextField(blank=True)
    timings_ms = models.JSONField(default=dict)
    # {"brightness", "sharpness", "too_dark", "too_blurred"} (recognition.quality)
    quality = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(_("read at"), auto_now_add=True)

    class Meta:
        verbose_name = _("recognition")
        verbose_name_plural = _("recognitions")
        indexes = [
            models.Index(fields=["campaign", "date", "amount"], name="recognition_slip_amount"),
            models.Index(fields=["campaign", "date", "time"], name="recognition_slip_time"),
            models.Index(fields=["campaign", "rrn"], name="recognition_slip_rrn"),
            # The report's accepted slips: what it reads of a reading, without the wide row (lines, full text).
            models.Index(
                fields=["submission"],
                include=["amount", "payment_system", "merchant"],
                name="recognition_report",
            ),
            # Only readings with a fiscal QR: most photos are slips without one, and need no entry.
            models.Index(
                fields=["campaign", "fiscal_fn", "fiscal_i", "fiscal_fp"],
                name="recognition_fiscal",
                condition=~models.Q(fiscal_fn=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} read by {self.engine}"

    def confidence(self, name: str) -> float:
        return float(self.fields.get(name, {}).get("confidence", 0.0))

    @property
    def fiscal_key(self) -> str | None:
        """The receipt's identity from its fiscal QR (recognition.fiscal_qr.FiscalQr.key), None without one."""
        return f"{self.fiscal_fn}:{self.fiscal_i}:{self.fiscal_fp}" if self.fiscal_fn else None


class Erasure(models.Model):
    """An audit line for each erasure of personal data: what was erased, why, and by whom; never the contact."""

    class Why(models.TextChoices):
        REQUEST = "request", _("participant's request")
        RETENTION = "retention", _("retention period over")

    why = models.CharField(_("why"), max_length=12, choices=Why.choices)
    participant = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="erasures"
    )
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    submissions = models.PositiveIntegerField(_("submissions erased"), default=0)
    files_deleted = models.PositiveIntegerField(_("files deleted"), default=0)
    actor = models.CharField(_("by"), max_length=150)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")

    def __str__(self) -> str:
        return f"{self.get_why_display()}: {self.submissions} submissions"
