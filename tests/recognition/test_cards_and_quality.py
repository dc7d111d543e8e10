import cv2
import numpy as np
import pytest

from recognition.cards import luhn_valid, mask_card_numbers, redact_lines, redact_photo
from recognition.images import load_photo
from recognition.quality import photo_quality
from recognition.types import OcrLine
from tests.conftest import generated_photo


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        ("4111111111111111", True),
        ("4111111111111112", False),
        ("2200000000000004", True),
        ("79927398713", True),
    ],
)
def test_luhn(digits, valid):
    assert luhn_valid(digits) is valid


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Карта: 4111 1111 1111 1111", "Карта: ************1111"),
        ("CARD 2200000000000004 MIR", "CARD ************0004 MIR"),
        ("4111-1111-1111-1111", "************1111"),
        # Masked already, not Luhn-valid, an RRN, a fiscal drive number: left alone.
        ("Карта: **** **** **** 1111", "Карта: **** **** **** 1111"),
        ("4111 1111 1111 1112", "4111 1111 1111 1112"),
        ("RRN: 123456789012", "RRN: 123456789012"),
        ("ФН 4111111111111111", "ФН 4111111111111111"),
        ("1524656245152509", "1524656245152509"),
        # Luhn-valid by chance, but no payment card: a loyalty card, a 13-digit barcode, a tax id.
        ("6018840126306675", "6018840126306675"),
        ("6194020100124", "6194020100124"),
        ("GST NO: 6000394528768", "GST NO: 6000394528768"),
        ("Card No: 4111 1111 1111 1111", "Card No: ************1111"),
    ],
)
def test_full_card_numbers_are_masked_but_their_last_four(text, masked):
    assert mask_card_numbers(text) == (masked, masked != text)


def test_redaction_covers_both_engines_readings():
    box = ((0, 0), (10, 0), (10, 5), (0, 5))
    lines, boxes = redact_lines(
        [
            OcrLine("4111111111111111", 0.9, box, alternative="4111 1111 1111 1111"),
            OcrLine("ИТОГ 10,00", 0.9, box),
        ]
    )
    assert boxes == [box]
    assert "4111111111111111" not in lines[0].text and "4111 1111" not in lines[0].alternative
    assert lines[0].text.endswith("1111") and lines[1].text == "ИТОГ 10,00"
    assert mask_card_numbers(lines[0].text, doubt=True)[1] is False  # nothing left to mask


def test_quality_tells_a_legible_photo_from_a_blurred_or_dark_one():
    pixels = load_photo(generated_photo(11, "slip", "ru")[0])
    assert not photo_quality(pixels).poor
    assert photo_quality(cv2.GaussianBlur(pixels, (0, 0), 4)).too_blurred
    assert photo_quality((pixels * 0.12).astype(np.uint8)).too_dark


def test_the_redacted_photo_has_the_number_painted_over():
    pixels = np.full((100, 300, 3), 255, dtype=np.uint8)
    cv2.putText(pixels, "4111 1111 1111 1111", (5, 60), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (0, 0, 0), 2)
    box = ((2.0, 40.0), (290.0, 40.0), (290.0, 68.0), (2.0, 68.0))
    redacted = cv2.imdecode(np.frombuffer(redact_photo(pixels, [box]), np.uint8), cv2.IMREAD_COLOR)
    assert redacted[44:64, 10:280].max() < 40  # the line is black now
    assert redacted[5:25, 10:280].min() > 200  # the rest untouched


def test_a_long_id_labelled_in_the_box_beside_it_is_not_a_card():
    label = OcrLine("MID:", 0.99, ((10, 150), (60, 150), (60, 170), (10, 170)), alternative="MID:")
    merchant_id = "378282246310005"  # Luhn-valid, an Amex prefix, 15 digits
    assert luhn_valid(merchant_id)
    value = OcrLine(merchant_id, 0.99, ((200, 143), (400, 143), (400, 163), (200, 163)))
    lines, boxes = redact_lines([label, value])
    assert boxes == [] and lines[1].text == merchant_id
    alone, boxes = redact_lines([value])
    assert boxes and alone[0].text.endswith("0005")
