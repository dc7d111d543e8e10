"""The engines on images the test draws itself: real models, small inputs."""

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from recognition.engines import get_rapid_engine
from recognition.engines.tesseract import get_tesseract_reader
from recognition.geometry import crop_line

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"


def page(*lines: str) -> np.ndarray:
    """Lines printed at the top of a slip-sized piece of paper (a photo is mostly paper, and a strip only a few
    lines high would be upscaled five times for detection, which no phone photo is)."""
    font = ImageFont.truetype(FONT, 24)
    image = Image.new("RGB", (520, max(400, 40 + 44 * len(lines))), "white")
    draw = ImageDraw.Draw(image)
    for row, text in enumerate(lines):
        draw.text((24, 20 + 44 * row), text, fill="black", font=font)
    return np.asarray(image)


@pytest.fixture(scope="module")
def tesseract():
    reader = get_tesseract_reader()
    if reader is None:
        pytest.skip("Tesseract rus/eng data not installed (make test installs them where it may)")
    return reader


def test_rapid_keeps_the_lines_it_cannot_read():
    lines = get_rapid_engine().read(page("ОДОБРЕНО", "AMOUNT 12.50"))
    cyrillic = [line for line in lines if line.middle_y < 56]
    latin = [line for line in lines if line.middle_y > 56]
    assert len(cyrillic) == 1  # RapidOCR alone drops this all-Cyrillic line
    assert cyrillic[0].confidence < 0.5
    assert " ".join(line.text for line in latin) == "AMOUNT 12.50"


def test_tesseract_reads_russian_on_a_straightened_line_crop(tesseract):
    pixels = page("Сумма (Руб): 1979,00", "ОДОБРЕНО")
    lines = sorted(get_rapid_engine().read(pixels), key=lambda line: (line.middle_y > 56, line.left))
    read = [(line.middle_y > 56, tesseract.read_line(crop_line(pixels, line.box))) for line in lines]
    rows = [" ".join(r.text for second, r in read if second == row) for row in (False, True)]
    assert rows == ["Сумма (Руб): 1979,00", "ОДОБРЕНО"]  # however the detector split the rows into boxes
    assert all(0 < r.confidence <= 1 for _, r in read)
    assert "".join(char for _, r in read for char, _ in r.chars).startswith("Сумма")


def test_crop_line_straightens_a_tilted_box():
    pixels = np.full((200, 300, 3), 255, dtype=np.uint8)
    box = ((50.0, 80.0), (250.0, 60.0), (252.0, 90.0), (52.0, 110.0))
    strip = crop_line(pixels, box, height=48)
    assert strip.shape[0] == 48 and strip.shape[1] > 3 * strip.shape[0]


@pytest.mark.parametrize("turns", [1, 2, 3])
def test_a_page_photographed_sideways_or_upside_down_is_read_upright(turns):
    pixels = page("TOTAL 1979.00", "CARD **** 4821", "DATE 21.11.26")
    lines, upright, turned = get_rapid_engine().read_upright(np.ascontiguousarray(np.rot90(pixels, turns)))
    assert (turned + 90 * turns) % 360 == 0
    assert upright.shape == pixels.shape
    top_to_bottom = [line.text for line in sorted(lines, key=lambda line: line.top)]
    assert "1979.00" in top_to_bottom[0] and "21.11.26" in top_to_bottom[-1]
