"""Upload rate limits: per client address (read correctly behind trusted proxies) and per contact, on the API and
the page alike; a refused request gets 429 and a message in the participant's language."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from rest_framework.test import APIClient

from evaluation.intake_cases import HTML_PAGE
from promo.ratelimit import Rate, client_address

pytestmark = pytest.mark.django_db
URL = "/api/v1/campaigns/autumn/submissions/"


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def attempt(client, contact="+79990000000", forwarded=None, remote="203.0.113.7", language="en", page=False):
    """An upload attempt; the photo is garbage, so anything but 429 is a 400 that still counted."""
    fields = {"amount": "1", "card_last4": "1234", "contact": contact, "consent": "true",
              "photo": SimpleUploadedFile("x.jpg", HTML_PAGE, content_type="image/jpeg")}  # fmt: skip
    extra = {"REMOTE_ADDR": remote, "HTTP_ACCEPT_LANGUAGE": language}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    if page:
        return client.post("/c/autumn/", fields, **extra)
    return client.post(URL, fields, format="multipart", **extra)


@pytest.mark.parametrize(("text", "rate"), [("60/minute", Rate(60, 60)), ("20/hour", Rate(20, 3600)),
                                            ("5/10m", Rate(5, 600)), ("1/s", Rate(1, 1))])  # fmt: skip
def test_rates_parse(text, rate):
    assert Rate.parse(text) == rate


@pytest.mark.parametrize("text", ["60", "x/minute", "60/fortnight"])
def test_bad_rates_are_refused(text):
    with pytest.raises(ValueError):
        Rate.parse(text)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "1.1.1.1", "10.0.0.9"),  # no proxy configured: the header is the client's to write, ignored
        (1, "1.1.1.1", "1.1.1.1"),  # our proxy appended the client's address
        (1, "6.6.6.6, 1.1.1.1", "1.1.1.1"),  # the client prepended a fake: only the last entry is ours
        (2, "6.6.6.6, 1.1.1.1, 172.16.0.2", "1.1.1.1"),  # CDN then load balancer
        (2, "1.1.1.1", "10.0.0.9"),  # fewer entries than proxies: it did not come through them
    ],
)
def test_the_client_address_is_the_one_our_proxies_saw(settings, proxies, forwarded, expected):
    settings.SLIPCHECK_TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_the_api_limits_each_address_and_spoofed_forwarding_headers_do_not_lift_it(campaign, settings):
    settings.SLIPCHECK_UPLOAD_RATE = "3/minute"
    api = APIClient()
    statuses = [
        attempt(api, contact=f"+7999000000{n}", forwarded=f"198.51.100.{n}").status_code for n in range(5)
    ]
    assert statuses == [400, 400, 400, 429, 429]
    refused = attempt(api, contact="+79990000009", forwarded="8.8.8.8", language="ru")
    assert refused.status_code == 429
    assert refused["Retry-After"].isdigit()
    assert refused.json()["code"] == "rate_limited"
    assert refused.json()["retry_after"] == int(refused["Retry-After"])
    assert refused.json()["detail"].startswith("Слишком много")
    assert "Подождите 1 минуту" in refused.json()["detail"]  # a minute's window: the wait is at most that
    assert attempt(api, remote="203.0.113.8").status_code == 400  # another address has its own count


def test_behind_a_trusted_proxy_each_client_is_counted_apart(campaign, settings):
    settings.SLIPCHECK_UPLOAD_RATE = "2/minute"
    settings.SLIPCHECK_TRUSTED_PROXIES = 1
    api = APIClient()
    proxy = "10.0.0.1"
    first = [
        attempt(api, contact=f"+7999000000{n}", forwarded="1.1.1.1", remote=proxy).status_code
        for n in range(3)
    ]
    assert first == [400, 400, 429]
    # The same client faking another address in front of the proxy's own entry is still itself.
    assert attempt(api, contact="+79990000005", forwarded="9.9.9.9, 1.1.1.1", remote=proxy).status_code == 429
    assert attempt(api, contact="+79990000006", forwarded="2.2.2.2", remote=proxy).status_code == 400


def test_one_contact_is_limited_across_addresses(campaign, settings):
    settings.SLIPCHECK_UPLOAD_RATE_PER_CONTACT = "2/hour"
    api = APIClient()
    statuses = [
        attempt(api, contact="8 (999) 000-00-00", remote=f"203.0.113.{n}").status_code for n in range(3)
    ]
    assert statuses == [400, 400, 429]
    # The same number written another way is the same participant.
    assert attempt(api, contact="+7 999 000 00 00", remote="203.0.113.50").status_code == 429
    assert attempt(api, contact="+79990000001", remote="203.0.113.51").status_code == 400


def test_the_page_has_the_same_limit_and_says_so_in_russian(campaign, client, settings):
    settings.SLIPCHECK_UPLOAD_RATE = "1/minute"
    assert attempt(client, page=True).status_code == 400
    with mock.patch("promo.forms.photo_intake") as intake:
        refused = attempt(client, page=True, language="ru", contact="+79995550000")
    assert refused.status_code == 429
    assert not intake.called  # refused before any photo is examined
    page = refused.content.decode()
    assert "Слишком много загрузок" in page
    assert 'value="+79995550000"' in page  # what was typed stays
    assert 'name="consent" id="id_consent" required checked' in page  # and so does the ticked consent


def test_the_api_and_the_page_share_one_count(campaign, client, settings):
    settings.SLIPCHECK_UPLOAD_RATE = "1/minute"
    assert attempt(APIClient()).status_code == 400
    assert attempt(client, page=True).status_code == 429
