"""The webhook as the OpenAPI schema declares it (OAS 3.1 `webhooks`): what a client's endpoint receives, typed as
the API's submission is, so a client generates one set of types for what it polls and what it is sent."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, OpenApiWebhook, extend_schema
from rest_framework import serializers

from promo.models import Submission
from promo.serializers import ReasonSerializer, SubmissionSerializer
from webhooks import signing
from webhooks.payloads import EVENT_DECIDED, OMITTED


class WebhookSubmissionSerializer(SubmissionSerializer):
    """The API's submission (GET /api/v1/submissions/{id}/) less what is for the participant's screen, plus what
    was typed. Reasons' messages are in the site's default language."""

    status = serializers.ChoiceField(
        choices=sorted(Submission.FINAL),
        help_text="The final status decided; an endpoint may ask for only some",
    )
    reasons = ReasonSerializer(
        many=True,
        help_text="Why it stands where it does, in the site's default language (a webhook has no reader to ask): "
        "branch on the codes",
    )
    next_step = serializers.CharField(
        allow_blank=True,
        help_text="What the participant can do now, in the site's default language; may be empty",
    )
    typed_amount = serializers.CharField(
        help_text="The amount the participant typed, two decimals, e.g. `1234.50`"
    )
    currency = serializers.CharField(help_text="ISO 4217 code of the campaign's currency, e.g. `RUB`")

    def get_fields(self):
        fields = super().get_fields()
        for name in OMITTED:
            fields.pop(name)
        return fields


class WebhookEventSerializer(serializers.Serializer):
    id = serializers.UUIDField(
        help_text="The event's id, also in the `Slipcheck-Event-Id` header: the same on every retry and resend; "
        "process each id once"
    )
    type = serializers.ChoiceField(choices=[EVENT_DECIDED], help_text="What happened")
    created = serializers.DateTimeField(
        help_text="When the event was made (UTC), not when this attempt was sent"
    )
    submission = WebhookSubmissionSerializer(help_text="The submission as it stood when decided")


DECIDED = OpenApiWebhook(
    name=EVENT_DECIDED,
    decorator=extend_schema(
        operation_id="webhook_submission_decided",
        summary="A submission was decided",
        description="Sent by POST to each active HTTPS endpoint the campaign registered for the new status, when a "
        "submission reaches a final state (accepted, rejected, revoked) and again when a person changes it. "
        "Check the signature over the raw body before parsing it (README, Webhooks): "
        '`HMAC-SHA256(secret, "<t>.<body>")` in hex must equal a `v1` of the header, and `t` be recent. Answer '
        "any 2xx within 10 seconds; anything else, or no answer, is retried with exponential backoff for a day.",
        request=WebhookEventSerializer,
        responses={
            200: OpenApiResponse(description="Received: any 2xx status stops the retries"),
        },
    ),
)


HEADERS = [
    (
        signing.SIGNATURE_HEADER,
        "`t=<unix time>,v1=<hex HMAC-SHA256>`; a second `v1` while a secret is rotated",
    ),
    (signing.EVENT_ID_HEADER, "The event's id, as in the body"),
    (signing.EVENT_TYPE_HEADER, f"`{EVENT_DECIDED}`"),
]


def declare_webhooks(result, generator, request, public):
    """drf-spectacular's postprocessing hook, for what its webhooks leave out or get backwards: an operation's
    header parameters (the signature is what a receiver reads first), and `readOnly` on the fields of the API's
    submission, which in a body the client receives would hide them (Swagger UI drops read-only fields from a
    request body's example, and code generators from its type)."""
    for path_item in (result.get("webhooks") or {}).values():
        for operation in path_item.values():
            operation["parameters"] = [
                {
                    "in": "header",
                    "name": name,
                    "required": True,
                    "schema": {"type": "string"},
                    "description": text,
                }
                for name, text in HEADERS
            ]
    schemas = result.get("components", {}).get("schemas", {})
    for name in ("WebhookEvent", "WebhookSubmission"):
        for field in schemas.get(name, {}).get("properties", {}).values():
            field.pop("readOnly", None)
    return result
