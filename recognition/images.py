"""Turning uploaded bytes into the pixels an engine reads."""

import functools
import io

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

# PP-OCR's detector works at up to 2000 px on the long side; a 12-Mpx phone photo only costs time above that.
MAX_SIDE = 2000
# Decompression bombs: a photo of a slip never needs more pixels than a large phone camera gives (a 48-Mpx
# phone saves 12 Mpx unless asked otherwise). Uploads are refused above this before a pixel is decoded.
MAX_PIXELS = 40_000_000


@functools.cache
def register_heif() -> None:
    """iPhone photos are HEIC: Pillow opens them through pillow-heif's libheif, which ships in its wheel."""
    from pillow_heif import register_heif_opener

    register_heif_opener()


class UnreadableImage(ValueError):
    """The bytes are not an image we can decode."""


def load_photo(data: bytes) -> np.ndarray:
    """RGB pixels, upright as the phone meant (EXIF orientation applied), long side at most MAX_SIDE."""
    register_heif()
    try:
        with Image.open(io.BytesIO(data)) as opened:
            if opened.width * opened.height > MAX_PIXELS:
                raise UnreadableImage(f"image too large: {opened.width}x{opened.height}")
            image = ImageOps.exif_transpose(opened).convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as error:
        raise UnreadableImage(str(error)) from error
    if max(image.size) > MAX_SIDE:
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    return np.asarray(image)
