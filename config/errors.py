"""Errors: one JSON envelope for every failure under /api/, small plain pages everywhere else.

The envelope (documented in the OpenAPI schema as `Error`, and in the README):

    {"code": "invalid", "detail": "...", "fields": {"amount": [{"code": "max_value", "message": "..."}]}}

- `code`: stable, for machines (ERROR_CODES); `detail`: one sentence in the request's language, for people;
- `fields` (400 `invalid`, 413 `too_large`): per field, each error with its own stable code and message;
- `why` (409 `appeal_not_allowed`) and `retry_after` (429 `rate_limited`, also the Retry-After header).

Three ways a failure reaches the client, and all three give the envelope: DRF's exceptions through
`api_exception_handler`; Django's error handlers with DEBUG off; and, with DEBUG on, where Django answers a 404 or a
500 with its technical HTML page before any handler, `ApiErrorMiddleware`, which replaces any non-JSON error under
/api/ by the envelope. The views here run when something already went wrong, so they need no database, no request
context and no URL reversing. Nothing of an exception reaches the client; Django's logger has the traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.template import loader
from django.urls import is_valid_path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import requires_csrf_token
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler

API_PREFIX = "/api/"
BODY_UNREADABLE = _(
    "The request body could not be read: send the fields as multipart/form-data, the photo as a file."
)

# Every `code` the envelope may carry, with the status that carries it. Stable: clients branch on them.
ERROR_CODES: dict[str, int] = {
    "invalid": 400,  # fields failed validation: see `fields`
    "parse_error": 400,  # the body could not be parsed (a broken multipart body)
    "bad_request": 400,  # any other malformed request
    "invalid_idempotency_key": 400,  # the Idempotency-Key header is malformed (promo.idempotency)
    "not_authenticated": 401,
    "authentication_failed": 401,
    "permission_denied": 403,
    "not_found": 404,  # an unknown route, campaign or submission, a malformed id
    "method_not_allowed": 405,
    "not_acceptable": 406,  # the Accept header asks for something other than JSON
    "appeal_not_allowed": 409,  # see `why`
    "uploads_closed": 409,  # the campaign no longer accepts uploads
    "too_large": 413,  # the body or the photo is over the size cap
    "unsupported_media_type": 415,  # the upload is not multipart/form-data (or a urlencoded form)
    "idempotency_key_reused": 422,  # the Idempotency-Key names an upload with other input
    "rate_limited": 429,  # see `retry_after`
    "server_error": 500,
}
# A failure that has no code of its own is named by its status.
_CODE_FOR_STATUS = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}
# DRF's own codes that the envelope names otherwise.
_RENAMED_DRF_CODES = {"throttled": "rate_limited"}
FIELDS_INVALID = _("Some fields are not filled in correctly: see the message at each field.")


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def code_for_status(status: int) -> str:
    return _CODE_FOR_STATUS.get(status, "server_error" if status >= 500 else "bad_request")


def error_body(code: str, detail: str, **extra: Any) -> dict[str, Any]:
    """The envelope; `extra` keys (fields, why, retry_after) are added only when given."""
    return {
        "code": code,
        "detail": str(detail),
        **{key: value for key, value in extra.items() if value is not None},
    }


def field_error(code: str, message: Any) -> dict[str, str]:
    return {"code": code, "message": str(message)}


def error_json(status: int, code: str, detail: str, **extra: Any) -> JsonResponse:
    """The envelope as a plain Django response, for code outside DRF (middleware, error handlers)."""
    # ensure_ascii off, as DRF renders: Russian messages stay readable UTF-8.
    return JsonResponse(
        error_body(code, detail, **extra), status=status, json_dumps_params={"ensure_ascii": False}
    )


class ApiError(exceptions.APIException):
    """A failure a view raises with its code and extra keys; `api_exception_handler` renders the envelope."""

    def __init__(
        self,
        *,
        status: int,
        code: str,
        detail: str,
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ):
        super().__init__(detail=detail, code=code)
        self.status_code = status
        self.error_code = code
        self.extra = extra
        self.headers = dict(headers or {})


def _flatten_field_errors(details: Any, prefix: str = "") -> dict[str, list[dict[str, str]]]:
    """DRF's full details ({field: [{message, code}]}, nested for nested serializers) as {field: [errors]}."""
    if isinstance(details, list) and all(isinstance(item, dict) and "code" in item for item in details):
        return {
            prefix or "non_field_errors": [field_error(item["code"], item["message"]) for item in details]
        }
    if isinstance(details, list):  # a list of nested objects: their index joins the name
        out: dict[str, list[dict[str, str]]] = {}
        for index, item in enumerate(details):
            out |= _flatten_field_errors(item, f"{prefix}.{index}" if prefix else str(index))
        return out
    if isinstance(details, dict) and {"code", "message"} <= set(details):
        return {prefix or "non_field_errors": [field_error(details["code"], details["message"])]}
    if isinstance(details, dict):
        out = {}
        for name, value in details.items():
            out |= _flatten_field_errors(value, f"{prefix}.{name}" if prefix else str(name))
        return out
    return {prefix or "non_field_errors": [field_error("invalid", details)]}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, answering with the envelope. A 404 or 403 raised by Django code says only "Not found." /
    the permission message: DRF passes Http404's own text on, and get_object_or_404's names the model ("No
    Submission matches the given query."), and the API should not tell more about a missing id than the page
    handlers do. Anything else (a bug) is left to Django: a 500, logged, rendered by `server_error`."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, exceptions.ParseError):
        # The parser's own words are English and technical ("Multipart form parse error - Invalid boundary").
        exc = exceptions.ParseError(gettext(BODY_UNREADABLE))
    response = exception_handler(exc, context)  # headers (Allow, WWW-Authenticate, Retry-After), rollback
    if response is None:
        return None
    if isinstance(exc, ApiError):
        response.data = error_body(exc.error_code, exc.detail, **exc.extra)
        for name, value in exc.headers.items():
            response[name] = value
    elif isinstance(exc, exceptions.ValidationError):
        response.data = error_body(
            "invalid", gettext(FIELDS_INVALID), fields=_flatten_field_errors(exc.get_full_details())
        )
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
        code = codes if isinstance(codes, str) else code_for_status(response.status_code)
        extra = {"retry_after": int(exc.wait)} if isinstance(exc, exceptions.Throttled) and exc.wait else {}
        detail = exc.detail if isinstance(exc.detail, str) else code_for_status(response.status_code)
        response.data = error_body(_RENAMED_DRF_CODES.get(code, code), detail, **extra)
    return response


class ApiErrorMiddleware:
    """Under /api/, an error answered with anything but JSON (Django's technical 404 and 500 pages with DEBUG
    on, a 405 of a plain Django view, a CSRF failure) becomes the envelope, in the request's language.

    Sits right after LocaleMiddleware: the language is active, and the Content-Language header is set on the
    response this returns."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _is_api(request) and request.method not in ("GET", "HEAD") and _slash_missing(request):
            # CommonMiddleware would answer a 301, which clients follow as a GET that drops the body (and with
            # DEBUG on, it raises instead): a 308 keeps the method and the body.
            return HttpResponsePermanentRedirect(
                request.get_full_path(force_append_slash=True), preserve_request=True
            )
        response = self.get_response(request)
        if not _is_api(request) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        status = response.status_code
        replacement = error_json(status, code_for_status(status), _status_detail(status))
        for header in ("Allow", "Retry-After"):
            if header in response:
                replacement[header] = response[header]
        return replacement


def _slash_missing(request: HttpRequest) -> bool:
    path, urlconf = request.path_info, getattr(request, "urlconf", None)
    return (
        settings.APPEND_SLASH
        and not path.endswith("/")
        and not is_valid_path(path, urlconf)
        and bool(is_valid_path(f"{path}/", urlconf))
    )


def _status_detail(status: int) -> str:
    messages = {
        400: _("Bad request."),
        403: _("You do not have permission to perform this action."),
        404: _("Not found."),
        405: _("Method not allowed."),
        413: _("The request is too large."),
    }
    return str(messages.get(status, _("Server error.") if status >= 500 else _("Bad request.")))


def _error(request: HttpRequest, status: int, template_name: str) -> HttpResponse:
    if _is_api(request):
        return error_json(status, code_for_status(status), _status_detail(status))
    return HttpResponse(loader.get_template(template_name).render(), status=status)


# Django's handlers for these are decorated so, to render even when the CSRF middleware did not run.
@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, "400.html")


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, "403.html")


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, "404.html")


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, 500, "500.html")


# --- The envelope in the OpenAPI schema ------------------------------------------------------------------------


class FieldErrorSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="Stable, per field: e.g. `required`, `invalid`, `min_value`, `max_value`, "
        "`max_decimal_places`, `not_an_image`, `too_large`"
    )
    message = serializers.CharField(help_text="What to tell the participant, in the Accept-Language")


class ErrorSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=list(ERROR_CODES), help_text="Stable: what went wrong, for machines"
    )
    detail = serializers.CharField(help_text="One sentence for people, in the Accept-Language")
    fields = serializers.DictField(
        child=FieldErrorSerializer(many=True),
        required=False,
        help_text="With `invalid` (400) and `too_large` (413): the errors of each field, by field name",
    )
    why = serializers.CharField(
        required=False, help_text="With `appeal_not_allowed` (409): which rule refused it"
    )
    retry_after = serializers.IntegerField(
        required=False, help_text="With `rate_limited` (429): seconds to wait, as the Retry-After header says"
    )
