"""Slip photos are personal data: only staff may see them, and only through this view."""

from django.contrib.admin.views.decorators import staff_member_required
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404

from promo.models import Submission


@staff_member_required
def submission_photo(request: HttpRequest, pk: str) -> FileResponse:
    submission = get_object_or_404(Submission, pk=pk)
    try:
        handle = submission.photo.open("rb")
    except FileNotFoundError:
        raise Http404("photo file is missing") from None
    response = FileResponse(handle)
    response["Cache-Control"] = "private, max-age=3600"
    return response
