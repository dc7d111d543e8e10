"""Full card numbers printed on a photo: found, then masked in everything that is kept.

A slip normally prints the card masked (`**** 1234`); an unmasked number (a badly configured terminal, a photo
of the card itself) must never reach the database or a log. Recognition masks it in the text before anything
leaves the pipeline and paints its lines over in a copy of the photo, which replaces the upload; the
submission goes to a moderator, who checks that nothing else shows it.
"""

from __future__ import annotations

import re
from dataclasses import replace

import cv2
import numpy as np

from recognition.text import has_label, skeleton
from recognition.types import Box, OcrLine

# 13-19 digits, optionally in groups split by one space, dot or dash (`4111 1111 1111 1111`).
_DIGIT_RUN = re.compile(r"(?<![\d])\d(?:[ .-]?\d){12,18}(?![\d])")
# Issuer prefixes and lengths of the payment systems we know. Receipts print many long numbers that pass Luhn
# by chance (one in ten): 13-digit product barcodes, loyalty cards (`Shell Loyalty Card 601884...`), tax ids.
# Measured on SROIE's 150 receipts, a looser "starts with 2-6" rule flagged four of them.
_CARD_FORMATS = (
    (re.compile(r"^4"), (13, 16, 19)),  # VISA
    (re.compile(r"^(?:5[1-5]|222[1-9]|22[3-9]\d|2[3-6]\d\d|27[01]\d|2720)"), (16,)),  # Mastercard
    (re.compile(r"^220[0-4]"), (16, 17, 18, 19)),  # MIR
    (re.compile(r"^3[47]"), (15,)),  # Amex
    (re.compile(r"^35(?:2[89]|[3-8]\d)"), (16, 17, 18, 19)),  # JCB
    (re.compile(r"^(?:62|81)"), (16, 17, 18, 19)),  # UnionPay
    (re.compile(r"^(?:50|5[6-8]|6304|6759|676[1-3])"), (16, 17, 18, 19)),  # Maestro
    (re.compile(r"^(?:6011|64[4-9]|65)"), (16, 19)),  # Discover, which some terminals print for UnionPay
)
# Lines where a long digit run is an id of something else: the fiscal drive, the cash register, the tax payer.
_NOT_A_CARD_LABELS = (
    "ФН", "ФП", "ФД", "ФПД", "РН", "РНМ", "ЗН", "ККТ", "ИНН", "RRN", "AID", "MID", "TID", "Merchant", "Мерчант",
    "Terminal", "Терминал", "Invoice", "Чек", "Ref", "Trace", "GST", "SST", "Tax", "Reg",
)  # fmt: skip
_NOT_A_CARD = tuple(skeleton(label) for label in _NOT_A_CARD_LABELS)


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _has_id_label(text: str) -> bool:
    return has_label(skeleton(text), _NOT_A_CARD)


def _card_format(digits: str) -> bool:
    return any(prefix.match(digits) and len(digits) in lengths for prefix, lengths in _CARD_FORMATS)


def full_card_numbers(text: str) -> list[tuple[int, int]]:
    """Spans of full card numbers in one line: 13-19 Luhn-valid digits with a card issuer's prefix."""
    if _has_id_label(text):
        return []
    spans = []
    for match in _DIGIT_RUN.finditer(text):
        digits = re.sub(r"\D", "", match.group(0))
        if _card_format(digits) and luhn_valid(digits):
            spans.append(match.span())
    return spans


def mask_card_numbers(text: str) -> tuple[str, bool]:
    """The text with every full card number masked but its last four digits (`************1234`)."""
    spans = full_card_numbers(text)
    for start, end in reversed(spans):
        digits = re.sub(r"\D", "", text[start:end])
        text = text[:start] + "*" * (len(digits) - 4) + digits[-4:] + text[end:]
    return text, bool(spans)


def redact_lines(lines: list[OcrLine]) -> tuple[list[OcrLine], list[Box]]:
    """Lines with full card numbers masked in both engines' readings, and the boxes of the lines that had one."""
    redacted, boxes = [], []
    for line in lines:
        text, in_text = mask_card_numbers(line.text)
        alternative, in_alternative = mask_card_numbers(line.alternative)
        labelled = _has_id_label(line.text) or _has_id_label(line.alternative)
        if (in_text or in_alternative) and (labelled or _labelled_as_id_on_its_row(line, lines)):
            in_text = in_alternative = False  # `MID:` in its own box, the merchant id beside it
        if in_text or in_alternative:
            line = replace(line, text=text, alternative=alternative)
            boxes.append(line.box)
        redacted.append(line)
    return redacted, boxes


def _labelled_as_id_on_its_row(line: OcrLine, lines: list[OcrLine]) -> bool:
    """Another box on the same printed row, left of this one, names an id (`MID:`, `ФН`)."""
    height = max(line.bottom - line.top, 1.0)
    for other in lines:
        if other is line or other.right > line.left + height:
            continue
        overlap = min(other.bottom, line.bottom) - max(other.top, line.top)
        if overlap > 0.3 * height and (_has_id_label(other.text) or _has_id_label(other.alternative)):
            return True
    return False


def redact_photo(pixels: np.ndarray, boxes: list[Box], quality: int = 90) -> bytes:
    """The photo as JPEG with the given line boxes painted over (grown a little: a box hugs its characters)."""
    covered = pixels.copy()
    for box in boxes:
        corners = np.array(box, dtype=np.float32)
        centre = corners.mean(axis=0)
        grown = centre + (corners - centre) * 1.15
        cv2.fillPoly(covered, [np.round(grown).astype(np.int32)], (0, 0, 0))
    ok, encoded = cv2.imencode(".jpg", covered, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("could not encode the redacted photo")
    return encoded.tobytes()
