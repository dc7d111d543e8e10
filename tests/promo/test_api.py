import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from promo.models import Submission
from tests.factories import CampaignFactory, RecognitionFactory, SubmissionFactory, jpeg_bytes

pytestmark = pytest.mark.django_db

CARD_MESSAGE = "Enter the last 4 digits of the card: exactly four digits."


@pytest.fixture
def api():
    return APIClient()


def post(api, slug, language="en", **fields):
    url = f"/api/v1/campaigns/{slug}/submissions/"
    return api.post(url, fields, format="multipart", HTTP_ACCEPT_LANGUAGE=language)


def photo_file(data: bytes, name: str = "slip.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def valid_fields(**overrides):
    fields = {
        "photo": photo_file(jpeg_bytes()),
        "amount": "10.00",
        "card_last4": "1234",
        "contact": "+79990000000",
        "consent": "true",
    }
    return {key: value for key, value in {**fields, **overrides}.items() if value is not None}


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
    assert detail["campaign"] == campaign.slug
    assert detail["reasons"] == [
        {
            "code": "slip_matches",
            "message": "The slip matches what you typed and was printed during the campaign.",
            "next": "",
        }
    ]
    assert detail["next_step"].startswith("Nothing to do: keep the paper slip until the draw")
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


def test_a_submission_read_is_one_query_and_its_recognition_is_typed(api, django_assert_max_num_queries):
    recognition = RecognitionFactory()
    url = f"/api/v1/submissions/{recognition.submission_id}/"
    with django_assert_max_num_queries(1):
        body = api.get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    recognized = body["recognized"]
    assert recognized["kind"] == "slip"
    assert (recognized["amount"], recognized["date"], recognized["card_last4"]) == (
        "1234.50",
        "2026-11-21",
        "4821",
    )
    assert recognized["time"] is None  # not read: null, never missing
    assert set(recognized["confidence"]) == {"kind", "amount", "date", "time", "card_last4", "payment_system",
                                             "merchant", "rrn", "auth_code", "terminal_id"}  # fmt: skip
    assert body["extras"] == {}


@pytest.mark.parametrize(
    ("fields", "field", "code", "message"),
    [
        ({"amount": "12.3456"}, "amount", "max_decimal_places", "An amount has at most two digits after the decimal mark."),
        ({"amount": "0,125"}, "amount", "max_decimal_places", "An amount has at most two digits after the decimal mark."),  # not 125
        ({"amount": "99999999999"}, "amount", "max_value", "That is more than any purchase: enter at most 9,999,999,999.99."),
        ({"amount": "abc"}, "amount", "invalid", "Enter the amount as printed on the slip, e.g. 1,234.50."),
        ({"amount": "-3"}, "amount", "min_value", "Enter an amount greater than zero."),
        ({"amount": "0"}, "amount", "min_value", "Enter an amount greater than zero."),
        ({"card_last4": "12a4"}, "card_last4", "invalid", CARD_MESSAGE),
        ({"card_last4": "12345"}, "card_last4", "invalid", CARD_MESSAGE),
        ({"card_last4": "١٢٣٤"}, "card_last4", "invalid", CARD_MESSAGE),  # Arabic-Indic digits are not the card's
        ({"contact": "nobody"}, "contact", "invalid", "Enter a valid e-mail address or phone number."),
        ({"consent": "false"}, "consent", "required", "Accept the campaign rules and the processing of your data to take part."),
        ({"photo": SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")}, "photo", "not_an_image", None),
        ({"photo": SimpleUploadedFile("x.jpg", jpeg_bytes(50, 50), content_type="image/jpeg")}, "photo", "too_small", None),
        ({"photo": SimpleUploadedFile("x.jpg", b"", content_type="image/jpeg")}, "photo", "empty", None),
    ],
)  # fmt: skip
def test_bad_input_gets_a_code_and_a_precise_message_per_field(api, campaign, fields, field, code, message):
    response = post(api, campaign.slug, **valid_fields(**fields))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["detail"] == "Some fields are not filled in correctly: see the message at each field."
    assert set(body["fields"]) == {field}
    assert body["fields"][field][0]["code"] == code
    if message:
        assert body["fields"][field][0]["message"] == message
    assert campaign.submissions.count() == 0


def test_every_missing_field_is_named(api, campaign):
    response = post(api, campaign.slug)
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert set(fields) == {"photo", "amount", "card_last4", "contact", "consent"}
    assert {errors[0]["code"] for errors in fields.values()} == {"required"}
    assert fields["photo"][0]["message"] == "Attach the photo of the slip: a JPEG, PNG, WebP or HEIC file."


def test_field_messages_speak_russian(api, campaign):
    response = post(api, campaign.slug, language="ru", **valid_fields(amount="99999999999", contact="nobody"))
    assert response["Content-Language"] == "ru"
    fields = response.json()["fields"]
    assert fields["amount"] == [
        {
            "code": "max_value",
            "message": "Это больше любой покупки: введите не больше 9\xa0999\xa0999\xa0999,99.",
        }
    ]
    assert fields["contact"][0]["message"] == "Введите правильный номер телефона или адрес электронной почты."


def test_too_large_photo_is_refused_with_the_limit(api, campaign, settings):
    settings.SLIPCHECK_MAX_PHOTO_BYTES = 1000
    response = post(api, campaign.slug, **valid_fields(photo=photo_file(jpeg_bytes(800, 800, "grey"))))
    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "too_large"
    assert "larger than" in body["detail"]
    assert body["fields"] == {"photo": [{"code": "too_large", "message": body["detail"]}]}


def test_unknown_campaign_is_404_in_the_request_language(api):
    english = post(api, "no-such-campaign", **valid_fields())
    russian = post(api, "no-such-campaign", language="ru", **valid_fields())
    assert english.status_code == russian.status_code == 404
    assert english.json() == {"code": "not_found", "detail": "Not found."}
    assert russian.json() == {"code": "not_found", "detail": "Не найдено."}
    assert russian["Content-Language"] == "ru"


def test_a_closed_campaign_says_so_and_a_draft_is_unknown(api):
    closed = CampaignFactory(is_active=False, starts_on=timezone.localdate() - timedelta(days=30))
    draft = CampaignFactory(is_active=False, starts_on=timezone.localdate() + timedelta(days=3),
                            ends_on=timezone.localdate() + timedelta(days=30))  # fmt: skip
    response = post(api, closed.slug, **valid_fields())
    assert response.status_code == 409
    assert response.json() == {"code": "uploads_closed", "detail": "This campaign no longer accepts uploads."}
    assert api.get(f"/api/v1/campaigns/{closed.slug}/").json()["uploads_open"] is False
    assert post(api, draft.slug, **valid_fields()).status_code == 404
    assert api.get(f"/api/v1/campaigns/{draft.slug}/").status_code == 404
    assert Submission.objects.count() == 0


def test_unknown_or_malformed_submission_id_is_a_json_404(api):
    for url in (f"/api/v1/submissions/{uuid.uuid4()}/", "/api/v1/submissions/not-a-uuid/"):
        response = api.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 404
        assert response.json() == {"code": "not_found", "detail": "Not found."}


def test_listing_submissions_is_not_offered(api, campaign):
    response = api.get(f"/api/v1/campaigns/{campaign.slug}/submissions/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 405
    assert response.json() == {"code": "method_not_allowed", "detail": 'Method "GET" not allowed.'}


def test_an_upload_that_is_not_a_form_is_415(api, campaign):
    response = api.post(f"/api/v1/campaigns/{campaign.slug}/submissions/", {"amount": "1"}, format="json",
                        HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert "application/json" in response.json()["detail"]


def test_a_broken_multipart_body_is_a_parse_error(api, campaign):
    response = api.generic("POST", f"/api/v1/campaigns/{campaign.slug}/submissions/", b"--x\r\nbroken",
                           content_type="multipart/form-data", HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert response.json()["detail"].startswith("The request body could not be read: send the fields as")
    russian = api.generic("POST", f"/api/v1/campaigns/{campaign.slug}/submissions/", b"--x\r\nbroken",
                          content_type="multipart/form-data", HTTP_ACCEPT_LANGUAGE="ru")  # fmt: skip
    assert "boundary" not in russian.json()["detail"] and "multipart/form-data" in russian.json()["detail"]


def test_a_staff_session_changes_nothing(api, campaign, admin_user):
    """The API is anonymous: a logged-in browser gets no CSRF refusal and no other answer."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = post(client, campaign.slug, **valid_fields(photo=photo_file(b"junk")))
    assert response.status_code == 400 and response.json()["fields"]["photo"][0]["code"] == "not_an_image"


# --- campaigns ---------------------------------------------------------------------------------------------------

PUBLIC_KEYS = {
    "slug", "name", "starts_on", "ends_on", "timezone", "currency", "min_amount", "payment_systems", "documents",
    "photograph", "card_checked", "limits", "uploads_open", "rules_url", "rules_version", "url", "upload_url",
    "page_url",
}  # fmt: skip


def test_campaign_list_is_the_active_campaigns_in_one_query(api, django_assert_max_num_queries):
    for n in range(5):
        CampaignFactory(slug=f"on-{n}", payment_systems=["VISA"], max_accepted_per_day=n + 1)
    CampaignFactory(slug="off", is_active=False)
    with django_assert_max_num_queries(1):
        response = api.get("/api/v1/campaigns/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 5
    assert sorted(c["slug"] for c in body["results"]) == [f"on-{n}" for n in range(5)]
    assert all(set(c) == PUBLIC_KEYS for c in body["results"])


def test_campaign_rules_are_public_and_internal_settings_are_not(api):
    campaign = CampaignFactory(
        slug="summer", name="Summer", timezone="Asia/Yekaterinburg", currency="RUB", min_amount=Decimal("500"),
        payment_systems=["VISA", "MIR"], documents=["slip", "card_receipt"], max_accepted_per_day=2,
        max_accepted_per_campaign=None, rules_url="https://example.com/rules", rules_version="3",
        min_confidence=0.77, reject_confidence=0.93, failure_policy={"amount_mismatch": "moderation"},
    )  # fmt: skip
    body = api.get("/api/v1/campaigns/summer/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body == {
        "slug": "summer",
        "name": "Summer",
        "starts_on": campaign.starts_on.isoformat(),
        "ends_on": campaign.ends_on.isoformat(),
        "timezone": "Asia/Yekaterinburg",
        "currency": "RUB",
        "min_amount": "500.00",
        "payment_systems": ["VISA", "MIR"],
        "documents": [
            {"code": "slip", "description": "card payment slip"},
            {"code": "card_receipt", "description": "shop receipt showing the card payment"},
        ],
        "photograph": "Photograph the card payment slip, or the shop receipt if it shows the card payment (the "
        "card's last 4 digits and payment system).",
        "card_checked": True,
        "limits": {"accepted_per_day": 2, "accepted_per_campaign": None},
        "uploads_open": True,
        "rules_url": "https://example.com/rules",
        "rules_version": "3",
        "url": "http://testserver/api/v1/campaigns/summer/",
        "upload_url": "http://testserver/api/v1/campaigns/summer/submissions/",
        "page_url": "http://testserver/c/summer/",
    }
    text = str(body)
    assert "0.77" not in text and "0.93" not in text and "moderation" not in text


def test_campaign_rules_speak_the_request_language(api, campaign):
    body = api.get(f"/api/v1/campaigns/{campaign.slug}/", HTTP_ACCEPT_LANGUAGE="ru").json()
    assert body["documents"] == [{"code": "slip", "description": "слип оплаты картой"}]
    assert body["photograph"] == "Сфотографируйте слип оплаты картой."
    assert body["rules_url"] is None  # not published


def test_a_campaigns_upload_url_takes_the_upload(api, campaign):
    upload_url = api.get(f"/api/v1/campaigns/{campaign.slug}/").json()["upload_url"]
    response = api.post(upload_url, valid_fields(photo=photo_file(b"junk")), format="multipart")
    assert response.status_code == 400  # reached the upload endpoint: the junk photo is what it refused
    assert response.json()["fields"]["photo"][0]["code"] == "not_an_image"


def test_unknown_campaign_rules_are_404(api):
    response = api.get("/api/v1/campaigns/nope/", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Не найдено."}


# --- every error under /api/ ------------------------------------------------------------------------------------

ERRORS = [
    ("get", "/api/v1/nope/", 404, "not_found"),
    ("get", "/api/v1/nope", 404, "not_found"),
    ("post", "/api/nothing/here/", 404, "not_found"),
    ("get", "/api/v1/submissions/not-a-uuid/", 404, "not_found"),
    ("post", "/api/v1/submissions/not-a-uuid/appeal/", 404, "not_found"),
    ("get", "/api/v1/campaigns/no-such-campaign/", 404, "not_found"),
    ("get", "/api/v1/campaigns/Кириллица/", 404, "not_found"),
    ("delete", "/api/v1/campaigns/", 405, "method_not_allowed"),
    ("put", "/api/v1/submissions/00000000-0000-0000-0000-000000000000/", 405, "method_not_allowed"),
]
DETAILS = {"en": "Not found.", "ru": "Не найдено."}


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize(("method", "url", "status", "code"), ERRORS)
def test_every_error_under_api_is_json_with_a_code(api, settings, debug, language, method, url, status, code):
    settings.DEBUG = debug
    response = getattr(api, method)(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == code
    assert body["detail"]
    assert response["Content-Language"] == language
    if status == 404:
        assert body["detail"] == DETAILS[language]


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_a_post_without_the_trailing_slash_is_redirected_with_its_body(api, campaign, settings, debug):
    settings.DEBUG = debug
    response = api.post(f"/api/v1/campaigns/{campaign.slug}/submissions", valid_fields(), format="multipart")
    assert response.status_code == 308  # method and body kept (a 301 turns into a GET)
    assert response["Location"] == f"/api/v1/campaigns/{campaign.slug}/submissions/"
    follow = api.post(f"/api/v1/campaigns/{campaign.slug}/submissions", {"amount": "1"}, format="multipart",
                      follow=True)  # fmt: skip
    assert follow.redirect_chain == [(f"/api/v1/campaigns/{campaign.slug}/submissions/", 308)]
    assert (
        follow.json()["code"] == "invalid"
    )  # the upload endpoint read the re-sent form: its fields are named
    assert "photo" in follow.json()["fields"] and "amount" not in follow.json()["fields"]


def test_a_participants_submission_is_never_kept_by_a_cache(api, campaign, slip):
    """Its promo code and card digits: private, no-store on every answer about it (an error too)."""
    submission = SubmissionFactory(campaign=campaign, status="rejected", reasons=[{"code": "not_a_slip"}])
    for response in (
        api.get(f"/api/v1/submissions/{submission.pk}/"),
        api.post(f"/api/v1/submissions/{submission.pk}/appeal/"),
        api.get(f"/api/v1/submissions/{uuid.uuid4()}/"),
        api.post(f"/api/v1/campaigns/{campaign.slug}/submissions/", {}, format="multipart"),
    ):
        cache = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-store", "no-cache"} <= cache, response.status_code
    assert "no-store" not in api.get("/api/v1/campaigns/").get(
        "Cache-Control", ""
    )  # public rules may be cached
