"""REST API for participants' apps: upload a slip, poll for the decision."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from promo import extras, submissions
from promo.appeals import AppealNotAllowed, submission_appeal
from promo.models import Submission
from promo.ratelimit import RateLimited, rate_limited_message, upload_rate_check
from promo.selectors import active_campaigns
from promo.serializers import (
    AppealRefusedSerializer,
    SubmissionCreatedSerializer,
    SubmissionCreateSerializer,
    SubmissionSerializer,
    appeal_refused_payload,
    submission_created_payload,
)
from promo.uploads import too_large_message, upload_was_too_large


class SubmissionCreateApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": SubmissionCreateSerializer},
        responses={
            202: SubmissionCreatedSerializer,
            400: OpenApiResponse(description="Field errors: {field: [messages]}, in the Accept-Language"),
            404: OpenApiResponse(description="No such campaign, or it no longer accepts uploads"),
            413: OpenApiResponse(description="The photo is over the size cap: {photo: [message]}"),
            429: OpenApiResponse(
                description="Too many uploads from this address or contact; see Retry-After"
            ),
        },
        summary="Upload a slip photo with the amount and card last 4 the participant typed",
    )
    def post(self, request: Request, slug: str) -> Response:
        campaign = get_object_or_404(active_campaigns(), slug=slug)
        data = request.data  # parsed here: the upload handler cuts a photo over the cap
        if upload_was_too_large(request):
            return Response({"photo": [too_large_message()]}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        try:
            upload_rate_check(request=request, contact=data.get("contact"))
        except RateLimited as limited:
            return Response(
                {"detail": rate_limited_message(limited.retry_after)},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(limited.retry_after)},
            )
        serializer = SubmissionCreateSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        submission = submissions.submission_create_from_input(
            campaign=campaign, data=serializer.validated_data, channel=Submission.Channel.API
        )
        return Response(submission_created_payload(submission, request), status=status.HTTP_202_ACCEPTED)


class SubmissionDetailApi(APIView):
    """Anyone holding the id (an unguessable UUID returned at upload) may read the decision."""

    @extend_schema(
        responses={200: SubmissionSerializer, 404: OpenApiResponse(description="No such submission")}
    )
    def get(self, request: Request, pk: str) -> Response:
        submission = get_object_or_404(
            Submission.objects.select_related("recognition", "campaign", *extras.related()), pk=pk
        )
        return Response(SubmissionSerializer(submission).data)


class SubmissionAppealApi(APIView):
    """Anyone holding the id may ask, as anyone holding it may read the decision. No rate limit of its own: uploads
    are rate-limited and each submission is appealed at most once (promo.appeals), so appeals add at most one
    moderator's look per upload."""

    @extend_schema(
        request=None,
        description="Sends an automatic rejection to a moderator, once per submission. The submission's "
        "`can_appeal` says whether it may be asked; otherwise 409 with `code` appeal_not_allowed, `why` and a "
        "`detail` in the Accept-Language.",
        responses={
            200: OpenApiResponse(SubmissionSerializer, description="Sent to a moderator: the submission now"),
            404: OpenApiResponse(description="No such submission"),
            409: OpenApiResponse(
                AppealRefusedSerializer,
                description="Not an automatic rejection a person can change, or already asked for "
                "(can_appeal is false)",
            ),
        },
        summary="Ask for a person to check an automatic rejection (once per submission)",
    )
    def post(self, request: Request, pk: str) -> Response:
        submission = get_object_or_404(
            Submission.objects.select_related("recognition", "campaign", *extras.related()), pk=pk
        )
        try:
            submission = submission_appeal(submission=submission)
        except AppealNotAllowed as refused:
            return Response(appeal_refused_payload(refused), status=status.HTTP_409_CONFLICT)
        return Response(SubmissionSerializer(submission).data)
