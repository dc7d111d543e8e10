"""Error responses with DEBUG off (the test settings): JSON under /api/, small static pages elsewhere."""

import logging
import uuid

import pytest
from django.test import Client
from django.test.utils import override_settings

from tests.config.error_urls import TRACEBACK_MARKER

pytestmark = pytest.mark.urls("tests.config.error_urls")


@pytest.fixture
def client() -> Client:
    client = Client()
    client.raise_request_exception = False  # what a real server does: the handler answers
    return client


def test_debug_is_off(settings):
    assert settings.DEBUG is False


@pytest.mark.parametrize("url", ["/api/v1/nope/", "/api/v1/submissions/not-a-uuid/"])
def test_api_unknown_path_or_malformed_id_is_json_404(client, url):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "not_found", "detail": "Not found."}


def test_api_404_speaks_russian_by_default(client):
    response = client.get("/api/v1/nope/")
    assert response.status_code == 404
    # "Не найдено." once the project's catalogue has it; DRF's ru_RU catalogue says "Страница не найдена." until then.
    assert "найден" in response.json()["detail"]
    assert response.json()["code"] == "not_found"
    assert response["Content-Language"] == "ru"


@pytest.mark.django_db
def test_api_exception_handler_hides_which_model_was_missing(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "EXCEPTION_HANDLER": "config.errors.api_exception_handler",
    }
    response = client.get(f"/api/v1/submissions/{uuid.uuid4()}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Not found."}


@pytest.mark.django_db
def test_api_unknown_id_is_the_same_json_404(client):
    response = client.get(f"/api/v1/submissions/{uuid.uuid4()}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Not found."}


def test_api_500_is_json_without_the_traceback(client, caplog):
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/api/v1/test-crash/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "server_error", "detail": "Server error."}
    body = response.content.decode()
    assert TRACEBACK_MARKER not in body and "Traceback" not in body and "RuntimeError" not in body
    # The operator still gets it, in the log.
    assert any(record.exc_info and TRACEBACK_MARKER in str(record.exc_info[1]) for record in caplog.records)


def test_api_403_and_400_are_json(client):
    forbidden = client.get("/api/v1/test-forbidden/", HTTP_ACCEPT_LANGUAGE="en")
    assert forbidden.status_code == 403
    assert forbidden.json() == {
        "code": "permission_denied",
        "detail": "You do not have permission to perform this action.",
    }
    bad = client.get("/api/v1/test-bad/", HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400
    assert bad.json() == {"code": "bad_request", "detail": "Bad request."}
    assert TRACEBACK_MARKER not in forbidden.content.decode() + bad.content.decode()


def test_page_404_is_a_small_html_page_with_a_link_home(client):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Page not found" in html
    assert '<a href="/">' in html


def test_page_500_is_html_without_the_traceback_and_needs_no_database(client):
    # No django_db mark: the handler would fail here if it touched the database.
    response = client.get("/test-crash/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "Server error" in html and '<a href="/">' in html
    assert TRACEBACK_MARKER not in html and "Traceback" not in html


def test_page_403_is_html(client):
    response = client.get("/test-forbidden/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    assert TRACEBACK_MARKER not in response.content.decode()


@override_settings(ROOT_URLCONF="config.urls")
def test_the_site_urlconf_names_the_handlers():
    from django.urls import get_resolver

    resolver = get_resolver()
    for status in (400, 403, 404, 500):
        assert resolver.resolve_error_handler(status).__module__ == "config.errors"


# --- With DEBUG on, Django answers a 404 or a 500 with its technical HTML page before any handler runs: under /api/
# the envelope replaces it all the same (config.errors.ApiErrorMiddleware).


@pytest.mark.parametrize("language", ["en", "ru"])
def test_with_debug_on_an_api_crash_is_still_the_json_envelope(client, settings, caplog, language):
    settings.DEBUG = True
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/api/v1/test-crash/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "code": "server_error",
        "detail": {"en": "Server error.", "ru": "Ошибка сервера."}[language],
    }
    assert response["Content-Language"] == language
    assert TRACEBACK_MARKER not in response.content.decode()
    assert any(record.exc_info and TRACEBACK_MARKER in str(record.exc_info[1]) for record in caplog.records)


@pytest.mark.parametrize("url", ["/api/v1/nope/", "/api/v1/submissions/not-a-uuid/"])
def test_with_debug_on_an_unknown_api_path_is_a_json_404(client, settings, url):
    settings.DEBUG = True
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Not found."}


def test_with_debug_on_pages_keep_djangos_debug_page(client, settings):
    settings.DEBUG = True
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_debug_on_forbidden_and_bad_request_under_api_are_json(client, settings):
    settings.DEBUG = True
    assert client.get("/api/v1/test-forbidden/").json()["code"] == "permission_denied"
    assert client.get("/api/v1/test-bad/").json()["code"] == "bad_request"
