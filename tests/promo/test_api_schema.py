"""The OpenAPI schema: valid by drf-spectacular's own validation, English, typed, the photo a binary file; and the API
run against it by schemathesis (in-process, through the WSGI application) answers no 5xx and nothing the schema
does not describe."""

import io
import re
import time
from contextlib import contextmanager

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from promo.models import Submission
from tests.factories import CampaignFactory, RecognitionFactory, SubmissionFactory

CYRILLIC = re.compile("[а-яА-ЯёЁ]")


@pytest.fixture
def schema_json(db) -> dict:
    response = APIClient().get("/api/schema/", {"format": "json", "lang": "ru"}, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200
    return response.json()


def test_spectacular_validates_the_schema_without_a_warning(tmp_path):
    out = tmp_path / "schema.yaml"
    # --fail-on-warn: any warning or error of drf-spectacular (an untyped field, a name clash) fails here.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out), stdout=io.StringIO())
    assert out.read_text().startswith("openapi: 3.1.0")


def test_the_photo_is_a_binary_file_in_a_multipart_body(schema_json):
    body = schema_json["paths"]["/api/v1/campaigns/{slug}/submissions/"]["post"]["requestBody"]
    assert list(body["content"]) == ["multipart/form-data"]
    name = body["content"]["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[1]
    photo = schema_json["components"]["schemas"][name]["properties"]["photo"]
    assert (photo["type"], photo["format"]) == ("string", "binary")


def test_the_schema_is_english_whatever_the_request_language(schema_json):
    text = str(schema_json)
    assert not CYRILLIC.search(text), CYRILLIC.search(text)
    status = schema_json["components"]["schemas"]["Submission"]["properties"]["status"]
    assert "title" not in status  # no model verbose name leaks in


def test_every_operation_has_an_id_tags_and_errors_in_the_envelope(schema_json):
    operations = {
        (path, method): operation
        for path, item in schema_json["paths"].items()
        for method, operation in item.items()
    }
    assert {op["operationId"] for op in operations.values()} == {
        "campaigns_list", "campaigns_retrieve", "submissions_create", "submissions_retrieve", "submissions_appeal",
    }  # fmt: skip
    for (path, method), operation in operations.items():
        assert operation["tags"] in (["campaigns"], ["submissions"]), (path, method)
        errors = {code: r for code, r in operation["responses"].items() if code[0] in "45"}
        assert "500" in errors, (path, method)
        if "{" in path:
            assert "404" in errors, (path, method)
        for code, response in errors.items():
            assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
            assert response["content"]["application/json"]["examples"], (path, method, code)


def test_recognized_checks_and_extras_are_typed_objects(schema_json):
    schemas = schema_json["components"]["schemas"]
    submission = schemas["Submission"]["properties"]
    reference, null = submission["recognized"]["oneOf"]  # OAS 3.1: nullable is a choice of null
    recognized = schemas[reference["$ref"].rsplit("/", 1)[1]]
    assert {"kind", "amount", "date", "card_last4", "confidence"} <= set(recognized["properties"])
    assert null == {"type": "null"}
    assert submission["reasons"]["items"] == {"$ref": "#/components/schemas/Reason"}
    assert submission["extras"]["type"] == "object"
    assert submission["extras"]["properties"]["promo_code"]["type"] == "string"  # declared by prizes
    campaign = schemas["Campaign"]["properties"]
    assert campaign["limits"] == {"$ref": "#/components/schemas/Limits"}
    assert campaign["documents"]["items"] == {"$ref": "#/components/schemas/Document"}
    assert not {"min_confidence", "reject_confidence", "failure_policy", "moderators"} & set(campaign)


def test_swagger_ui_offers_a_file_picker_for_the_photo(schema_json):
    """Swagger UI draws a file input for a multipart property of type string, format binary: the schema above,
    and the page loads that schema."""
    page = APIClient().get("/api/docs/").content.decode()
    assert "/api/schema/" in page


# --- schemathesis ------------------------------------------------------------------------------------------------

# Per operation and generation mode: about 100 requests in all, in well under a minute.
EXAMPLES = 12
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Operations with an input that can be made invalid (a body, a UUID); the campaigns' take a free-form header and a
# free-form slug only, so there is no negative case to make (hypothesis would search for one in vain).
NEGATIVE = {"submissions_create", "submissions_retrieve", "submissions_appeal"}


@contextmanager
def _connections_kept_open():
    """Django's WSGI handler closes "old" connections around each request; inside a test's transaction that would
    close the test's own connection. The test client disconnects the same handler, for the same reason."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(db):
    """An active campaign (the slug the schema's example names), a decided submission with what was read, and an
    automatic rejection that can be appealed once."""
    campaign = CampaignFactory(slug="autumn", payment_systems=["VISA"], max_accepted_per_day=3)
    accepted = RecognitionFactory(submission__campaign=campaign, submission__status="accepted").submission
    rejected = SubmissionFactory(
        campaign=campaign, status="rejected", reasons=[{"code": "amount_mismatch", "details": {}}]
    )
    return {"slug": campaign.slug, "id": [str(accepted.pk), str(rejected.pk)]}


def test_schemathesis_finds_no_server_error_and_no_response_outside_the_schema(seeded):
    started = time.monotonic()
    statuses: dict[str, set[int]] = {}
    with _connections_kept_open():
        schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) == 5
        for operation in operations:
            operation_id = operation.definition.raw["operationId"]
            seen = statuses.setdefault(operation_id, set())
            # Random path parameters mostly miss: the seeded ones reach the campaign and the submissions too.
            known = {p.name: st.sampled_from([seeded[p.name]] if p.name == "slug" else seeded[p.name])
                     for p in operation.path_parameters}  # fmt: skip
            positive = operation.as_strategy()
            if known:
                positive = st.one_of(
                    positive,
                    st.fixed_dictionaries(known).flatmap(lambda values, op=operation: op.as_strategy(path_parameters=values)),
                )  # fmt: skip
            _run(positive, CHECKS, seen)
            if operation_id in NEGATIVE:
                negative = operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE)
                _run(negative, [*CHECKS, negative_data_rejection], seen)
    elapsed = time.monotonic() - started
    # Each operation answered its success and its errors, not one of them only.
    assert {200} <= statuses["campaigns_list"]
    assert {200, 404} <= statuses["campaigns_retrieve"]
    assert {400, 404} <= statuses["submissions_create"]  # random bytes for a photo: a clean 400
    assert {200, 404} <= statuses["submissions_retrieve"]
    assert {200, 404, 409} <= statuses["submissions_appeal"]
    # Nothing of random input was stored.
    assert Submission.objects.filter(channel=Submission.Channel.API).count() == 0
    assert elapsed < 60, elapsed


def _run(strategy, checks, seen: set[int]) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,  # the same cases every run: a failure here is reproducible, never flaky
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case):
        response = case.call()
        seen.add(response.status_code)
        case.validate_response(response, checks=checks)

    run()
