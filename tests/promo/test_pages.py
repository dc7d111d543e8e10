import hashlib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from promo import owners
from promo.models import Submission
from tests.factories import CampaignFactory, SubmissionFactory, jpeg_bytes

pytestmark = pytest.mark.django_db


def test_home_goes_straight_to_the_only_campaign(client, campaign):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == f"/c/{campaign.slug}/"


def test_home_lists_campaigns_when_there_are_several(client, campaign):
    other = CampaignFactory(name="Winter")
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert campaign.name in page and other.name in page


def test_upload_page_is_a_phone_form_in_russian_by_default(client, campaign):
    page = client.get(f"/c/{campaign.slug}/").content.decode()
    assert 'name="viewport"' in page
    assert 'enctype="multipart/form-data"' in page
    assert "Последние 4 цифры карты" in page
    # The camera at once, and the gallery for a slip already photographed (an input without `capture`).
    assert 'id="id_photo_camera" accept="image/*" capture="environment"' in page
    assert re.search(r'<input type="file" name="photo" accept="image/\*"(?! capture)[^>]*id="id_photo"', page)
    assert 'lang="en">English</button>' in page  # the other language is named in itself
    assert "Я принимаю правила акции" in page


def test_a_good_photo_sent_with_a_wrong_field_is_asked_for_again(client, campaign):
    """Browsers never re-fill a file input: the participant is told, instead of finding "required" next time."""
    from tests.factories import jpeg_bytes

    response = client.post(
        f"/c/{campaign.slug}/",
        {"photo": SimpleUploadedFile("a.jpg", jpeg_bytes()), "amount": "abc", "card_last4": "1234",
         "contact": "+79990000000", "consent": "on"},
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert response.status_code == 400
    assert "Choose the photo again" in response.content.decode()


def test_upload_page_speaks_english_when_asked(client, campaign):
    page = client.get(f"/c/{campaign.slug}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Last 4 digits of the card" in page


@pytest.mark.parametrize(
    ("documents", "language", "said", "not_said"),
    [
        (["slip"], "en", ["Photograph the card payment slip.", "the card number must be sharp", "Photo of the card slip"], ["receipt"]),
        (["slip", "card_receipt"], "en", ["Photograph the card payment slip, or the shop receipt if it shows the card payment", "the card number must be sharp", "Photo of the slip or receipt"], []),
        (["receipt"], "en", ["Photograph the shop receipt.", "The amount and the date must be sharp.", "Photo of the receipt"], ["card payment slip", "card number must be sharp"]),
        (["slip"], "ru", ["Сфотографируйте слип оплаты картой.", "номер карты должны быть чёткими"], ["кассовый"]),
        (["slip", "card_receipt", "receipt"], "ru", ["Сфотографируйте кассовый чек или слип оплаты картой.", "Сумма и дата должны быть чёткими.", "Фото слипа или кассового чека"], []),
    ],
)  # fmt: skip
def test_upload_page_says_which_document_to_photograph(client, campaign, documents, language, said, not_said):
    campaign.documents = documents
    campaign.save(update_fields=["documents"])
    page = client.get(f"/c/{campaign.slug}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    instruction = re.search(r'<p id="photograph">(.*?)</p>', page, re.S).group(1)
    for words in said:
        assert words in page, words
    for words in not_said:
        assert words not in instruction, words


def test_language_switch_is_remembered(client, campaign):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Last 4 digits of the card" in client.get(f"/c/{campaign.slug}/").content.decode()


def test_upload_through_the_page_reaches_a_decision(
    client, campaign, slip, django_capture_on_commit_callbacks
):
    photo, truth = slip
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/c/{campaign.slug}/",
            {
                "photo": SimpleUploadedFile("IMG_0001.jpg", photo, content_type="image/jpeg"),
                "amount": str(truth.amount).replace(".", ","),
                "card_last4": truth.card_last4,
                "contact": "8 (999) 123-45-67",
                "consent": "on",
            },
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert response["Location"] == f"/s/{submission.pk}/"
    assert submission.channel == Submission.Channel.PAGE
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Your slip is accepted" in page
    assert 'http-equiv="refresh"' not in page  # decided: the page stops reloading


def test_form_errors_are_shown_next_to_the_fields(client, campaign):
    response = client.post(
        f"/c/{campaign.slug}/", {"amount": "abc", "card_last4": "12"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter the amount as printed on the slip, e.g. 1,234.50." in page
    assert "Enter the four digits printed after the asterisks." in page
    assert "This field is required." in page
    assert Submission.objects.count() == 0


@pytest.mark.parametrize(
    ("status", "reasons", "refresh", "text"),
    [
        ("received", [], "2", "We are reading your slip"),
        (
            "moderation",
            [{"code": "amount_unread", "details": {}}],
            "60",
            "We could not read the amount on the slip.",
        ),
        ("rejected", [{"code": "not_a_slip", "details": {}}], None, "Upload another slip"),
        (
            "rejected",
            [{"code": "receipt_without_card", "details": {"documents": "card_receipt"}}],
            None,
            "Photograph the shop receipt showing the card payment",
        ),
    ],
)
def test_status_page_explains_and_refreshes_until_decided(client, status, reasons, refresh, text):
    submission = SubmissionFactory(status=status, reasons=reasons)
    page = client.get(f"/s/{submission.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert text in page
    found = re.search(r'http-equiv="refresh" content="(\d+)"', page)
    assert (found.group(1) if found else None) == refresh


def test_unknown_campaign_and_submission_pages_are_404(client):
    assert client.get("/c/nope/").status_code == 404
    assert client.get("/s/00000000-0000-0000-0000-000000000000/").status_code == 404


def post_slip(client, campaign, photo: bytes, contact: str = "+79991234567"):
    return client.post(
        f"/c/{campaign.slug}/",
        {
            "photo": SimpleUploadedFile("IMG_0001.jpg", photo, content_type="image/jpeg"),
            "amount": "100,00",
            "card_last4": "4821",
            "contact": contact,
            "consent": "on",
        },
    )


def test_the_page_gives_the_browser_a_secret_its_uploads_are_known_by(client, campaign):
    """promo.owners: the cookie is a random secret, HttpOnly and same-site; each upload stores only its SHA-256;
    the browser keeps it from upload to upload, and a forged or malformed one is replaced."""
    first = post_slip(client, campaign, jpeg_bytes(colour="white"))
    cookie = first.cookies[owners.COOKIE]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", cookie.value)
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["max-age"] >= 365 * 24 * 3600
    post_slip(client, campaign, jpeg_bytes(colour="ivory"))  # the client sends the cookie back
    stored = set(Submission.objects.values_list("owner_hash", flat=True))
    assert stored == {hashlib.sha256(cookie.value.encode()).hexdigest()}
    assert not Submission.objects.filter(owner_hash=cookie.value).exists()

    client.cookies[owners.COOKIE] = "not-a-secret"
    third = post_slip(client, campaign, jpeg_bytes(colour="beige"))
    assert third.cookies[owners.COOKIE].value not in ("not-a-secret", cookie.value)
    assert Submission.objects.values("owner_hash").distinct().count() == 2


def test_an_upload_with_someone_elses_contact_from_another_browser_opens_nothing_of_theirs(client, campaign):
    victim = post_slip(client, campaign, jpeg_bytes(colour="linen"), contact="+79990000011")
    stranger = Client()
    attack = post_slip(stranger, campaign, jpeg_bytes(colour="snow"), contact="8 999 000-00-11")
    page = stranger.get(attack["Location"]).content.decode()
    (mine_link,) = re.findall(r'href="(/c/[^"]+/mine/[^"]+/)"', page)
    listed = stranger.get(mine_link).content.decode()
    victims = victim["Location"].split("/")[2]
    assert victims not in listed and attack["Location"] in listed
    # Without the fix (a list by contact) the victim's upload was listed here: the same participant.
    assert Submission.objects.values("participant").distinct().count() == 1
