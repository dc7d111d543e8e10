"""API shapes: parse what a client sends, shape what it gets back. No rules live here."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from promo import extras
from promo.amounts import parse_typed_amount
from promo.appeals import REFUSALS, AppealNotAllowed, can_appeal
from promo.contacts import normalize_contact
from promo.intake import EMPTY_FILE, photo_intake
from promo.models import Submission
from promo.privacy import CONSENT_REQUIRED
from promo.reasons import participant_reasons
from promo.selectors import recognized_summary


def _django_to_drf(error: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(error.messages)


@extend_schema_field({"type": "string", "example": "1234.50"})
class TypedAmountField(serializers.Field):
    """Accepts `1234.50`, `1234,50` or `1 234,50`; answers as a string with two decimals."""

    def to_internal_value(self, data):
        try:
            return parse_typed_amount(data)
        except DjangoValidationError as error:
            raise _django_to_drf(error) from None

    def to_representation(self, value):
        return f"{value:.2f}"


class SubmissionCreateSerializer(serializers.Serializer):
    photo = serializers.FileField(
        error_messages={"empty": EMPTY_FILE},
        help_text="Photo of a document the campaign accepts (the card-payment slip, a shop receipt showing the "
        "card payment, or any shop receipt, per campaign): JPEG, PNG, WebP or HEIC, up to the size cap; the "
        "format is read from the bytes, the file name and content type are ignored",
    )
    amount = TypedAmountField(help_text="Purchase amount as typed by the participant, e.g. 1234.50")
    card_last4 = serializers.RegexField(r"^\d{4}$", help_text="Last four digits of the card")
    contact = serializers.CharField(max_length=254, help_text="Phone number or e-mail of the participant")
    consent = serializers.BooleanField(
        help_text="The participant accepted the campaign's rules and privacy notice (must be true); the rules "
        "version in force is recorded with the upload"
    )

    def validate_photo(self, photo):
        """The one ingestion step: returns the checked photo with its working copy (promo.intake)."""
        try:
            return photo_intake(photo)
        except DjangoValidationError as error:
            raise _django_to_drf(error) from None

    def validate_consent(self, consent):
        if not consent:
            raise serializers.ValidationError(str(CONSENT_REQUIRED))
        return consent

    def validate_contact(self, contact):
        try:
            normalize_contact(contact)
        except DjangoValidationError as error:
            raise _django_to_drf(error) from None
        return contact


class SubmissionCreatedSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.CharField()
    url = serializers.URLField(help_text="Where to poll for the decision")


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class SubmissionSerializer(serializers.ModelSerializer):
    reasons = serializers.SerializerMethodField(
        help_text="Why it stands where it does, in the Accept-Language. After a person's act (an appeal, a "
        "moderator's decision) only its reason, the first, is given."
    )
    recognized = serializers.SerializerMethodField()
    can_appeal = serializers.SerializerMethodField(
        help_text="The participant may ask, once, for a person to check this automatic rejection "
        "(POST .../appeal/): show the button"
    )
    extras = serializers.SerializerMethodField(
        help_text="What other parts of the campaign add, by key: e.g. `promo_code` (the instant prize of an "
        "accepted slip). Empty when there is nothing to show."
    )

    class Meta:
        model = Submission
        fields = [
            "id",
            "status",
            "reasons",
            "recognized",
            "created_at",
            "decided_at",
            "can_appeal",
            "appealed_at",
            "extras",
        ]
        extra_kwargs = {"appealed_at": {"help_text": "When the participant asked for a person to check it"}}

    @extend_schema_field(ReasonSerializer(many=True))
    def get_reasons(self, submission: Submission) -> list[dict[str, str]]:
        return participant_reasons(submission)

    def get_can_appeal(self, submission: Submission) -> bool:
        return can_appeal(submission)

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_extras(self, submission: Submission) -> dict:
        return extras.submission_extras(submission)

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_recognized(self, submission: Submission) -> dict | None:
        return recognized_summary(submission)


class AppealRefusedSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=["appeal_not_allowed"], help_text="Always appeal_not_allowed")
    why = serializers.ChoiceField(choices=list(REFUSALS), help_text="Which rule refused it")
    detail = serializers.CharField(help_text="What the participant reads, in the Accept-Language")


def appeal_refused_payload(refused: AppealNotAllowed) -> dict[str, str]:
    return {"code": "appeal_not_allowed", "why": refused.why, "detail": refused.message}


def submission_created_payload(submission: Submission, request) -> dict:
    url = request.build_absolute_uri(reverse("api:submission-detail", kwargs={"pk": submission.pk}))
    return {"id": str(submission.pk), "status": submission.status, "url": url}
