"""Intake through the public API and the page: hostile files are refused before anything is stored or decoded,
honest photos are stored as a metadata-free working copy and a stripped original under server-chosen names."""

import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from evaluation.intake_cases import (
    GPS_LATITUDE,
    HTML_PAGE,
    encoded,
    exif_with_gps,
    hostile_cases,
    jpeg_with_gps,
    photo_like,
)
from promo.intake import photo_intake
from promo.models import Submission
from recognition.engines import get_rapid_engine
from recognition.pipeline import recognize

pytestmark = pytest.mark.django_db

SIZE_CAP = 1024 * 1024  # the tests' photo cap: the "ten times the cap" body stays small in memory
FIELDS = {"amount": "10.00", "card_last4": "1234", "contact": "+79990000000", "consent": "true"}


@pytest.fixture(autouse=True)
def _small_cap(settings):
    settings.SLIPCHECK_MAX_PHOTO_BYTES = SIZE_CAP


def _rss_kib(field: str) -> int:
    status = Path("/proc/self/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", status, re.M).group(1))


def peak_memory_growth_mb(run) -> tuple[object, float]:
    """Peak resident memory above where it stood before `run` (the kernel's high-water mark, reset first)."""
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    before = _rss_kib("VmRSS")
    result = run()
    return result, (_rss_kib("VmHWM") - before) / 1024


def api_post(data: bytes, name: str, content_type: str, language: str = "en"):
    return APIClient().post(
        "/api/v1/campaigns/autumn/submissions/",
        {**FIELDS, "photo": SimpleUploadedFile(name, data, content_type=content_type)},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE=language,
    )


def page_post(client, data: bytes, name: str, content_type: str):
    return client.post(
        "/c/autumn/",
        {**FIELDS, "consent": "on", "photo": SimpleUploadedFile(name, data, content_type=content_type)},
        HTTP_ACCEPT_LANGUAGE="en",
    )


@pytest.mark.parametrize("case", hostile_cases(SIZE_CAP), ids=lambda case: case.name)
def test_hostile_uploads_are_refused_through_the_api_and_the_page(case, campaign, client, settings):
    data = case.make()
    response, growth = peak_memory_growth_mb(lambda: api_post(data, case.file_name, case.content_type))
    assert response.status_code == case.status, response.content[:300]
    body = response.json()
    assert body["code"] == ("too_large" if case.status == 413 else "invalid")
    assert set(body["fields"]) == {"photo"}
    message = body["fields"]["photo"][0]["message"]
    assert message.endswith(".") and len(message) > 30  # says what to do
    assert growth < 200, f"{case.name}: peak memory grew {growth:.0f} MB"
    page = page_post(client, data, case.file_name, case.content_type)
    assert page.status_code == case.status
    assert "text/html" in page["Content-Type"]
    assert Submission.objects.count() == 0
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(path.is_file() for path in media.rglob("*"))


@pytest.mark.parametrize(
    ("data", "code", "english", "russian"),
    [
        (HTML_PAGE, "not_an_image", "This file is not a photo. Upload a photo of the slip as JPEG, PNG, WebP or HEIC", "Это не фотография"),
        (encoded(photo_like(300, 400), "TIFF"), "format_not_accepted", "Files in TIFF format are not accepted.", "Файлы в формате TIFF не принимаются"),
        (encoded(photo_like(), "PNG") + HTML_PAGE, "polyglot", "This file is not a plain photo.", "Это не просто фотография"),
    ],
)  # fmt: skip
def test_refusals_say_what_to_do_in_the_participants_language(campaign, data, code, english, russian):
    for language, expected in (("en", english), ("ru", russian)):
        photo_errors = api_post(data, "slip.png", "image/png", language).json()["fields"]["photo"]
        assert photo_errors[0]["message"].startswith(expected)
        assert photo_errors[0]["code"] == code  # intake's code reaches the API
    with pytest.raises(Exception) as refused:
        photo_intake(data)
    assert refused.value.code == code


def stored_files(settings) -> list[Path]:
    return sorted(path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file())


def test_a_jpeg_with_gps_is_stored_without_it_upright_and_under_a_server_chosen_name(campaign, settings):
    upload = jpeg_with_gps(orientation=6)  # the phone was held sideways: 600x800 stored, shown 800x600
    assert b"Exif" in upload and b"iPhone 15" in upload
    response = api_post(upload, "x.html", "text/html")
    assert response.status_code == 202, response.json()
    submission = Submission.objects.get()
    assert submission.photo.name.endswith(f"{submission.pk}.jpg")
    assert submission.original.name.endswith(f"{submission.pk}.jpg")
    assert submission.original_format == "JPEG"
    assert submission.photo.name.startswith("submissions/autumn/")
    assert submission.original.name.startswith("originals/autumn/")
    for path in stored_files(settings):
        data = path.read_bytes()
        assert b"Exif" not in data and b"iPhone 15" not in data and b"html" not in path.name.encode()
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == "JPEG"
            assert not image.getexif()
    with Image.open(submission.photo.path) as working:
        assert working.size == (800, 600)  # the orientation was applied, then dropped with the rest
    with Image.open(submission.original.path) as original:
        assert original.size == (600, 800)  # the original's pixels are untouched...
        with Image.open(io.BytesIO(upload)) as sent:
            assert original.tobytes() == sent.tobytes()  # ...bit for bit


def test_a_png_with_text_chunks_and_trailing_bytes_is_stored_without_them(campaign, settings):
    image = photo_like()
    info = __import__("PIL.PngImagePlugin", fromlist=["PngInfo"]).PngInfo()
    info.add_text("Comment", "home address: Tverskaya 1")
    upload = encoded(image, "PNG", pnginfo=info, exif=exif_with_gps().tobytes()) + b"\x00" * 100
    assert api_post(upload, "slip.png", "image/png").status_code == 202
    for path in stored_files(settings):
        assert b"Tverskaya" not in path.read_bytes() and b"eXIf" not in path.read_bytes()
    submission = Submission.objects.get()
    assert submission.original.name.endswith(".png")
    assert submission.original.read().endswith(b"IEND\xaeB`\x82")


def test_webp_is_accepted_and_stored_without_exif(campaign, settings):
    upload = encoded(photo_like(), "WEBP", quality=90, exif=exif_with_gps().tobytes())
    assert b"EXIF" in upload
    assert api_post(upload, "slip.webp", "image/webp").status_code == 202
    submission = Submission.objects.get()
    assert submission.original.name.endswith(".webp")
    for path in stored_files(settings):
        assert b"EXIF" not in path.read_bytes() and b"iPhone" not in path.read_bytes()
    with Image.open(submission.original.path) as original:
        assert original.size == (600, 800)


def test_an_iphone_heic_is_accepted_and_read_like_its_jpeg(campaign, slip, settings):
    photo, truth = slip
    pixels = Image.open(io.BytesIO(photo))
    heic = encoded(pixels, "HEIF", quality=92, exif=exif_with_gps().tobytes())
    assert heic[4:12] == b"ftypheic"
    response = api_post(heic, "IMG_0001.HEIC", "image/heic")
    assert response.status_code == 202, response.json()
    submission = Submission.objects.get()
    assert (
        submission.original_format == "HEIF" and not submission.original.name
    )  # no lossless strip: not kept
    working = submission.photo.read()
    assert b"iPhone" not in working and b"Exif" not in working
    engine = get_rapid_engine()
    from_heic, from_jpeg = recognize(working, engine=engine), recognize(photo, engine=engine)
    for field in ("amount", "date", "card_last4"):
        assert from_heic.value(field) == from_jpeg.value(field) == getattr(truth, field)


def test_the_gps_latitude_is_nowhere_in_storage(campaign, settings):
    """The degrees-minutes-seconds rationals of the latitude, as EXIF stores them, in no stored byte."""
    upload = jpeg_with_gps()
    needle = b"".join(n.to_bytes(4, "big") + d.to_bytes(4, "big") for n, d in GPS_LATITUDE)
    needle_le = b"".join(n.to_bytes(4, "little") + d.to_bytes(4, "little") for n, d in GPS_LATITUDE)
    assert needle in upload or needle_le in upload  # the phone wrote it
    assert api_post(upload, "slip.jpg", "image/jpeg").status_code == 202
    for path in stored_files(settings):
        assert needle not in path.read_bytes() and needle_le not in path.read_bytes()


def test_a_body_over_the_cap_is_refused_before_it_is_read(campaign):
    """The Content-Length says it: 413 without reading a byte of the body (the stream would raise if read)."""

    class Unreadable(io.RawIOBase):
        def read(self, *args):
            raise AssertionError("the body was read")

    from django.test import Client

    response = Client().generic(
        "POST",
        "/api/v1/campaigns/autumn/submissions/",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(10 * SIZE_CAP),
        HTTP_ACCEPT_LANGUAGE="ru",
        **{"wsgi.input": Unreadable()},
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert "больше" in response.json()["detail"]
    assert response.json()["fields"]["photo"][0] == {
        "code": "too_large",
        "message": response.json()["detail"],
    }


def test_a_photo_over_the_cap_inside_an_allowed_body_is_cut_off_while_it_streams(campaign, client, settings):
    """The file part alone is over the cap, the body within the request margin: the upload handler stops it,
    and both the API and the page say the photo is too large (not that it is missing)."""
    settings.SLIPCHECK_MAX_PHOTO_BYTES = 60_000
    data = b"\xff\xd8\xff\xe0" + bytes(70_000)
    response = api_post(data, "slip.jpg", "image/jpeg")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert response.json()["fields"]["photo"][0]["code"] == "too_large"
    page = page_post(client, data, "slip.jpg", "image/jpeg")
    assert page.status_code == 413
    assert "larger than" in page.content.decode()
    assert Submission.objects.count() == 0


@pytest.mark.parametrize(
    ("size", "code"),
    [((150, 400), "too_small"), ((7000, 7000), "too_many_pixels")],
)
def test_dimensions_come_from_the_header(size, code, settings):
    settings.SLIPCHECK_MAX_PHOTO_BYTES = 50 * 2**20
    data = encoded(Image.new("L", size), "PNG")
    with pytest.raises(Exception) as refused:
        photo_intake(data)
    assert refused.value.code == code


def test_transparency_becomes_white_paper():
    image = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    working = photo_intake(encoded(image, "PNG")).working
    with Image.open(io.BytesIO(working)) as copy:
        assert copy.mode == "RGB" and copy.getpixel((150, 150)) == (255, 255, 255)


def test_a_huge_phone_photo_is_shrunk_once_to_the_working_size(settings):
    settings.SLIPCHECK_MAX_PHOTO_BYTES = 50 * 2**20
    big = photo_like(5100, 6800)  # 35 Mpx, under the 40 Mpx cap
    result = photo_intake(encoded(big, "JPEG", quality=80))
    assert (result.width, result.height) == (5100, 6800)
    with Image.open(io.BytesIO(result.working)) as copy:
        assert max(copy.size) <= 4096 and copy.size[0] / copy.size[1] == pytest.approx(0.75, abs=0.01)


def test_a_heic_held_sideways_is_upright_like_its_jpeg():
    """libheif applies the rotation and resets the EXIF tag: turned once, not twice."""
    image, exif = photo_like(600, 800), exif_with_gps(orientation=6).tobytes()
    sizes = {
        image_format: Image.open(
            io.BytesIO(photo_intake(encoded(image, image_format, exif=exif)).working)
        ).size
        for image_format in ("HEIF", "JPEG")
    }
    assert sizes == {"HEIF": (800, 600), "JPEG": (800, 600)}
