"""The upload page on a phone (360x800), in Russian and English: a photo chosen from the gallery is previewed, its
upload shows a moving progress bar on a slow network, a double tap on Send makes one submission and lands on its
status page; a huge photo is shrunk upright in the browser; a lost answer is retried without a second submission;
a field error comes back as the server's page; the plain form works without JavaScript."""

import hashlib
import io
import math
import re

import pytest
from PIL import Image

from promo.models import Submission
from tests.conftest import generated_photo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 360, "height": 800}
# Slow enough to watch a photo of ~1 MB go up (bytes/s), as on a poor mobile network.
SLOW_UPLOAD = 250_000


def slip_jpeg(long_side: int, quality: int = 95, seed: int = 11) -> tuple[bytes, object]:
    """The generated slip scaled up to a phone camera's size: a real, legible slip photo of that size."""
    photo, truth = generated_photo(seed)
    image = Image.open(io.BytesIO(photo))
    scale = long_side / max(image.size)
    image = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue(), truth


def phone(browser, locale: str):
    context = browser.new_context(viewport=PHONE, locale=locale, device_scale_factor=2, is_mobile=True, has_touch=True)  # fmt: skip
    return context, context.new_page()


def choose_from_gallery(page, name: str, data: bytes) -> None:
    with page.expect_file_chooser() as chooser:
        page.click("label[for=id_photo]")
    chooser.value.set_files({"name": name, "mimeType": "image/jpeg", "buffer": data})


def fill_the_form(page, truth) -> None:
    page.fill("#id_amount", str(truth.amount).replace(".", ","))
    page.fill("#id_card_last4", truth.card_last4)
    page.fill("#id_contact", "+7 999 123-45-67")
    page.check("#id_consent")


def no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


# The form's buttons and fields; with JavaScript the photo choices' labels are its buttons (the inputs are hidden).
CONTROLS = "#upload-form input:not([type=hidden]), #upload-form button, #upload-form .pick label"


def outside_the_card(page) -> list[str]:
    """The controls whose bounding box leaves the card's content box (inside its border and padding): a long word
    must not push a button onto the card's border or past it."""
    box = page.locator("main .card").bounding_box()
    inset = page.evaluate(
        "(() => { const s = getComputedStyle(document.querySelector('main .card'));"
        " return parseFloat(s.borderLeftWidth) + parseFloat(s.paddingLeft); })()"
    )
    left, right = box["x"] + inset, box["x"] + box["width"] - inset
    outside = []
    for control in page.locator(CONTROLS).all():
        edges = control.bounding_box()
        if edges and (edges["x"] < left - 0.5 or edges["x"] + edges["width"] > right + 0.5):
            name = control.get_attribute("id") or control.get_attribute("for") or control.inner_text()
            outside.append(
                f"{name}: {edges['x']:.0f}..{edges['x'] + edges['width']:.0f} not in {left:.0f}..{right:.0f}"
            )
    return outside


def photo_buttons(page) -> tuple[dict, dict]:
    return (
        page.locator("label[for=id_photo_camera]").bounding_box(),
        page.locator("label[for=id_photo]").bounding_box(),
    )


@pytest.mark.parametrize(
    ("locale", "language", "send", "period"),
    [
        ("ru-RU", "ru", "Отправить", "Покупки с 01.10.2026 по 31.10.2026."),
        (
            "en-US",
            "en",
            "Send",
            "Purchases from 1 Oct 2026 to 31 Oct 2026.",
        ),  # not 10/01/2026: the month named
    ],
)
def test_a_participant_sends_a_slip_from_a_phone_with_a_double_tap(browser, live_server, campaign, screenshot, locale, language, send, period):  # fmt: skip
    photo, truth = slip_jpeg(2400)
    context, page = phone(browser, locale)
    page.goto(f"{live_server.url}/c/{campaign.slug}/")
    page.wait_for_selector("#upload-form[data-ready]")
    assert page.inner_text("#send") == send
    assert period in " ".join(page.inner_text("main .card > p.muted").split())
    assert page.get_attribute("#id_photo_camera", "capture") == "environment"
    assert page.get_attribute("#id_photo", "capture") is None  # the gallery: a slip photographed earlier
    for label in ("label[for=id_photo_camera]", "label[for=id_photo]"):
        box = page.locator(label).bounding_box()
        assert box["height"] >= 44 and box["x"] + box["width"] <= PHONE["width"]  # a finger's target
    assert outside_the_card(page) == []
    camera, gallery = photo_buttons(page)
    assert abs(camera["width"] - gallery["width"]) <= 1  # one word too long for half a card stacks them both
    assert no_horizontal_overflow(page)
    screenshot(page, f"upload-360x800-{language}", full_page=True)

    choose_from_gallery(page, "IMG_2041.jpg", photo)
    page.wait_for_function("document.querySelector('#preview img').naturalWidth > 0")
    assert page.is_visible("#preview img")
    assert "IMG_2041.jpg" in page.inner_text("#photo-note")
    page.wait_for_selector(
        "#preview[data-prepared=as-is]", state="attached"
    )  # under 3000 px and 4 MB: not redrawn
    fill_the_form(page, truth)
    assert no_horizontal_overflow(page) and outside_the_card(page) == []
    screenshot(page, f"upload-chosen-360x800-{language}", full_page=True)

    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 100, "downloadThroughput": 2_000_000, "uploadThroughput": SLOW_UPLOAD})  # fmt: skip
    box = page.locator("#send").bounding_box()
    page.mouse.dblclick(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function("(() => { const bar = document.getElementById('progress'); return !bar.hidden && bar.value >= 5 && bar.value < 90; })()")  # fmt: skip
    assert page.is_disabled("#send")
    assert re.fullmatch(r"\S+… \d{1,2}%", page.inner_text("#send"))
    screenshot(page, f"upload-sending-360x800-{language}")
    seen = page.evaluate("document.getElementById('progress').value")
    page.wait_for_function(f"document.getElementById('progress').value > {seen}")  # it moves
    page.wait_for_url(re.compile(r"/s/[0-9a-f-]{36}/$"), timeout=60_000)
    submission = Submission.objects.get()  # one, however many taps
    assert page.url.endswith(f"/s/{submission.pk}/")
    assert submission.channel == Submission.Channel.PAGE and submission.idempotency_key
    assert len(submission.original.read()) == len(photo)  # not a huge photo: sent as it was
    context.close()


@pytest.mark.parametrize("width", [320, 360, 412, 600])
@pytest.mark.parametrize("locale", ["ru-RU", "en-US"])
def test_the_photo_buttons_stay_in_their_card_at_every_width(browser, live_server, campaign, screenshot, locale, width):  # fmt: skip
    """Side by side where half the card holds the longest word (`Сфотографировать`), else one above the other:
    in both cases of one width and inside the card."""
    context = browser.new_context(viewport={"width": width, "height": 800}, locale=locale)
    page = context.new_page()
    page.goto(f"{live_server.url}/c/{campaign.slug}/")
    page.wait_for_selector("#upload-form[data-ready]")
    assert outside_the_card(page) == []
    camera, gallery = photo_buttons(page)
    assert abs(camera["width"] - gallery["width"]) <= 1
    side_by_side = abs(camera["y"] - gallery["y"]) <= 1
    assert side_by_side == (width >= 600)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if width != PHONE["width"]:  # 360 is taken by the test above
        screenshot(page, f"upload-{width}x800-{locale[:2]}")
    context.close()


def oriented_jpeg() -> bytes:
    """A 4000x3000 camera JPEG whose EXIF says "turn 90° clockwise" (orientation 6), as phones store portraits:
    upright it is a 3000x4000 slip with a red square at its top left."""
    photo, _ = slip_jpeg(4000, quality=92)
    upright = Image.open(io.BytesIO(photo)).convert("RGB").resize((3000, 4000))
    upright.paste((255, 0, 0), (0, 0, 400, 400))
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # what a sensor held sideways records
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    stored.save(buffer, format="JPEG", quality=92, exif=exif.tobytes())
    return buffer.getvalue()


def test_a_huge_photo_is_shrunk_upright_before_it_is_sent(browser, live_server, campaign):
    huge = oriented_jpeg()
    assert Image.open(io.BytesIO(huge)).size == (4000, 3000)
    _, truth = generated_photo(11)
    context, page = phone(browser, "en-US")
    page.goto(f"{live_server.url}/c/{campaign.slug}/")
    choose_from_gallery(page, "IMG_2042.JPG", huge)
    page.wait_for_selector("#preview[data-prepared=reduced]", state="attached")
    assert "reduced for sending to" in page.inner_text("#photo-note")
    fill_the_form(page, truth)
    page.click("#send")
    page.wait_for_url(re.compile(r"/s/[0-9a-f-]{36}/$"), timeout=60_000)
    submission = Submission.objects.get()
    sent = Image.open(io.BytesIO(submission.original.read()))
    assert sent.size == (1800, 2400)  # 2400 on the long side, upright (portrait)
    assert submission.original.size < len(huge)
    red, green, blue = sent.convert("RGB").getpixel((100, 100))
    assert red > 200 and green < 60 and blue < 60  # the top left is still the top left
    context.close()


def camera_photo() -> bytes:
    """A 3024x4032 slip photo with sensor noise, megabytes as a phone camera stores it; reduced, still over one."""
    photo, _ = slip_jpeg(4032)
    image = Image.open(io.BytesIO(photo)).convert("RGB")
    image = Image.blend(image, Image.effect_noise(image.size, 32).convert("RGB"), 0.2)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("locale", "decimal", "kilobytes", "megabytes", "reduced"),
    [
        ("ru-RU", ",", "КБ", "МБ", "уменьшено для отправки до"),
        ("en-US", ".", "KB", "MB", "reduced for sending to"),
    ],
)
def test_the_photo_note_writes_sizes_as_the_pages_language(browser, live_server, campaign, screenshot, locale, decimal, kilobytes, megabytes, reduced):  # fmt: skip
    """`25 КБ`, `3,3 МБ` on the Russian page (not `0.0 MB`, `3.3 MB`), `25 KB`, `3.3 MB` on the English one."""
    small, _ = slip_jpeg(500, quality=60)
    huge = camera_photo()
    assert len(small) < 500_000 and len(huge) > 2**21
    context, page = phone(browser, locale)
    page.goto(f"{live_server.url}/c/{campaign.slug}/")
    page.wait_for_selector("#upload-form[data-ready]")
    choose_from_gallery(page, "small.jpg", small)
    page.wait_for_selector("#preview[data-prepared=as-is]", state="attached")
    assert (
        page.text_content("#photo-note")
        == f"small.jpg · {math.floor(len(small) / 1024 + 0.5)}\u00a0{kilobytes}"
    )
    choose_from_gallery(page, "big.jpg", huge)
    page.wait_for_selector("#preview[data-prepared=reduced]", state="attached")
    number = rf"(\d+\{decimal}\d)"
    note = page.text_content("#photo-note")
    sizes = re.fullmatch(rf"big\.jpg · {number}\u00a0{megabytes} · {reduced} (?:{number}\u00a0{megabytes}|(\d+)\u00a0{kilobytes})", note)  # fmt: skip
    assert sizes, note
    chosen = float(sizes[1].replace(decimal, "."))
    sent = float(sizes[2].replace(decimal, ".")) if sizes[2] else int(sizes[3]) / 1024
    assert abs(chosen - len(huge) / 2**20) <= 0.051 and 0 < sent < chosen
    assert outside_the_card(page) == []
    screenshot(page, f"upload-note-360x800-{locale[:2]}", full_page=True)
    context.close()


def test_a_heic_the_browser_cannot_decode_is_sent_as_it_is(browser, live_server, campaign):
    """Chromium decodes no HEIC (an iPhone's format): no preview, no shrinking, the file goes up untouched and
    the server reads it (promo.intake)."""
    photo, truth = slip_jpeg(3600)
    buffer = io.BytesIO()
    Image.open(io.BytesIO(photo)).save(buffer, format="HEIF", quality=80)
    heic = buffer.getvalue()
    context, page = phone(browser, "en-US")
    page.goto(f"{live_server.url}/c/{campaign.slug}/")
    with page.expect_file_chooser() as chooser:
        page.click("label[for=id_photo]")
    chooser.value.set_files({"name": "IMG_2046.HEIC", "mimeType": "image/heic", "buffer": heic})
    page.wait_for_selector("#preview[data-prepared=as-is]", state="attached")
    page.wait_for_function("document.querySelector('#preview img').hidden")
    assert "No preview for this photo here" in page.inner_text("#photo-note")
    fill_the_form(page, truth)
    page.click("#send")
    page.wait_for_url(re.compile(r"/s/[0-9a-f-]{36}/$"), timeout=60_000)
    submission = Submission.objects.get()
    assert submission.original_format == "HEIF"
    assert submission.photo_sha256 == hashlib.sha256(heic).hexdigest()  # the very bytes chosen
    context.close()


def test_a_lost_answer_is_retried_without_a_second_submission(browser, live_server, campaign):
    """The first send reaches the server, which stores it, but its answer is lost: the button comes back with a
    message, and the retry (the same form key) lands on the same submission."""
    photo, truth = slip_jpeg(1200)
    context, page = phone(browser, "en-US")
    page.goto(f"{live_server.url}/c/{campaign.slug}/")
    key = page.get_attribute("input[name=idempotency_key]", "value")
    choose_from_gallery(page, "IMG_2043.jpg", photo)
    fill_the_form(page, truth)
    lost = []

    def lose_the_answer(route):
        if route.request.method == "POST" and not lost:
            route.fetch()  # the server gets it all and answers
            lost.append(True)
            route.abort("connectionreset")  # the answer never arrives
        else:
            route.continue_()

    page.route(f"{live_server.url}/c/{campaign.slug}/", lose_the_answer)
    page.click("#send")
    page.wait_for_function("document.getElementById('send-status').textContent.length > 0")
    assert "connection was lost" in page.inner_text("#send-status")
    assert page.is_enabled("#send") and page.is_hidden("#progress")
    assert Submission.objects.count() == 1  # stored: only the answer was lost
    assert page.get_attribute("input[name=idempotency_key]", "value") == key
    page.click("#send")
    page.wait_for_url(re.compile(r"/s/[0-9a-f-]{36}/$"), timeout=60_000)
    submission = Submission.objects.get()
    assert page.url.endswith(f"/s/{submission.pk}/") and submission.idempotency_key == key
    context.close()


def test_a_field_error_comes_back_as_the_servers_page_with_a_fresh_form(browser, live_server, campaign):
    photo, truth = slip_jpeg(1200)
    context, page = phone(browser, "en-US")
    page.goto(f"{live_server.url}/c/{campaign.slug}/")
    key = page.get_attribute("input[name=idempotency_key]", "value")
    choose_from_gallery(page, "IMG_2044.jpg", photo)
    fill_the_form(page, truth)
    page.fill("#id_card_last4", "12")
    page.click("#send")
    page.wait_for_selector("text=Enter the four digits printed after the asterisks.")
    page.wait_for_selector(
        "#upload-form[data-ready]"
    )  # the new page's script runs: the form is enhanced again
    assert page.get_attribute("input[name=idempotency_key]", "value") != key
    assert "Choose the photo again" in page.inner_text("#photo-field")
    assert page.input_value("#id_contact") == "+7 999 123-45-67"
    assert not Submission.objects.exists()
    choose_from_gallery(page, "IMG_2044.jpg", photo)
    page.fill("#id_card_last4", truth.card_last4)
    page.check("#id_consent")
    page.click("#send")
    page.wait_for_url(re.compile(r"/s/[0-9a-f-]{36}/$"), timeout=60_000)
    assert Submission.objects.count() == 1
    context.close()


def test_the_language_switch_on_a_phone(browser, live_server, campaign):
    context, page = phone(browser, "ru-RU")
    page.goto(f"{live_server.url}/c/{campaign.slug}/")
    assert "Последние 4 цифры карты" in page.inner_text("main")
    page.click(".lang button:has-text('English')")
    page.wait_for_selector(".lang button:has-text('Русский')")
    assert "Last 4 digits of the card" in page.inner_text("main")
    assert page.inner_text("#send") == "Send"
    assert no_horizontal_overflow(page)
    page.click(".lang button:has-text('Русский')")
    page.wait_for_selector(".lang button:has-text('English')")
    assert page.inner_text("#send") == "Отправить"
    context.close()


def test_the_plain_form_works_without_javascript(browser, live_server, campaign, screenshot):
    photo, truth = slip_jpeg(1200)
    context = browser.new_context(viewport=PHONE, locale="en-US", java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/c/{campaign.slug}/")
    assert page.is_visible("#id_photo") and page.is_visible("#id_photo_camera")  # the inputs themselves
    assert no_horizontal_overflow(page) and outside_the_card(page) == []
    screenshot(page, "upload-nojs-360x800-en", full_page=True)
    page.set_input_files("#id_photo", {"name": "IMG_2045.jpg", "mimeType": "image/jpeg", "buffer": photo})
    fill_the_form(page, truth)
    page.click("#send")
    page.wait_for_url(re.compile(r"/s/[0-9a-f-]{36}/$"), timeout=60_000)
    assert Submission.objects.get().idempotency_key
    context.close()


def send_through_the_page(browser_context, url: str, seed: int) -> str:
    """One upload through the page's script (XHR); the status page's address."""
    photo, truth = slip_jpeg(1600, seed=seed)
    page = browser_context.new_page()
    page.goto(url)
    page.wait_for_selector("#upload-form[data-ready]")
    choose_from_gallery(page, f"IMG_{seed}.jpg", photo)
    page.wait_for_selector("#preview[data-prepared]", state="attached")
    fill_the_form(page, truth)
    page.click("#send")
    page.wait_for_url(re.compile(r"/s/[0-9a-f-]{36}/$"), timeout=60_000)
    return page.url


def test_one_phones_uploads_make_one_list_and_another_phone_typing_the_contact_sees_none(browser, live_server, campaign):  # fmt: skip
    """promo.owners in a real browser: the cookie set on the script's upload is sent with the next one, so the
    phone's list holds both; a second phone typing the same contact has a list of its own upload only."""
    url = f"{live_server.url}/c/{campaign.slug}/"
    mine, _ = phone(browser, "en-US")
    first = send_through_the_page(mine, url, seed=21)
    second = send_through_the_page(mine, url, seed=22)
    (cookie,) = [c for c in mine.cookies() if c["name"] == "slipcheck_owner"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    page = mine.new_page()
    page.goto(second)
    page.click("#mine")
    page.wait_for_url(re.compile(r"/mine/"))
    listed = page.content()
    assert first.split("/s/")[1] in listed and second.split("/s/")[1] in listed

    theirs, _ = phone(browser, "en-US")  # another phone, the same typed contact (fill_the_form)
    other = send_through_the_page(theirs, url, seed=23)
    page = theirs.new_page()
    page.goto(other)
    page.click("#mine")
    page.wait_for_url(re.compile(r"/mine/"))
    listed = page.content()
    assert other.split("/s/")[1] in listed
    assert first.split("/s/")[1] not in listed and second.split("/s/")[1] not in listed
    assert Submission.objects.values("participant").distinct().count() == 1  # one contact, two owners
    mine.close()
    theirs.close()
