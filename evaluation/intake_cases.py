"""Hostile uploads, made on the fly: what intake must refuse (tests and `manage.py bench_intake` send them
through the real API and page). Also honest photos with metadata, to check what is stored."""

from __future__ import annotations

import functools
import io
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image
from PIL.TiffImagePlugin import IFDRational

HTML_PAGE = b"<!doctype html><html><body><script>fetch('/admin/').then(r=>r.text()).then(alert)</script></body></html>"


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


@functools.cache
def blank_png(width: int, height: int, colour_type: int = 2) -> bytes:
    """A valid PNG of zeros at any size, compressed row by row: megabytes on the wire for gigabytes decoded."""
    channels = {0: 1, 2: 3}[colour_type]
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + width * channels)  # filter byte, then the pixels
    parts = [compressor.compress(row) for _ in range(height)]
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", b"".join(parts))
        + png_chunk(b"IEND", b"")
    )


def encoded(image: Image.Image, image_format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def photo_like(width: int = 600, height: int = 800) -> Image.Image:
    """A picture with some structure (a flat one compresses to nothing and hides codec bugs)."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    image.paste((200, 30, 30), (width // 4, height // 4, width // 2, height // 2))
    return image


GPS_LATITUDE = ((55, 1), (45, 1), (2113, 100))


def exif_with_gps(orientation: int = 1) -> Image.Exif:
    """EXIF as a phone writes it: where the photo was taken (Moscow), the device, and the orientation."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "Apple"
    exif[0x0110] = "iPhone 15"
    exif[0x8825] = {
        1: "N",
        2: tuple(IFDRational(n, d) for n, d in GPS_LATITUDE),
        3: "E",
        4: (IFDRational(37, 1), IFDRational(37, 1), IFDRational(1710, 100)),
    }
    return exif


def jpeg_with_gps(orientation: int = 1) -> bytes:
    return encoded(photo_like(), "JPEG", quality=90, exif=exif_with_gps(orientation).tobytes())


def truncated_jpeg() -> bytes:
    whole = encoded(photo_like(1200, 1600), "JPEG", quality=90)
    return whole[: len(whole) // 2]


@dataclass(frozen=True)
class HostileCase:
    name: str
    file_name: str
    content_type: str
    make: Callable[[], bytes]
    # What the refusal must be: 400 (a field error on the photo) or 413 (the body over the size cap).
    status: int = 400


def hostile_cases(size_cap: int) -> list[HostileCase]:
    """Every case of issue 9's list; `size_cap` is the photo cap in force (the body case is ten times it)."""
    return [
        HostileCase("decompression bomb (PNG, 20000x20000 grey)", "bomb.png", "image/png", lambda: blank_png(20000, 20000, 0)),
        HostileCase("HTML named .jpg", "slip.jpg", "image/jpeg", lambda: HTML_PAGE),
        HostileCase("PNG with an HTML page appended", "slip.png", "image/png", lambda: encoded(photo_like(), "PNG") + HTML_PAGE),
        HostileCase("TIFF named .png", "slip.png", "image/png", lambda: encoded(photo_like(300, 400), "TIFF")),
        HostileCase("HTML named x.html", "x.html", "text/html", lambda: HTML_PAGE),
        HostileCase("PNG 13000x13000", "big.png", "image/png", lambda: blank_png(13000, 13000)),
        HostileCase("truncated JPEG", "slip.jpg", "image/jpeg", truncated_jpeg),
        HostileCase("BMP", "slip.bmp", "image/bmp", lambda: encoded(photo_like(300, 400), "BMP")),
        HostileCase("GIF", "slip.gif", "image/gif", lambda: encoded(photo_like(), "GIF")),
        HostileCase("PDF", "slip.pdf", "application/pdf", lambda: b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"),
        HostileCase("SVG with a script", "slip.svg", "image/svg+xml",
                    lambda: b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        HostileCase("empty file", "slip.jpg", "image/jpeg", lambda: b""),
        HostileCase("body ten times the size cap", "huge.jpg", "image/jpeg",
                    lambda: b"\xff\xd8\xff\xe0" + b"\x00" * (10 * size_cap), status=413),
    ]  # fmt: skip
