"""Image containers read as bytes, before any decoder sees them: what format a file really is, where its image
data ends, and the original stripped of metadata without touching a pixel.

A participant's file name and content type are hostile input: only the bytes say what a file is. A camera writes
EXIF (GPS, device serials), XMP and text chunks into the file; a polyglot hides an HTML page after the image's
end. The stored original keeps the image data and what a decoder needs to show its colours, nothing else.
"""

from __future__ import annotations

import hashlib
import re
import struct

# Formats a participant may upload, by what the bytes say; the value is the stored original's extension.
ACCEPTED = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "HEIF": "heic"}
# Brands of ISO base media files that are HEIF still images (iPhone: heic; others: heix, mif1, msf1...).
_HEIF_BRANDS = {
    b"heic",
    b"heix",
    b"heim",
    b"heis",
    b"hevc",
    b"hevx",
    b"mif1",
    b"msf1",
    b"mif2",
    b"avif",
    b"avis",
}
# Markup after an image's end makes it an HTML/SVG/script polyglot; cameras append videos, depth maps and
# gain maps there (Pixel motion photos, iPhone MPF), never markup. Only whole tags count: a short marker such as
# `<%` turns up by chance in a few hundred kilobytes of compressed data, and would refuse an honest iPhone photo.
_POLYGLOT_MARKUP = re.compile(
    rb"<(?:html|head|body|script|svg|iframe|frame|img|meta|object|embed|form|style|link|base)[\s/>]"
    rb"|<!doctype|<\?php|javascript:|vbscript:",
    re.IGNORECASE,
)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sniff_format(head: bytes) -> str | None:
    """The image format the first bytes announce: an accepted one, another known one (refused by name), or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[4:8] == b"ftyp":
        brands = {head[8:12]} | {head[i : i + 4] for i in range(16, min(len(head), 64), 4)}
        if brands & _HEIF_BRANDS:
            return "AVIF" if head[8:12] in (b"avif", b"avis") else "HEIF"
        return "MP4"
    for magic, name in (
        (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"), (b"BM", "BMP"), (b"GIF8", "GIF"), (b"%PDF", "PDF"),
        (b"\x00\x00\x01\x00", "ICO"), (b"8BPS", "PSD"), (b"PK\x03\x04", "ZIP"),
    ):  # fmt: skip
        if head.startswith(magic):
            return name
    return None


class BrokenContainer(ValueError):
    """The bytes announce a format but do not hold a whole, well-formed file of it (truncated or forged)."""


def image_end(data: bytes, image_format: str) -> int:
    """Where the image data ends: what follows is appended, not part of the image."""
    if image_format == "JPEG":
        return _jpeg_segments(data)[1]
    if image_format == "PNG":
        return _png_chunks(data)[1]
    if image_format == "WEBP":
        return _webp_chunks(data)[1]
    if image_format == "HEIF":
        return _isobmff_end(data)
    raise ValueError(f"not an accepted format: {image_format}")


def has_polyglot_markup(trailer: bytes) -> bool:
    return _POLYGLOT_MARKUP.search(trailer) is not None


def strip_metadata(data: bytes, image_format: str) -> bytes:
    """The original's image data without EXIF/GPS, XMP, IPTC, comments, text chunks or anything appended.

    Lossless: the compressed image data and what decoding needs (tables, colour profile, Adobe transform) are
    copied byte for byte. HEIF keeps its metadata inside boxes a decoder indexes by offset; it has no lossless
    strip here, so it is refused (its working copy is the only one stored).
    """
    if image_format == "JPEG":
        segments, _ = _jpeg_segments(data)
        kept = [data[start:stop] for marker, start, stop in segments if _jpeg_keeps(marker, data[start:stop])]
        return b"\xff\xd8" + b"".join(kept)
    if image_format == "PNG":
        chunks, _ = _png_chunks(data)
        kept = [data[start:stop] for kind, start, stop in chunks if kind in _PNG_KEPT]
        return data[:8] + b"".join(kept)
    if image_format == "WEBP":
        return _webp_stripped(data)
    raise ValueError(f"no lossless metadata strip for {image_format}")


# --- JPEG: markers with lengths up to the scan, the entropy-coded data, EOI ---------------------------------
# Kept: JFIF (APP0), the ICC profile (APP2 'ICC_PROFILE'), Adobe's colour transform (APP14), tables, frames, scans.
_JPEG_STANDALONE = {0x01, *range(0xD0, 0xD8)}


def _jpeg_keeps(marker: int, segment: bytes) -> bool:
    if marker == 0xE0:
        return segment[4:9] == b"JFIF\x00"
    if marker == 0xE2:
        return segment[4:16] == b"ICC_PROFILE\x00"
    if marker == 0xEE:
        return segment[4:9] == b"Adobe"
    return not (0xE0 <= marker <= 0xEF or marker == 0xFE)  # other APPn (EXIF, XMP, IPTC, MPF) and comments


def _jpeg_segments(data: bytes) -> tuple[list[tuple[int, int, int]], int]:
    """(marker, start, stop) of every segment after SOI, scans with their entropy-coded data, up to EOI
    included; and the offset just after EOI."""
    if not data.startswith(b"\xff\xd8"):
        raise BrokenContainer("no JPEG start marker")
    segments, position, size = [], 2, len(data)
    while True:
        while (
            position < size and data[position] == 0xFF and position + 1 < size and data[position + 1] == 0xFF
        ):
            position += 1  # fill bytes
        if position + 2 > size or data[position] != 0xFF:
            raise BrokenContainer("JPEG ends inside its headers")
        marker = data[position + 1]
        if marker == 0xD9:
            segments.append((marker, position, position + 2))
            return segments, position + 2
        if marker in _JPEG_STANDALONE:
            segments.append((marker, position, position + 2))
            position += 2
            continue
        if position + 4 > size:
            raise BrokenContainer("JPEG ends inside a segment header")
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        stop = position + 2 + length
        if length < 2 or stop > size:
            raise BrokenContainer("JPEG segment runs past the end of the file")
        if (
            marker == 0xDA
        ):  # start of scan: entropy-coded data runs to the next marker that is not RSTn or FF00
            scan = stop
            while True:
                scan = data.find(b"\xff", scan)
                if scan < 0 or scan + 1 >= size:
                    raise BrokenContainer("JPEG is truncated: its image data has no end")
                following = data[scan + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                    scan += 1 if following == 0xFF else 2
                    continue
                break
            stop = scan
        segments.append((marker, position, stop))
        position = stop


# --- PNG: length, type, data, CRC; IEND closes it ----------------------------------------------------------
_PNG_KEPT = {
    b"IHDR",
    b"PLTE",
    b"IDAT",
    b"IEND",
    b"tRNS",
    b"gAMA",
    b"cHRM",
    b"sRGB",
    b"iCCP",
    b"sBIT",
    b"pHYs",
    b"bKGD",
}


def _png_chunks(data: bytes) -> tuple[list[tuple[bytes, int, int]], int]:
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise BrokenContainer("no PNG signature")
    chunks, position = [], 8
    while position + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        stop = position + 12 + length
        if stop > len(data):
            break
        chunks.append((kind, position, stop))
        position = stop
        if kind == b"IEND":
            return chunks, position
    raise BrokenContainer("PNG is truncated: no IEND chunk")


# --- WebP: a RIFF file whose size field says where it ends -------------------------------------------------
def _webp_chunks(data: bytes) -> tuple[list[tuple[bytes, int, int]], int]:
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP" or len(data) < 20:
        raise BrokenContainer("no WebP header")
    (riff_size,) = struct.unpack("<I", data[4:8])
    end = 8 + riff_size
    if end > len(data):
        raise BrokenContainer("WebP is truncated")
    chunks, position = [], 12
    while position + 8 <= end:
        kind, length = struct.unpack("<4sI", data[position : position + 8])
        stop = position + 8 + length + (length & 1)
        if stop > end:
            raise BrokenContainer("WebP chunk runs past the end of the file")
        chunks.append((kind, position, stop))
        position = stop
    return chunks, end


def _webp_stripped(data: bytes) -> bytes:
    chunks, _ = _webp_chunks(data)
    kept = []
    for kind, start, stop in chunks:
        if kind in (b"EXIF", b"XMP "):
            continue
        chunk = data[start:stop]
        if kind == b"VP8X":  # the extended header's flags announce EXIF (0x08) and XMP (0x04): clear them
            chunk = chunk[:8] + bytes([chunk[8] & ~0x0C & 0xFF]) + chunk[9:]
        kept.append(chunk)
    body = b"WEBP" + b"".join(kept)
    return b"RIFF" + struct.pack("<I", len(body)) + body


# --- HEIF: top-level ISO BMFF boxes, each with its size ----------------------------------------------------
def _isobmff_end(data: bytes) -> int:
    position = 0
    while position + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[position : position + 8])
        if size == 1:
            if position + 16 > len(data):
                break
            (size,) = struct.unpack(">Q", data[position + 8 : position + 16])
        elif size == 0:
            return len(data)  # the last box runs to the end of the file
        if size < 8 or not kind.isascii() or position + size > len(data):
            break
        position += size
    if position == 0:
        raise BrokenContainer("no HEIF boxes")
    return position
