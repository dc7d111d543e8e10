"""Error responses with DEBUG off: JSON under /api/, small plain pages everywhere else.

The views run when something already went wrong, so they need no database, no request context and no URL
reversing: a fixed message in the request's language (LocaleMiddleware has activated it) and a static template.
Nothing of the exception reaches the client; Django's logger has the traceback.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext
from django.views.decorators.csrf import requires_csrf_token
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

API_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _error(request: HttpRequest, status: int, detail: str, template_name: str) -> HttpResponse:
    if _is_api(request):
        # ensure_ascii off, as DRF renders: Russian messages stay readable UTF-8.
        return JsonResponse({"detail": detail}, status=status, json_dumps_params={"ensure_ascii": False})
    return HttpResponse(loader.get_template(template_name).render(), status=status)


# Django's handlers for these are decorated so, to render even when the CSRF middleware did not run.
@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, gettext("Bad request."), "400.html")


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, gettext("You do not have permission to perform this action."), "403.html")


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, gettext("Not found."), "404.html")


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, 500, gettext("Server error."), "500.html")


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, except that a 404 or 403 raised by Django code says only "Not found." / the permission message.

    DRF passes Http404's own text on, and get_object_or_404's names the model ("No Submission matches the given
    query."): the API should not tell more about a missing id than the page handlers do.
    """
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    return exception_handler(exc, context)
