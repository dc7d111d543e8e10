"""Idempotent uploads (promo.idempotency): the page's per-form key and the API's Idempotency-Key header. A repeat
gets the first submission back, stores no second file and is not counted by the rate limit a second time; the
key reused with other input is refused (API) or is a new upload (page); a hostile key is refused or ignored."""

import re
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from promo import idempotency
from promo.models import Submission
from tests.factories import CampaignFactory, jpeg_bytes

pytestmark = pytest.mark.django_db
API_URL = "/api/v1/campaigns/autumn/submissions/"
KEY = "3f0b7c1e-9a52-4c59-8f0e-2d6f1b0a7c44"


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def stored_files(settings) -> list[str]:
    root = settings.MEDIA_ROOT
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def fields(photo: bytes | str | None = None, **overrides) -> dict:
    values = {"amount": "1 234,50", "card_last4": "4242", "contact": "+7 999 000-00-01", "consent": "true"}
    if isinstance(photo, str):
        values["photo"] = photo
    else:
        values["photo"] = SimpleUploadedFile("slip.jpg", photo or jpeg_bytes(), content_type="image/jpeg")
    return {**values, **overrides}


def api_post(key: str | None = KEY, language: str = "en", **extra):
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return APIClient().post(API_URL, fields(**extra), format="multipart", **headers)


def form_key(page: str) -> str:
    return re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)


# --- The key itself ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "valid"),
    [
        (KEY, True),
        ("a", True),
        ("x" * 100, True),
        ("01HF3Z~!#$%&'*+-.^_`|", True),
        ("", False),
        ("x" * 101, False),
        ("x" * 100_000, False),
        ("with space", False),
        ("tab\there", False),
        ("new\nline", False),
        ("nul\x00", False),
        ("escape\x1b[31m", False),
        ("ключ", False),
        ("é", False),
        (None, False),
        (123, False),
    ],
)
def test_a_key_is_1_to_100_printable_ascii_characters(key, valid):
    assert idempotency.is_valid_key(key) is valid


def test_form_keys_are_fresh_and_valid():
    keys = {idempotency.new_form_key() for _ in range(100)}
    assert len(keys) == 100
    assert all(idempotency.is_valid_key(key) and len(key) >= 32 for key in keys)


# --- The API -----------------------------------------------------------------------------------------------------


def test_an_api_retry_with_the_key_gets_the_same_submission_with_200(campaign, settings):
    first = api_post()
    assert first.status_code == 202, first.json()
    files = stored_files(settings)
    assert len(files) == 2  # the working copy and the original
    again = api_post()
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert again.json() == first.json()
    submission = Submission.objects.get()
    assert submission.idempotency_key == KEY and submission.channel == Submission.Channel.API
    assert stored_files(settings) == files  # no second photo


def test_a_repeat_is_not_counted_by_the_rate_limit(campaign, settings):
    settings.SLIPCHECK_UPLOAD_RATE_PER_CONTACT = "1/hour"
    settings.SLIPCHECK_UPLOAD_RATE = "1/hour"
    assert api_post().status_code == 202
    assert [api_post().status_code for _ in range(3)] == [200, 200, 200]
    assert api_post(key="another-upload").status_code == 429  # a new upload is still counted


def test_a_repeat_is_answered_after_the_campaign_closed(campaign):
    assert api_post().status_code == 202
    campaign.is_active = False
    campaign.save(update_fields=["is_active"])
    assert api_post().status_code == 200
    assert api_post(key="a-new-one").json()["code"] == "uploads_closed"


@pytest.mark.parametrize(
    "change",
    [
        {"amount": "1234.51"},
        {"card_last4": "4243"},
        {"photo": jpeg_bytes(colour="gray")},
        {"amount": "not a number"},
        {"photo": "a text field, not a file"},
    ],
)
def test_the_key_with_other_input_is_refused_with_422(campaign, settings, change):
    assert api_post().status_code == 202
    files = stored_files(settings)
    refused = api_post(**change)
    assert refused.status_code == 422
    assert refused.json()["code"] == "idempotency_key_reused"
    assert refused.json()["detail"].startswith(
        "This Idempotency-Key was already used with this contact for an upload"
    )
    assert Submission.objects.count() == 1 and stored_files(settings) == files


def test_a_key_is_its_contacts_so_nobody_else_can_take_it_first_or_probe_it(campaign, settings):
    """An integrator's predictable key (an order number) sent first by someone else under another contact takes
    nothing from the integrator, and tells the other nothing: no 422 without the contact the key was used with."""
    squatter = api_post(key="order-1001", contact="+79990000666")
    assert squatter.status_code == 202
    mine = api_post(key="order-1001")  # the integrator's own upload, its own contact
    assert mine.status_code == 202 and mine.json()["id"] != squatter.json()["id"]
    assert api_post(key="order-1001").status_code == 200  # and its own retry is still a replay
    probe = api_post(key="order-1001", contact="nobody")  # no valid contact: the fields are what is wrong
    assert probe.status_code == 400 and probe.json()["code"] == "invalid"
    assert Submission.objects.count() == 2


def test_the_same_input_written_otherwise_is_the_same_request(campaign):
    assert api_post().status_code == 202
    # The amount and the contact as the participant may type them again; they mean the same.
    same = api_post(amount="1234.5", contact="8 (999) 000-00-01", card_last4=" 4242")
    assert same.status_code == 200


def test_keys_are_per_campaign(campaign):
    CampaignFactory(slug="winter", starts_on=campaign.starts_on, ends_on=campaign.ends_on)
    assert api_post().status_code == 202
    other = APIClient().post(
        "/api/v1/campaigns/winter/submissions/",
        fields(photo=jpeg_bytes(colour="gray")),
        format="multipart",
        HTTP_IDEMPOTENCY_KEY=KEY,
    )
    assert other.status_code == 202
    assert Submission.objects.filter(idempotency_key=KEY).count() == 2


def test_without_a_key_every_post_is_an_upload(campaign):
    assert api_post(key=None).status_code == 202
    assert api_post(key=None).status_code == 202
    assert Submission.objects.filter(idempotency_key="").count() == 2


@pytest.mark.parametrize("key", ["", "x" * 101, "x" * 8000, "a b", "bell\x07", "ключ", "\x00" * 10])
def test_a_malformed_key_is_refused_before_anything_is_stored(campaign, settings, key):
    refused = api_post(key=key)
    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid_idempotency_key"
    assert "1 to 100 printable ASCII characters" in refused.json()["detail"]
    assert not Submission.objects.exists() and stored_files(settings) == []


def test_a_field_error_with_a_key_leaves_the_key_free(campaign):
    assert api_post(card_last4="12").status_code == 400
    assert api_post().status_code == 202


def test_a_request_that_lost_the_race_for_its_key_answers_with_the_winner(campaign, settings):
    """Both looked before either stored (forced here; tests/integration runs it for real on PostgreSQL): the
    unique index refuses the second row, whose files are deleted, and the first submission is the answer."""
    first = api_post()
    with mock.patch("promo.idempotency.submission_for_key", return_value=None):
        second = api_post()
    assert second.status_code == 200 and second.json() == first.json()
    assert Submission.objects.count() == 1
    assert len(stored_files(settings)) == 2  # the loser's files are gone


def test_a_request_that_lost_the_race_with_other_input_is_refused(campaign, settings):
    api_post()
    with mock.patch("promo.idempotency.submission_for_key", return_value=None):
        refused = api_post(amount="99.00")
    assert refused.status_code == 422 and refused.json()["code"] == "idempotency_key_reused"
    assert Submission.objects.count() == 1 and len(stored_files(settings)) == 2


# --- The page ----------------------------------------------------------------------------------------------------


def page_post(client, key: str, **extra):
    return client.post("/c/autumn/", {**fields(**extra), "consent": "on", "idempotency_key": key})


def test_each_rendered_form_carries_a_fresh_key(client, campaign):
    keys = {form_key(client.get("/c/autumn/").content.decode()) for _ in range(3)}
    assert len(keys) == 3
    refused = client.post("/c/autumn/", {"amount": "x", "idempotency_key": keys.pop()})
    assert refused.status_code == 400
    assert form_key(refused.content.decode()) not in keys  # the form shown again is another one


def test_a_double_tap_on_the_page_makes_one_submission(client, campaign, settings):
    settings.SLIPCHECK_UPLOAD_RATE_PER_CONTACT = "1/hour"
    key = form_key(client.get("/c/autumn/").content.decode())
    first = page_post(client, key)
    files = stored_files(settings)
    second = page_post(client, key)
    submission = Submission.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/s/{submission.pk}/"
    assert submission.idempotency_key == key and submission.channel == Submission.Channel.PAGE
    assert stored_files(settings) == files


def test_an_old_form_sent_again_with_another_slip_is_a_new_upload(client, campaign):
    """The back button shows the form of the last upload, key and all: another slip sent with it is new."""
    key = form_key(client.get("/c/autumn/").content.decode())
    page_post(client, key)
    other = page_post(client, key, photo=jpeg_bytes(colour="gray"))
    assert other.status_code == 302
    assert Submission.objects.count() == 2
    assert other["Location"] == f"/s/{Submission.objects.get(idempotency_key='').pk}/"


@pytest.mark.parametrize("key", ["", "x" * 5000, "bad key", "\x1b[2J", "ключ"])
def test_a_key_the_server_did_not_write_is_ignored_by_the_page(client, campaign, key):
    assert page_post(client, key).status_code == 302
    assert page_post(client, key, photo=jpeg_bytes(colour="gray")).status_code == 302
    assert Submission.objects.filter(idempotency_key="").count() == 2


def multipart(parts: list[tuple[str, str | None, bytes]]) -> tuple[bytes, str]:
    """A body as a browser sends a form: (name, filename or None for a text field, content)."""
    boundary = "----slipcheck-test-boundary"
    body = b""
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"' + (
            f'; filename="{filename}"' if filename is not None else ""
        )
        kind = "Content-Type: application/octet-stream\r\n" if filename is not None else ""
        body += (
            f"--{boundary}\r\nContent-Disposition: {disposition}\r\n{kind}\r\n".encode() + content + b"\r\n"
        )
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


TYPED = [("amount", None, b"1"), ("card_last4", None, b"4242"), ("contact", None, b"+79990000001"),
         ("consent", None, b"on"), ("idempotency_key", None, KEY.encode())]  # fmt: skip


@pytest.mark.parametrize("chosen", ["camera", "gallery", "neither"])
def test_the_two_photo_inputs_without_javascript(client, campaign, chosen):
    """The camera's and the gallery's inputs share the name; a browser sends the one not chosen as an empty part
    with no file name, which the parser drops: the chosen photo is the photo, and with none it is required."""
    photo = jpeg_bytes()
    camera = ("photo", "IMG_1.jpg", photo) if chosen == "camera" else ("photo", "", b"")
    gallery = ("photo", "IMG_2.jpg", photo) if chosen == "gallery" else ("photo", "", b"")
    body, content_type = multipart([*TYPED, camera, gallery])
    response = client.generic(
        "POST", "/c/autumn/", body, content_type=content_type, HTTP_ACCEPT_LANGUAGE="en"
    )
    if chosen == "neither":
        assert response.status_code == 400
        assert "Attach the photo of the slip: a JPEG, PNG, WebP or HEIC file." in response.content.decode()
        assert not Submission.objects.exists()
    else:
        assert response.status_code == 302
        assert Submission.objects.get().idempotency_key == KEY


def test_the_schema_documents_the_key_the_replay_and_the_errors():
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    upload = schema["paths"]["/api/v1/campaigns/{slug}/submissions/"]["post"]
    key = next(parameter for parameter in upload["parameters"] if parameter["name"] == "Idempotency-Key")
    assert key["in"] == "header" and not key.get("required")
    assert set(upload["responses"]) >= {"200", "202", "400", "422"}
    assert "Idempotent-Replayed" in upload["responses"]["200"]["headers"]
    codes = schema["components"]["schemas"]["ErrorCodeEnum"]["enum"]
    assert {"idempotency_key_reused", "invalid_idempotency_key"} <= set(codes)
