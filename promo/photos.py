"""Checks on an uploaded photo before anything is stored: a clear error now beats a failure in a worker."""

import hashlib
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "BMP", "TIFF"}
# Smaller than this, no slip is legible.
MIN_SIDE = 200


def validate_photo(photo: IO[bytes]) -> None:
    """Size, format and dimensions; leaves the file positioned at its start."""
    size = getattr(photo, "size", None)
    if size is not None and size > settings.SLIPCHECK_MAX_PHOTO_BYTES:
        raise ValidationError(
            _("The photo is too large (%(size)d MB); the limit is %(limit)d MB.")
            % {"size": size // 2**20, "limit": settings.SLIPCHECK_MAX_PHOTO_BYTES // 2**20}
        )
    photo.seek(0)
    try:
        with Image.open(photo) as image:
            image_format, (width, height) = image.format, image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError(
            _("This file is not a photo we can read. Upload a JPEG or PNG picture.")
        ) from None
    finally:
        photo.seek(0)
    if image_format not in ACCEPTED_FORMATS:
        raise ValidationError(
            _("Photos in %(format)s format are not accepted. Upload a JPEG or PNG picture.")
            % {"format": image_format}
        )
    if min(width, height) < MIN_SIDE:
        raise ValidationError(
            _("The photo is too small (%(width)d×%(height)d pixels) to read; take a closer, sharper photo.")
            % {"width": width, "height": height}
        )


def sha256_of(photo: IO[bytes]) -> str:
    digest = hashlib.sha256()
    photo.seek(0)
    for chunk in iter(lambda: photo.read(1 << 20), b""):
        digest.update(chunk)
    photo.seek(0)
    return digest.hexdigest()
