"""The webhook the OpenAPI schema declares (OAS 3.1 `webhooks`) is what is sent: real bodies of every final state,
and a body scrubbed by an erasure, validate against its schema, key for key."""

import json

import jsonschema
import pytest
from rest_framework.test import APIClient

from prizes.models import PromoCode
from promo.models import Submission
from promo.privacy import participant_erase_by_id
from tests.factories import SubmissionFactory
from tests.webhooks.conftest import decided, move
from webhooks.models import Delivery

pytestmark = pytest.mark.django_db
Status = Submission.Status


@pytest.fixture
def schema() -> dict:
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def event_schema(schema: dict) -> dict:
    operation = schema["webhooks"]["submission.decided"]["post"]
    declared = operation["requestBody"]["content"]["application/json"]["schema"]
    headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
    assert headers == {"Slipcheck-Signature", "Slipcheck-Event-Id", "Slipcheck-Event-Type"}
    for name in ("WebhookEvent", "WebhookSubmission"):  # a field read-only in a received body would be hidden
        assert not [
            f for f in schema["components"]["schemas"][name]["properties"].values() if f.get("readOnly")
        ]
    # The components at the root, so that `#/components/schemas/...` resolves as in the schema.
    return {**declared, "components": schema["components"]}


def properties(schema: dict, name: str) -> set[str]:
    return set(schema["components"]["schemas"][name]["properties"])


def test_every_body_sent_is_the_declared_event_key_for_key(schema, campaign, endpoint, receiver):
    PromoCode.objects.create(campaign=campaign, code="AUTUMN-7Q2K")
    accepted = decided(campaign, Status.ACCEPTED)
    decided(campaign, Status.REJECTED, reasons=[{"code": "amount_mismatch", "details": {}}])
    copy = SubmissionFactory(
        campaign=campaign, participant=accepted.participant, status=Status.MODERATION, duplicate_of=accepted
    )
    move(copy, Status.REJECTED, reasons=[{"code": "duplicate_slip", "details": {}}])
    move(accepted, Status.REVOKED, reasons=[{"code": "moderator_revoked", "details": {"note": "fraud"}}])
    validator = jsonschema.Draft202012Validator(
        event_schema(schema), format_checker=jsonschema.FormatChecker()
    )
    bodies = [json.loads(d.body) for d in Delivery.objects.order_by("created_at")]
    assert sorted(b["submission"]["status"] for b in bodies) == [
        "accepted",
        "rejected",
        "rejected",
        "revoked",
    ]
    participant_erase_by_id(participant=accepted.participant, actor="test")
    bodies += [
        json.loads(d.body) for d in Delivery.objects.filter(submission__participant=accepted.participant)
    ]
    for body in bodies:
        validator.validate(body)
        assert set(body) == properties(schema, "WebhookEvent")
        assert set(body["submission"]) == properties(schema, "WebhookSubmission")
        for reason in body["submission"]["reasons"]:
            assert set(reason) == properties(schema, "Reason")
    assert any(b["submission"]["extras"] == {"promo_code": "AUTUMN-7Q2K"} for b in bodies)
    assert any(b["submission"]["duplicate_of"] for b in bodies)


def test_a_body_off_the_schema_is_caught(schema):
    """The check above can fail: a body without a field, or with one of the wrong type, does not validate."""
    validator = jsonschema.Draft202012Validator(
        event_schema(schema), format_checker=jsonschema.FormatChecker()
    )
    good = {
        "id": "4d6f0a8e-1c2b-4f3a-9e5d-7b8c9d0e1f2a",
        "type": "submission.decided",
        "created": "2026-10-05T09:12:44Z",
    }
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(good)  # no submission
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({**good, "type": "submission.created", "submission": {}})
