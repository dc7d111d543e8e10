"""Slip photos are personal data: only staff who may moderate the campaign see them, and only through this view.

What is served is the working copy intake made, with the content type its bytes are, never a participant's
name or type, and headers that forbid a browser to treat it as anything but an image.
"""

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from promo.models import Submission
from promo.photos import sniff_format
from promo.selectors import campaigns_moderated_by

# What a stored working copy may be served as (intake writes JPEG; redaction writes JPEG).
SERVED_TYPES = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}


@staff_member_required
def submission_photo(request: HttpRequest, pk: str) -> HttpResponse:
    submission = get_object_or_404(Submission, pk=pk)
    if not campaigns_moderated_by(request.user).filter(pk=submission.campaign_id).exists():
        raise PermissionDenied
    if not submission.photo.name:
        raise Http404("no photo (erased)")
    try:
        with submission.photo.open("rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise Http404("photo file is missing") from None
    served = SERVED_TYPES.get(sniff_format(data[:64]) or "")
    if served is None:
        raise Http404("the stored file is not an image intake made")
    content_type, extension = served
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{submission.pk}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
