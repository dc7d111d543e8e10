"""The one ingestion step every upload goes through (API, page, submit_batch) before anything is stored.

The bytes say what a file is, never its name or content type. The header says how big the image is before a
pixel is decoded, so a decompression bomb costs nothing. The image is decoded once, here, into a working copy:
upright, re-encoded, with no metadata and nothing appended; hashes, recognition and the admin read that copy. The
original is kept under a server-chosen name, stripped losslessly of its metadata.
"""

from __future__ import annotations

import io
import struct
import warnings
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError

from promo.photos import (
    ACCEPTED,
    BrokenContainer,
    has_polyglot_markup,
    image_end,
    sha256_of,
    sniff_format,
    strip_metadata,
)
from promo.uploads import too_large_message
from recognition.images import register_heif

# Said for an empty file by intake, the form and the API alike.
EMPTY_FILE = gettext_lazy("The file is empty. Choose the photo of the slip again.")
NO_PHOTO = gettext_lazy("Attach the photo of the slip: a JPEG, PNG, WebP or HEIC file.")
# Smaller than this, no slip is legible.
MIN_SIDE = 200
# The working copy's long side: twice what recognition reads at, enough for a moderator to zoom into.
WORKING_MAX_SIDE = 4096
WORKING_QUALITY = 90

register_heif()


@dataclass(frozen=True)
class IntakePhoto:
    """A photo that passed intake: what is stored, and what the checks later need."""

    working: bytes  # JPEG, upright, no metadata: what every later step reads
    original: (
        bytes | None
    )  # the upload without metadata or trailer; None where that cannot be done losslessly
    original_format: str  # JPEG, PNG, WEBP or HEIF, as the bytes said
    sha256: str  # of the bytes as uploaded: the same file sent again is known by it
    width: int  # of the upload, as its header says
    height: int

    @property
    def original_extension(self) -> str:
        return ACCEPTED[self.original_format]


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _formats_message() -> str:
    return _("Upload a photo of the slip as JPEG, PNG, WebP or HEIC (as a phone camera takes it).")


def read_upload(upload: IO[bytes] | bytes) -> bytes:
    """The upload's bytes, refusing past the size cap without reading further (the upload handler already cut
    a body that streamed past it)."""
    limit = settings.SLIPCHECK_MAX_PHOTO_BYTES
    if isinstance(upload, bytes):
        data = upload
    else:
        upload.seek(0)
        data = upload.read(limit + 1)
        upload.seek(0)
    if len(data) > limit:
        raise _refuse(
            too_large_message(),
            "too_large",
        )
    if not data:
        raise _refuse(str(EMPTY_FILE), "empty")
    return data


def photo_intake(upload: IO[bytes] | bytes) -> IntakePhoto:
    """Checks an upload and makes its working copy; raises ValidationError (code, participant's language)."""
    data = read_upload(upload)
    image_format = sniff_format(data[:64])
    if image_format is None:
        raise _refuse(_("This file is not a photo.") + " " + _formats_message(), "not_an_image")
    if image_format not in ACCEPTED:
        raise _refuse(
            _("Files in %(format)s format are not accepted.") % {"format": image_format}
            + " "
            + _formats_message(),
            "format_not_accepted",
        )
    try:
        end = image_end(data, image_format)
    except BrokenContainer:
        raise _refuse(_truncated_message(), "broken") from None
    if has_polyglot_markup(data[end:]):
        raise _refuse(_("This file is not a plain photo.") + " " + _formats_message(), "polyglot")
    width, height, working = _decode_working_copy(data, image_format)
    original = strip_metadata(data[:end], image_format) if image_format != "HEIF" else None
    return IntakePhoto(
        working=working,
        original=original,
        original_format=image_format,
        sha256=sha256_of(data),
        width=width,
        height=height,
    )


def _truncated_message() -> str:
    return _("The photo is damaged or was not sent whole. Take the photo again and send it.")


def _decode_working_copy(data: bytes, image_format: str) -> tuple[int, int, bytes]:
    """Header first (dimensions, before any pixel), then one decode; a bomb warning is an error here."""
    max_pixels = settings.SLIPCHECK_MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[image_format]) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise _refuse(_too_many_pixels_message(max_pixels), "too_many_pixels")
                if min(width, height) < MIN_SIDE:
                    raise _refuse(
                        _(
                            "The photo is too small (%(width)d×%(height)d pixels) to read; take a closer, sharper photo."
                        )
                        % {"width": width, "height": height},
                        "too_small",
                    )
                if image_format == "JPEG":
                    # Decoded at 1/2, 1/4 or 1/8 scale where the working copy would shrink anyway.
                    image.draft("RGB", (WORKING_MAX_SIDE, WORKING_MAX_SIDE))
                image.load()
                ImageOps.exif_transpose(image, in_place=True)  # no second copy of a 12-Mpx photo
                working = _flatten(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(_too_many_pixels_message(max_pixels), "too_many_pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, struct.error):
        raise _refuse(_truncated_message(), "broken") from None
    if max(working.size) > WORKING_MAX_SIDE:
        working.thumbnail((WORKING_MAX_SIDE, WORKING_MAX_SIDE), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    working.save(buffer, format="JPEG", quality=WORKING_QUALITY)
    return width, height, buffer.getvalue()


def _too_many_pixels_message(max_pixels: int) -> str:
    return _(
        "The picture is too large (over %(megapixels)d megapixels). Send the photo as the phone camera took it."
    ) % {"megapixels": max_pixels // 1_000_000}


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on white: transparency (PNG, WebP) shows as the paper it stands for."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image if image.mode == "RGB" else image.convert("RGB")
