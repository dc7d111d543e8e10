"""API shapes: parse what a client sends, shape what it gets back. No rules live here.

Every help text is English: they are the OpenAPI schema's texts, which are English whatever the reader's language
(config.schema). Messages a participant reads (errors, reasons) are translated where they are made.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import get_error_detail

from promo import extras
from promo.amounts import MAX_AMOUNT, parse_typed_amount
from promo.appeals import can_appeal
from promo.contacts import normalize_contact
from promo.documents import (
    DOCUMENT_CHOICES,
    DOCUMENTS,
    asks_for_card,
    normalize_documents,
    photograph_instruction,
)
from promo.intake import EMPTY_FILE, NO_PHOTO, photo_intake
from promo.models import Campaign, Submission
from promo.next_steps import status_next_step
from promo.privacy import CONSENT_REQUIRED
from promo.selectors import recognized_summary
from promo.status_page import shown_reasons
from recognition.payment_systems import PAYMENT_SYSTEMS
from recognition.types import FIELD_NAMES

CARD_LAST4_INVALID = _("Enter the last 4 digits of the card: exactly four digits.")
_FOUR_DIGITS = re.compile(r"[0-9]{4}")  # ASCII digits only: `\d` would take Arabic-Indic digits too


def _django_to_drf(error: DjangoValidationError) -> serializers.ValidationError:
    """Keeps each message's code (promo.amounts, promo.intake): the API's field errors carry them."""
    return serializers.ValidationError(get_error_detail(error))


@extend_schema_field(
    {
        "type": "string",
        "example": "1234.50",
        "description": "Purchase amount as the participant typed it, in any usual format: `1234.50`, `1234,5`, "
        "`1 234,50`, `2,586.60`, `2.586,60`; a currency sign is ignored. Errors: `invalid`, `min_value` (zero or "
        f"less), `max_value` (over {MAX_AMOUNT}), `max_decimal_places` (over two decimals).",
    }
)
class TypedAmountField(serializers.Field):
    """Accepts what promo.amounts reads; answers as a string with two decimals."""

    def to_internal_value(self, data):
        try:
            return parse_typed_amount(data)
        except DjangoValidationError as error:
            raise _django_to_drf(error) from None

    def to_representation(self, value):
        return f"{value:.2f}"


@extend_schema_field(
    {
        "type": "string",
        "pattern": "^[0-9]{4}$",
        "minLength": 4,
        "maxLength": 4,
        "example": "4242",
        "description": "The last four digits of the card, as printed after the asterisks on the slip. "
        "Error: `invalid`.",
    }
)
class CardLast4Field(serializers.CharField):
    default_error_messages = {"invalid": CARD_LAST4_INVALID}

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not _FOUR_DIGITS.fullmatch(value):
            self.fail("invalid")
        return value


class SubmissionCreateSerializer(serializers.Serializer):
    photo = serializers.FileField(
        error_messages={"empty": EMPTY_FILE, "required": NO_PHOTO},
        help_text="Photo of a document the campaign accepts (its `documents`): JPEG, PNG, WebP or HEIC, up to the "
        "size cap (413 `too_large` over it); the format is read from the bytes, the file name and content type are "
        "ignored. Errors: `required`, `empty`, `not_an_image`, `format_not_accepted`, `broken`, `too_small`, ... "
        "(see the message).",
    )
    amount = TypedAmountField()
    card_last4 = CardLast4Field()
    contact = serializers.CharField(
        max_length=254,
        help_text="Phone number or e-mail of the participant: their key to the campaign (limits, prizes). "
        "Error: `invalid`.",
    )
    consent = serializers.BooleanField(
        help_text="The participant accepted the campaign's rules and privacy notice (`rules_url`): must be true; "
        "the rules version in force is recorded with the upload. Error: `required` when false."
    )

    def validate_photo(self, photo):
        """The one ingestion step: returns the checked photo with its working copy (promo.intake)."""
        try:
            return photo_intake(photo)
        except DjangoValidationError as error:
            raise _django_to_drf(error) from None

    def validate_consent(self, consent):
        if not consent:
            raise serializers.ValidationError(str(CONSENT_REQUIRED), code="required")
        return consent

    def validate_contact(self, contact):
        try:
            normalize_contact(contact)
        except DjangoValidationError as error:
            raise _django_to_drf(error) from None
        return contact


STATUS_HELP = (
    "`received`: waiting to be read; `processing`: being read (seconds); `moderation`: a person will decide "
    "(minutes to hours); `accepted`, `rejected`: decided; `revoked`: an acceptance withdrawn. A decision may still "
    "change when the participant asks for a person's look (appeal) or a moderator reopens it."
)
_STATUS = serializers.ChoiceField(choices=Submission.Status.values, help_text=STATUS_HELP)


class SubmissionCreatedSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="The submission's id: the participant's only key to it; keep it")
    status = serializers.ChoiceField(choices=Submission.Status.values, help_text="`received`")
    url = serializers.URLField(help_text="Where to poll for the decision (GET)")


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, e.g. `slip_matches`, `amount_mismatch`, `duplicate_slip`")
    message = serializers.CharField(help_text="What to tell the participant, in the Accept-Language")
    next = serializers.CharField(
        allow_blank=True,
        help_text="What the participant can do about it, in the Accept-Language (e.g. upload the slip again with "
        "the amount printed on it); empty when the message says it or there is nothing to do",
    )


class EarlierSubmissionSerializer(serializers.Serializer):
    """The earlier submission of the same slip under the same contact: it is the one that counts while it is not
    rejected or revoked. Not its id: a typed contact proves no ownership, and the id opens the submission."""

    status = serializers.ChoiceField(choices=Submission.Status.values, help_text="Its status now")
    created_at = serializers.DateTimeField(help_text="When it was uploaded")


def _nullable_string(help_text: str, **kwargs: Any) -> serializers.CharField:
    return serializers.CharField(allow_null=True, help_text=help_text, **kwargs)


class ConfidenceSerializer(serializers.Serializer):
    """One number per field, from 0 (not read) to 1."""

    kind = serializers.FloatField(min_value=0, max_value=1, help_text="That the document is of that kind")

    def get_fields(self):
        fields = super().get_fields()
        for name in FIELD_NAMES:
            fields[name] = serializers.FloatField(
                min_value=0, max_value=1, help_text=f"Of `{name}`: 0 when not read"
            )
        return fields


class RecognizedSerializer(serializers.Serializer):
    """What was read on the photo, each field null when it was not read."""

    kind = serializers.CharField(help_text="What the photo shows: `slip`, `receipt` or `other`")
    amount = _nullable_string("Total paid, two decimals, e.g. `1234.50`")
    date = serializers.DateField(allow_null=True, help_text="Date printed on the document")
    time = _nullable_string("Time printed on the document, `HH:MM`")
    card_last4 = _nullable_string("Last four digits of the card printed on the document")
    payment_system = _nullable_string("Card payment system, e.g. `VISA`, `MIR`")
    merchant = _nullable_string("Shop name as printed")
    rrn = _nullable_string("Retrieval reference number of the payment")
    auth_code = _nullable_string("Authorization code of the payment")
    terminal_id = _nullable_string("Card terminal id")
    confidence = ConfidenceSerializer(help_text="How sure the reading of each field is")


class ExtrasField(serializers.DictField):
    """Declared in the schema with the properties other apps register (promo.extras.schema_properties)."""


class ExtrasFieldExtension(OpenApiSerializerFieldExtension):
    target_class = ExtrasField

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "object", "properties": extras.schema_properties(), "additionalProperties": True}


class SubmissionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    campaign = serializers.SlugField(source="campaign.slug", help_text="The campaign's `slug`")
    status = serializers.ChoiceField(choices=Submission.Status.values, help_text=STATUS_HELP)
    reasons = serializers.SerializerMethodField(
        help_text="Why it stands where it does, in the Accept-Language. After a person's act (an appeal, a "
        "moderator's decision) only its reason, the first, is given."
    )
    recognized = serializers.SerializerMethodField(
        help_text="What was read; null until the photo has been read"
    )
    created_at = serializers.DateTimeField(help_text="When the upload was received")
    decided_at = serializers.DateTimeField(
        allow_null=True,
        help_text="When the submission reached its current status after being read: the decision for "
        "`accepted`, `rejected` and `revoked`; for `moderation`, when it was sent to a person (again after an "
        "appeal). Null while `received` or `processing`. Whether a decision is final is told by `status`.",
    )
    can_appeal = serializers.SerializerMethodField(
        help_text="The participant may ask, once, for a person to check this automatic rejection "
        "(POST .../appeal/): show the button"
    )
    appealed_at = serializers.DateTimeField(
        allow_null=True, help_text="When the participant asked for a person to check it; null if never"
    )
    next_step = serializers.SerializerMethodField(
        help_text="What the participant can do now whatever the reasons, in the Accept-Language (e.g. keep the "
        "paper slip until the draw); empty when there is nothing to say"
    )
    duplicate_of = serializers.SerializerMethodField(
        help_text="When this upload was refused as a copy of an earlier submission of the same slip under the same "
        "contact: that submission's status and time, the status to show. Null otherwise, and always when the "
        "earlier copy is under another contact."
    )
    extras = serializers.SerializerMethodField(
        help_text="What other parts of the campaign add, by key (e.g. `promo_code`, the instant prize of an "
        "accepted slip). Empty when there is nothing to show; a client ignores keys it does not know."
    )

    def _shown(self, submission: Submission) -> tuple[list[dict[str, str]], Submission | None]:
        """The status page's reasons and own earlier copy (promo.status_page), worked out once per submission."""
        cache = self.__dict__.setdefault("_shown_cache", {})
        if submission.pk not in cache:
            cache[submission.pk] = shown_reasons(submission)
        return cache[submission.pk]

    @extend_schema_field(ReasonSerializer(many=True))
    def get_reasons(self, submission: Submission) -> list[dict[str, str]]:
        reasons, _earlier = self._shown(submission)
        return [{"code": r.get("of", r["code"]), "message": r["message"], "next": r["next"]} for r in reasons]

    def get_next_step(self, submission: Submission) -> str:
        return status_next_step(submission.status, on_the_page=False)

    @extend_schema_field(EarlierSubmissionSerializer(allow_null=True))
    def get_duplicate_of(self, submission: Submission) -> dict | None:
        _reasons, earlier = self._shown(submission)
        if earlier is None:
            return None
        return EarlierSubmissionSerializer(earlier).data

    def get_can_appeal(self, submission: Submission) -> bool:
        return can_appeal(submission)

    @extend_schema_field(ExtrasField())
    def get_extras(self, submission: Submission) -> dict:
        return extras.submission_extras(submission)

    @extend_schema_field(RecognizedSerializer(allow_null=True))
    def get_recognized(self, submission: Submission) -> dict | None:
        return recognized_summary(submission)


def submission_created_payload(submission: Submission, request) -> dict:
    url = request.build_absolute_uri(reverse("api:submission-detail", kwargs={"pk": submission.pk}))
    return {"id": str(submission.pk), "status": submission.status, "url": url}


# --- Campaigns: the public rules ------------------------------------------------------------------------------


class DocumentSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=list(DOCUMENTS), help_text="Stable name of the document")
    description = serializers.CharField(help_text="What it is, in the Accept-Language")


class LimitsSerializer(serializers.Serializer):
    accepted_per_day = serializers.IntegerField(
        allow_null=True,
        source="max_accepted_per_day",
        help_text="Accepted slips per participant per day (the campaign's time zone); null: no limit",
    )
    accepted_per_campaign = serializers.IntegerField(
        allow_null=True,
        source="max_accepted_per_campaign",
        help_text="Accepted slips per participant in the whole campaign; null: no limit",
    )


class CampaignSerializer(serializers.Serializer):
    """The rules a participant must know; never the campaign's internal settings (thresholds, policy, staff)."""

    slug = serializers.SlugField(help_text="The campaign's key in every URL")
    name = serializers.CharField(help_text="As the organizer wrote it")
    starts_on = serializers.DateField(help_text="First day: slips printed from this day count")
    ends_on = serializers.DateField(help_text="Last day: slips printed up to this day (included) count")
    timezone = serializers.CharField(help_text="IANA time zone the days are counted in, e.g. `Europe/Moscow`")
    currency = serializers.CharField(help_text="ISO 4217 code, e.g. `RUB`")
    min_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="Smallest purchase that counts; `0.00`: any"
    )
    payment_systems = serializers.ListField(
        child=serializers.ChoiceField(choices=list(PAYMENT_SYSTEMS)),
        help_text="Card payment systems the purchase must be paid with; empty: any",
    )
    documents = serializers.SerializerMethodField(help_text="What the participant may photograph")
    photograph = serializers.SerializerMethodField(
        help_text="One sentence telling the participant what to photograph, in the Accept-Language"
    )
    card_checked = serializers.SerializerMethodField(
        help_text="Whether the card's last 4 digits are checked against the document (every accepted document "
        "shows the card payment)"
    )
    limits = LimitsSerializer(source="*")
    uploads_open = serializers.BooleanField(
        source="is_active", help_text="Whether uploads are accepted now (otherwise an upload gets 409 "
        "`uploads_closed`)"
    )  # fmt: skip
    rules_url = serializers.SerializerMethodField(
        help_text="The rules and privacy notice the participant accepts with `consent`; null if not published"
    )
    rules_version = serializers.CharField(help_text="Version of the rules an upload now records")
    url = serializers.SerializerMethodField(help_text="This campaign in the API")
    upload_url = serializers.SerializerMethodField(help_text="Where to POST an upload (multipart/form-data)")
    page_url = serializers.SerializerMethodField(help_text="The participants' upload page in a browser")

    @extend_schema_field(DocumentSerializer(many=True))
    def get_documents(self, campaign: Campaign) -> list[dict[str, str]]:
        descriptions = dict(DOCUMENT_CHOICES)
        return [
            {"code": code, "description": str(descriptions[code])}
            for code in normalize_documents(campaign.documents)
        ]

    def get_photograph(self, campaign: Campaign) -> str:
        return str(photograph_instruction(campaign.documents))

    def get_card_checked(self, campaign: Campaign) -> bool:
        return asks_for_card(normalize_documents(campaign.documents))

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_rules_url(self, campaign: Campaign) -> str | None:
        return campaign.rules_url or None

    def _absolute(self, name: str, campaign: Campaign) -> str:
        return self.context["request"].build_absolute_uri(reverse(name, kwargs={"slug": campaign.slug}))

    @extend_schema_field(serializers.URLField())
    def get_url(self, campaign: Campaign) -> str:
        return self._absolute("api:campaign-detail", campaign)

    @extend_schema_field(serializers.URLField())
    def get_upload_url(self, campaign: Campaign) -> str:
        return self._absolute("api:submission-create", campaign)

    @extend_schema_field(serializers.URLField())
    def get_page_url(self, campaign: Campaign) -> str:
        return self._absolute("promo:upload", campaign)


class CampaignListSerializer(serializers.Serializer):
    """Not paginated: a brand runs a handful of campaigns at once. The shape is that of a page (`count`,
    `results`), so `next` can be added without breaking clients."""

    count = serializers.IntegerField(help_text="How many campaigns accept uploads")
    results = CampaignSerializer(many=True)
