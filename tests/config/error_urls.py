"""The site's URLs and error handlers, plus views that fail, for tests/config/test_errors.py."""

from django.core.exceptions import BadRequest, PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500
from config.urls import urlpatterns as site_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]

TRACEBACK_MARKER = "kaboom-3f9c: a detail that must never reach the client"


def crash(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(TRACEBACK_MARKER)


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied(TRACEBACK_MARKER)


def bad(request: HttpRequest) -> HttpResponse:
    raise BadRequest(TRACEBACK_MARKER)


urlpatterns = [
    path("api/v1/test-crash/", crash),
    path("api/v1/test-forbidden/", forbidden),
    path("api/v1/test-bad/", bad),
    path("test-crash/", crash),
    path("test-forbidden/", forbidden),
    *site_urlpatterns,
]
