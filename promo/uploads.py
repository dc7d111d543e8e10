"""The request body's size, held while it streams in: a huge body is refused before it is read, and a file part
that grows past the cap is cut off, instead of being spooled whole to disk and measured afterwards."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from config.errors import error_json, field_error

# Form fields and multipart framing around the photo.
REQUEST_OVERHEAD_BYTES = 64 * 1024


def max_request_bytes() -> int:
    return settings.SLIPCHECK_MAX_PHOTO_BYTES + REQUEST_OVERHEAD_BYTES


def too_large_message() -> str:
    return _("The photo is larger than %(limit)d MB. Send a smaller photo (a phone photo is 2-8 MB).") % {
        "limit": settings.SLIPCHECK_MAX_PHOTO_BYTES // 2**20
    }


def too_large_response(request: HttpRequest) -> HttpResponse:
    """413 in the participant's language: the API's error envelope, or a small page for the form."""
    message = too_large_message()
    if request.path.startswith("/api/"):
        return error_json(413, "too_large", message, fields={"photo": [field_error("too_large", message)]})
    html = render_to_string("promo/refused.html", {"message": message}, request=request)
    return HttpResponse(html, status=413)


class RequestSizeLimitMiddleware:
    """Refuses a body whose Content-Length is over the cap before anything reads it (the CSRF check, the form
    and the parser all come later). WSGI servers never hand a view more than Content-Length says."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > max_request_bytes():
            request.upload_too_large = True
            # The body stays unread; the WSGI server closes the connection rather than read it as a next request
            # (gunicorn and runserver both do; a hop-by-hop header is not the application's to set).
            return too_large_response(request)
        return self.get_response(request)


class CappedUploadHandler(FileUploadHandler):
    """First of the upload handlers: counts the bytes of each file part and stops the upload past the cap.

    The request is marked, so the view answers 413 instead of "no photo" for the file the parser dropped.
    """

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.SLIPCHECK_MAX_PHOTO_BYTES:
            if self.request is not None:
                self.request.upload_too_large = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler keeps the file


def upload_was_too_large(request: HttpRequest) -> bool:
    return bool(getattr(request, "upload_too_large", False))
