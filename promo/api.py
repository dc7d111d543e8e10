"""REST API v1 for participants' apps: read a campaign's rules, upload a slip, poll for the decision, appeal.

Anonymous by design: a participant has no account, and a submission's unguessable id is its only key. Every
failure answers the error envelope of config.errors (a stable `code`, a `detail` in the Accept-Language).
"""

from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import ApiError, ErrorSerializer, field_error
from promo import extras, idempotency, submissions
from promo.appeals import AppealNotAllowed, submission_appeal
from promo.models import Submission
from promo.ratelimit import RateLimited, rate_limited_message, upload_rate_check
from promo.selectors import active_campaigns, public_campaigns
from promo.serializers import (
    CampaignListSerializer,
    CampaignSerializer,
    SubmissionCreatedSerializer,
    SubmissionCreateSerializer,
    SubmissionSerializer,
    submission_created_payload,
)
from promo.uploads import too_large_message, upload_was_too_large

ACCEPT_LANGUAGE = OpenApiParameter(
    "Accept-Language",
    str,
    OpenApiParameter.HEADER,
    description="Language of every message, reason and error detail: `ru` (the default) or `en`",
    examples=[OpenApiExample("English", value="en"), OpenApiExample("Russian", value="ru")],
)
SLUG = OpenApiParameter(
    "slug",
    str,
    OpenApiParameter.PATH,
    description="The campaign's `slug`",
    examples=[OpenApiExample("slug", "autumn")],
)
SUBMISSION_ID = OpenApiParameter(
    "id",
    OpenApiTypes.UUID,
    OpenApiParameter.PATH,
    description="The submission's id, as the upload answered it",
)
IDEMPOTENCY_KEY = OpenApiParameter(
    idempotency.HEADER,
    str,
    OpenApiParameter.HEADER,
    description="Optional, recommended: a key the client makes for this upload (1-100 printable ASCII characters "
    "without spaces, e.g. a UUID) and sends again with every retry of it. A repeat with the same key, contact, "
    "photo, amount and card answers 200 with the first upload's submission (`Idempotent-Replayed: true`) instead "
    "of making a second one; the same key and contact with another photo, amount or card is refused (422 "
    "`idempotency_key_reused`). A key is its contact's: under another contact it names another upload.",
    examples=[OpenApiExample("UUID", value="3f0b7c1e-9a52-4c59-8f0e-2d6f1b0a7c44")],
)
REPLAYED = OpenApiParameter(
    "Idempotent-Replayed",
    str,
    OpenApiParameter.HEADER,
    response=[200],
    description="`true`: this answers a repeat of an upload already stored",
)
RETRY_AFTER = OpenApiParameter(
    "Retry-After", int, OpenApiParameter.HEADER, response=[429], description="Seconds to wait before retrying"
)

_ERROR_EXAMPLES = {
    400: {
        "code": "invalid",
        "detail": "Some fields are not filled in correctly: see the message at each field.",
        "fields": {
            "amount": [{"code": "max_value", "message": "That is more than any purchase: enter at most "
                        "9,999,999,999.99."}],
            "card_last4": [{"code": "invalid", "message": "Enter the last 4 digits of the card: exactly four "
                            "digits."}],
        },
    },
    404: {"code": "not_found", "detail": "Not found."},
    409: {"code": "uploads_closed", "detail": "This campaign no longer accepts uploads."},
    422: {
        "code": "idempotency_key_reused",
        "detail": "This Idempotency-Key was already used with this contact for an upload with another photo, "
        "amount or card. Use a new key for a new upload.",
    },
    413: {
        "code": "too_large",
        "detail": "The photo is larger than 15 MB. Send a smaller photo (a phone photo is 2-8 MB).",
        "fields": {"photo": [{"code": "too_large", "message": "The photo is larger than 15 MB. Send a smaller "
                              "photo (a phone photo is 2-8 MB)."}]},
    },
    415: {"code": "unsupported_media_type", "detail": 'Unsupported media type "application/json" in request.'},
    429: {
        "code": "rate_limited",
        "detail": "Too many uploads in a short time. Wait 1 minute, then send your slip again.",
        "retry_after": 42,
    },
    500: {"code": "server_error", "detail": "Server error."},
}  # fmt: skip


def _error(status_code: int, description: str, example: dict | None = None) -> OpenApiResponse:
    example = example or _ERROR_EXAMPLES[status_code]
    return OpenApiResponse(
        ErrorSerializer,
        description=description,
        examples=[OpenApiExample(example["code"], value=example, status_codes=[str(status_code)])],
    )


_SERVER_ERROR = _error(500, "A fault on our side, logged; nothing of it is told. Retry later.")
_NO_SUBMISSION = _error(404, "No such submission (an unknown or malformed id)")


# No authentication, so no CSRF either: participants have no account, and a staff member's session cookie must not
# change what the API does.
class PublicApiView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]


class ParticipantApiView(PublicApiView):
    """A participant's own submission (its promo code, its card's last digits): never kept by a cache on the way,
    shared or the browser's, whatever the answer (errors included)."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        add_never_cache_headers(response)
        patch_cache_control(response, private=True)
        return response


class CampaignListApi(PublicApiView):
    @extend_schema(
        operation_id="campaigns_list",
        tags=["campaigns"],
        summary="Campaigns accepting uploads now, with their rules",
        parameters=[ACCEPT_LANGUAGE],
        responses={200: CampaignListSerializer, 500: _SERVER_ERROR},
    )
    def get(self, request: Request) -> Response:
        campaigns = CampaignSerializer(active_campaigns(), many=True, context={"request": request}).data
        return Response({"count": len(campaigns), "results": campaigns})


class CampaignDetailApi(PublicApiView):
    @extend_schema(
        operation_id="campaigns_retrieve",
        tags=["campaigns"],
        summary="A campaign's rules: period, minimum amount, payment systems, documents, limits",
        description="Also a closed campaign that had started (`uploads_open` false), so that an app can say it is "
        "over rather than unknown.",
        parameters=[ACCEPT_LANGUAGE, SLUG],
        responses={200: CampaignSerializer, 404: _error(404, "No such campaign"), 500: _SERVER_ERROR},
    )
    def get(self, request: Request, slug: str) -> Response:
        campaign = get_object_or_404(public_campaigns(), slug=slug)
        return Response(CampaignSerializer(campaign, context={"request": request}).data)


class SubmissionCreateApi(ParticipantApiView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="submissions_create",
        tags=["submissions"],
        summary="Upload a slip photo with the amount and card last 4 the participant typed",
        description="Answers at once with the submission's id and where to poll: the photo is read in the "
        "background, usually within seconds. Every field error is given, each with its own `code`, in the "
        "Accept-Language. Send an `Idempotency-Key` to retry safely after a timeout or a lost answer: the "
        "repeat answers 200 with the same submission (its status now).",
        parameters=[ACCEPT_LANGUAGE, SLUG, IDEMPOTENCY_KEY, RETRY_AFTER, REPLAYED],
        request={"multipart/form-data": SubmissionCreateSerializer},
        responses={
            202: SubmissionCreatedSerializer,
            200: OpenApiResponse(
                SubmissionCreatedSerializer,
                description="A repeat of an upload already stored with this Idempotency-Key and the same input: "
                "its submission, with `Idempotent-Replayed: true`; nothing new is stored or counted",
            ),
            400: _error(
                400,
                "Field errors (`invalid`, see `fields`), a body that is not a valid form (`parse_error`), or a "
                "malformed Idempotency-Key header (`invalid_idempotency_key`)",
            ),
            404: _error(404, "No such campaign"),
            409: _error(409, "The campaign no longer accepts uploads (`uploads_closed`)"),
            413: _error(413, "The photo (or the whole body) is over the size cap (`too_large`)"),
            422: _error(
                422,
                "The Idempotency-Key was used with this contact for an upload with another photo, amount or "
                "card (`idempotency_key_reused`)",
            ),
            415: _error(415, "Not multipart/form-data (`unsupported_media_type`)"),
            429: _error(
                429, "Too many uploads from this address or contact (`rate_limited`): see Retry-After"
            ),
            500: _SERVER_ERROR,
        },
    )
    def post(self, request: Request, slug: str) -> Response:
        campaign = get_object_or_404(public_campaigns(), slug=slug)
        data = request.data  # parsed here: the upload handler cuts a photo over the cap
        if upload_was_too_large(request):
            message = too_large_message()
            raise ApiError(
                status=413,
                code="too_large",
                detail=message,
                fields={"photo": [field_error("too_large", message)]},
            )
        key = _idempotency_key(request)
        try:
            replayed = idempotency.replayed_submission(
                campaign=campaign, key=key, data=data, photo=data.get("photo")
            )
        except idempotency.IdempotencyKeyReused:
            raise _key_reused() from None
        if replayed is not None:  # before the campaign's end: a retry of an upload it took gets its answer
            return _created_response(replayed, request, created=False)
        if not campaign.is_active:
            raise ApiError(
                status=409, code="uploads_closed", detail=_("This campaign no longer accepts uploads.")
            )
        try:
            upload_rate_check(request=request, contact=data.get("contact"))
        except RateLimited as limited:
            raise ApiError(
                status=429,
                code="rate_limited",
                detail=rate_limited_message(limited.retry_after),
                retry_after=limited.retry_after,
                headers={"Retry-After": str(limited.retry_after)},
            ) from None
        serializer = SubmissionCreateSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        try:
            submission, created = submissions.submission_create_once(
                campaign=campaign,
                data=serializer.validated_data,
                channel=Submission.Channel.API,
                idempotency_key=key,
            )
        except idempotency.IdempotencyKeyReused:
            raise _key_reused() from None
        return _created_response(submission, request, created=created)


def _idempotency_key(request: Request) -> str:
    key = request.headers.get(idempotency.HEADER)
    if key is None:
        return ""
    if not idempotency.is_valid_key(key):
        raise ApiError(status=400, code="invalid_idempotency_key", detail=str(idempotency.KEY_INVALID))
    return key


def _key_reused() -> ApiError:
    return ApiError(status=422, code="idempotency_key_reused", detail=str(idempotency.KEY_REUSED))


def _created_response(submission: Submission, request: Request, *, created: bool) -> Response:
    if created:
        return Response(submission_created_payload(submission, request), status=status.HTTP_202_ACCEPTED)
    return Response(
        submission_created_payload(submission, request),
        status=status.HTTP_200_OK,
        headers={"Idempotent-Replayed": "true"},
    )


def _submission(pk: str) -> Submission:
    return get_object_or_404(
        Submission.objects.select_related("recognition", "campaign", *extras.related()), pk=pk
    )


class SubmissionDetailApi(ParticipantApiView):
    """Anyone holding the id (an unguessable UUID returned at upload) may read the decision."""

    @extend_schema(
        operation_id="submissions_retrieve",
        tags=["submissions"],
        summary="The submission's status, the reasons for it, and what was read",
        description="Poll every 2-3 seconds while `received` or `processing`, every minute or so while "
        "`moderation`; the other statuses are decisions.",
        parameters=[ACCEPT_LANGUAGE, SUBMISSION_ID],
        responses={200: SubmissionSerializer, 404: _NO_SUBMISSION, 500: _SERVER_ERROR},
    )
    def get(self, request: Request, pk: str) -> Response:
        return Response(SubmissionSerializer(_submission(pk)).data)


class SubmissionAppealApi(ParticipantApiView):
    """Anyone holding the id may ask, as anyone holding it may read the decision. No rate limit of its own: uploads
    are rate-limited and each submission is appealed at most once (promo.appeals), so appeals add at most one
    moderator's look per upload."""

    @extend_schema(
        operation_id="submissions_appeal",
        tags=["submissions"],
        request=None,
        summary="Ask for a person to check an automatic rejection (once per submission)",
        description="Sends an automatic rejection to a moderator, once per submission. The submission's "
        "`can_appeal` says whether it may be asked; otherwise 409 with `code` appeal_not_allowed, `why` and a "
        "`detail` in the Accept-Language.",
        parameters=[ACCEPT_LANGUAGE, SUBMISSION_ID],
        responses={
            200: OpenApiResponse(SubmissionSerializer, description="Sent to a moderator: the submission now"),
            404: _NO_SUBMISSION,
            409: _error(
                409,
                "Not an automatic rejection a person can change, or already asked for (`can_appeal` is false): "
                "`appeal_not_allowed`, with `why` (`already_appealed`, `not_rejected`, `decided_by_moderator`, "
                "`photo_erased`, `not_changeable`)",
                {
                    "code": "appeal_not_allowed",
                    "detail": "You have already asked for a person to check this slip: it can be asked only once.",
                    "why": "already_appealed",
                },
            ),
            500: _SERVER_ERROR,
        },
    )
    def post(self, request: Request, pk: str) -> Response:
        submission = _submission(pk)
        try:
            submission = submission_appeal(submission=submission)
        except AppealNotAllowed as refused:
            raise ApiError(
                status=409, code="appeal_not_allowed", detail=refused.message, why=refused.why
            ) from None
        return Response(SubmissionSerializer(submission).data)
