"""Containers read as bytes: the format the bytes announce, where the image ends, and a lossless strip."""

import io
import random

import pytest
from PIL import Image

from evaluation.intake_cases import HTML_PAGE, encoded, exif_with_gps, jpeg_with_gps, photo_like
from promo.intake import photo_intake
from promo.photos import BrokenContainer, has_polyglot_markup, image_end, sniff_format, strip_metadata


@pytest.mark.parametrize(
    ("image_format", "expected"),
    [("JPEG", "JPEG"), ("PNG", "PNG"), ("WEBP", "WEBP"), ("HEIF", "HEIF"), ("TIFF", "TIFF"), ("BMP", "BMP"),
     ("GIF", "GIF")],
)  # fmt: skip
def test_the_bytes_say_the_format(image_format, expected):
    assert sniff_format(encoded(photo_like(300, 400), image_format)[:64]) == expected


@pytest.mark.parametrize("head", [HTML_PAGE, b"%PDF-1.7", b"", b"\x00" * 64, b"GIF8"[:3]])
def test_what_is_not_an_accepted_image_is_named_or_unknown(head):
    assert sniff_format(head[:64]) not in {"JPEG", "PNG", "WEBP", "HEIF"}


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP", "HEIF"])
def test_the_image_ends_where_its_container_says(image_format):
    whole = encoded(photo_like(300, 400), image_format)
    assert image_end(whole, image_format) == len(whole)
    assert image_end(whole + b"trailing bytes", image_format) == len(whole)


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_a_cut_container_is_broken(image_format):
    whole = encoded(photo_like(300, 400), image_format)
    with pytest.raises(BrokenContainer):
        image_end(whole[: len(whole) * 2 // 3], image_format)


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_stripping_keeps_every_pixel_and_drops_the_metadata(image_format):
    options = {"quality": 90} if image_format != "PNG" else {}
    upload = encoded(photo_like(), image_format, exif=exif_with_gps().tobytes(), **options)
    stripped = strip_metadata(upload, image_format)
    assert b"iPhone" in upload and b"iPhone" not in stripped
    with Image.open(io.BytesIO(upload)) as before, Image.open(io.BytesIO(stripped)) as after:
        assert after.format == image_format and not after.getexif()
        assert before.tobytes() == after.tobytes()


def test_a_progressive_cmyk_jpeg_with_restart_markers_strips_and_decodes():
    image = photo_like().convert("CMYK")
    upload = encoded(image, "JPEG", quality=85, progressive=True, restart_marker_blocks=4)
    stripped = strip_metadata(upload, "JPEG")
    with Image.open(io.BytesIO(upload)) as before, Image.open(io.BytesIO(stripped)) as after:
        assert before.tobytes() == after.tobytes()  # the Adobe segment (colour transform) was kept


@pytest.mark.parametrize(
    "trailer",
    [b"<html><body>", b"<script>alert(1)</script>", b"<svg onload=alert(1)>", b"<!DOCTYPE html>", b"<?php x ?>",
     b"<IMG SRC=x onerror=alert(1)>", b"<iframe src=//evil>"],
)  # fmt: skip
def test_markup_after_the_image_is_a_polyglot(trailer):
    assert has_polyglot_markup(b"\x00\x17ftypmp42" + trailer)


def test_what_cameras_append_is_not_taken_for_markup():
    """Motion photos append an MP4, iPhones a gain-map JPEG: megabytes of compressed bytes, never markup."""
    rng = random.Random(9)
    appended = [rng.randbytes(1_000_000) for _ in range(20)] + [jpeg_with_gps(), b"\x00\x00\x00\x18ftypmp42"]
    assert not any(has_polyglot_markup(blob) for blob in appended)
    photo = encoded(photo_like(), "JPEG", quality=90)
    assert (
        photo_intake(photo + appended[0] + appended[-1]).original == photo
    )  # trailer dropped from the original


def test_an_html_page_after_a_jpeg_is_refused():
    with pytest.raises(Exception) as refused:
        photo_intake(encoded(photo_like(), "JPEG") + HTML_PAGE)
    assert refused.value.code == "polyglot"
