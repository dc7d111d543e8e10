import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from promo.models import Submission
from tests.factories import CampaignFactory, SubmissionFactory, jpeg_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def post(api, slug, **fields):
    url = f"/api/v1/campaigns/{slug}/submissions/"
    return api.post(url, fields, format="multipart", HTTP_ACCEPT_LANGUAGE="en")


def photo_file(data: bytes, name: str = "slip.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def test_upload_is_accepted_and_the_decision_can_be_polled(
    api, campaign, slip, django_capture_on_commit_callbacks
):
    photo, truth = slip
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            api, campaign.slug, photo=photo_file(photo), amount=f"{truth.amount}".replace(".", ","),
            card_last4=truth.card_last4, contact="player@example.com", consent="true",
        )  # fmt: skip
    assert response.status_code == 202, response.json()
    created = response.json()
    assert set(created) == {"id", "status", "url"}
    assert created["status"] == "received"
    assert Submission.objects.get(pk=created["id"]).channel == Submission.Channel.API
    assert created["url"] == f"http://testserver/api/v1/submissions/{created['id']}/"

    detail = api.get(created["url"], HTTP_ACCEPT_LANGUAGE="en").json()
    assert detail["status"] == "accepted"
    assert detail["reasons"] == [
        {
            "code": "slip_matches",
            "message": "The slip matches what you typed and was printed during the campaign.",
        }
    ]
    assert detail["recognized"]["amount"] == f"{truth.amount:.2f}"
    assert detail["recognized"]["card_last4"] == truth.card_last4
    assert detail["recognized"]["date"] == truth.date.isoformat()
    assert 0 < detail["recognized"]["confidence"]["amount"] <= 1
    assert detail["created_at"] and detail["decided_at"]


def test_reasons_speak_the_language_of_the_request(api):
    submission = SubmissionFactory(status="rejected", reasons=[{"code": "not_a_slip", "details": {}}])
    url = f"/api/v1/submissions/{submission.pk}/"
    english = api.get(url, HTTP_ACCEPT_LANGUAGE="en").json()["reasons"][0]["message"]
    russian = api.get(url, HTTP_ACCEPT_LANGUAGE="ru").json()["reasons"][0]["message"]
    assert english == "We could not find the document in this photo. Photograph the card payment slip."
    assert russian.startswith("Мы не нашли чек")


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"amount": "12.3456"}, {"amount"}),
        ({"amount": "99999999999"}, {"amount"}),
        ({"amount": "abc"}, {"amount"}),
        ({"amount": "-3"}, {"amount"}),
        ({"card_last4": "12a4"}, {"card_last4"}),
        ({"card_last4": "12345"}, {"card_last4"}),
        ({"contact": "nobody"}, {"contact"}),
        ({"consent": "false"}, {"consent"}),
        ({"photo": SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")}, {"photo"}),
        ({"photo": SimpleUploadedFile("x.jpg", jpeg_bytes(50, 50), content_type="image/jpeg")}, {"photo"}),
        (
            {"photo": None, "amount": None, "card_last4": None, "contact": None, "consent": None},
            {"photo", "amount", "card_last4", "contact", "consent"},
        ),
    ],
)
def test_bad_input_gets_field_errors_and_stores_nothing(api, campaign, fields, errors):
    valid = {
        "photo": photo_file(jpeg_bytes()),
        "amount": "10.00",
        "card_last4": "1234",
        "contact": "+79990000000",
        "consent": "true",
    }
    data = {key: value for key, value in {**valid, **fields}.items() if value is not None}
    response = post(api, campaign.slug, **data)
    assert response.status_code == 400
    assert set(response.json()) == errors
    assert campaign.submissions.count() == 0


def test_too_large_photo_is_refused_with_the_limit(api, campaign, settings):
    settings.SLIPCHECK_MAX_PHOTO_BYTES = 1000
    response = post(api, campaign.slug, photo=photo_file(jpeg_bytes(800, 800, "grey")), amount="1", card_last4="1234",
                    contact="+79990000000", consent="true")  # fmt: skip
    assert response.status_code == 413
    assert "larger than" in response.json()["photo"][0]


def test_unknown_or_closed_campaign_is_404(api):
    closed = CampaignFactory(is_active=False)
    fields = {
        "photo": photo_file(jpeg_bytes()),
        "amount": "1",
        "card_last4": "1234",
        "contact": "+79990000000",
    }
    assert post(api, "no-such-campaign", **fields).status_code == 404
    assert post(api, closed.slug, **fields).status_code == 404


def test_unknown_submission_is_404_and_nothing_leaks(api):
    assert api.get(f"/api/v1/submissions/{uuid.uuid4()}/").status_code == 404
    assert api.get("/api/v1/submissions/not-a-uuid/").status_code == 404


def test_listing_submissions_is_not_offered(api, campaign):
    assert api.get(f"/api/v1/campaigns/{campaign.slug}/submissions/").status_code == 405


def test_openapi_schema_documents_the_endpoints(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/campaigns/{slug}/submissions/" in paths
    assert "/api/v1/submissions/{id}/" in paths
    assert "202" in paths["/api/v1/campaigns/{slug}/submissions/"]["post"]["responses"]


def test_api_docs_work_offline(api):
    page = api.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page  # served by us, no CDN
