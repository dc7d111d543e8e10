"""Finding the document in photos the test draws: a receipt on a table, tilted, in perspective, shadowed."""

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from recognition.document import (
    clipped,
    cut_documents,
    find_outlines,
    find_page,
    flatten_light,
    light_falloff,
    locate,
    map_box,
    turn_matrix,
    warp_document,
    whole_photo,
)
from recognition.engines.rapid import detection_scale
from recognition.pipeline import recognize

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
MARKER = 14  # px: the black squares printed in the receipt's corners, to see where the warp puts them


def receipt(width: int = 300, height: int = 520, lines: tuple[str, ...] = ()) -> np.ndarray:
    """White paper with print and a black square in each corner (inset by 10 px)."""
    image = Image.new("RGB", (width, height), (246, 244, 238))
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 20)
    for row, text in enumerate(lines or ("CAFE DU PORT", "Latte 4.50", "Croissant 3.20", "TOTAL 7.70")):
        draw.text((30, 40 + 34 * row), text, fill=(20, 20, 20), font=font)
    for x, y in ((10, 10), (width - 10 - MARKER, 10), (width - 10 - MARKER, height - 10 - MARKER),
                 (10, height - 10 - MARKER)):  # fmt: skip
        draw.rectangle((x, y, x + MARKER, y + MARKER), fill=(0, 0, 0))
    return np.asarray(image)


def table(height: int = 900, width: int = 1200, seed: int = 0) -> np.ndarray:
    """Dark wood: brown stripes and grain noise."""
    rng = np.random.default_rng(seed)
    rows = np.arange(height)[:, None]
    grain = 18 * np.sin(rows / 9.0 + 3 * np.sin(np.arange(width)[None, :] / 70.0)) + rng.normal(
        0, 10, (height, width)
    )
    base = np.stack([95 + grain, 60 + grain * 0.7, 35 + grain * 0.5], axis=-1)
    return np.clip(base, 0, 255).astype(np.uint8)


def photograph(
    paper: np.ndarray, corners: np.ndarray, background: np.ndarray, shadow: bool = True
) -> np.ndarray:
    """The paper laid on the background at `corners` (clockwise from its top-left), with a shadow across it."""
    h, w = paper.shape[:2]
    source = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(source, corners.astype(np.float32))
    size = (background.shape[1], background.shape[0])
    warped = cv2.warpPerspective(paper, matrix, size, flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), matrix, size, flags=cv2.INTER_NEAREST) > 0
    photo = np.where(mask[..., None], warped, background).astype(np.float32)
    if shadow:  # a soft shadow falling from the left over a third of the photo
        ramp = np.clip((np.arange(size[0]) - size[0] * 0.15) / (size[0] * 0.3), 0, 1)
        photo *= (0.55 + 0.45 * ramp)[None, :, None]
    return np.clip(photo, 0, 255).astype(np.uint8)


TILTED = np.array([[420, 150], [720, 190], [700, 760], [370, 720]], dtype=np.float32)


def corner_error(found: np.ndarray, truth: np.ndarray) -> float:
    return float(np.max(np.linalg.norm(found - truth, axis=1)))


def test_a_tilted_receipt_in_perspective_on_a_table_is_found_by_its_outline():
    photo = photograph(receipt(), TILTED, table())
    quads = find_outlines(photo)
    assert len(quads) == 1
    assert corner_error(quads[0], TILTED) < 0.02 * max(photo.shape)  # 24 px on a 1200 px photo


def test_the_warp_makes_the_receipt_upright_and_rectangular():
    photo = photograph(receipt(), TILTED, table(), shadow=False)
    warped, _ = warp_document(photo, find_outlines(photo)[0])
    dark = (cv2.cvtColor(warped, cv2.COLOR_RGB2GRAY) < 60).astype(np.uint8)
    _count, _, stats, centres = cv2.connectedComponentsWithStats(dark)
    squares = [
        tuple(centre)
        for (x, y, w, h, area), centre in zip(stats[1:], centres[1:], strict=True)
        if 0.6 * MARKER**2 < area < 2.5 * MARKER**2 and 0.6 < w / h < 1.6
    ]
    assert len(squares) == 4
    xs, ys = sorted(x for x, _ in squares), sorted(y for _, y in squares)
    tolerance = 0.03 * max(warped.shape)
    assert xs[1] - xs[0] < tolerance and xs[3] - xs[2] < tolerance  # left and right markers stand in columns
    assert ys[1] - ys[0] < tolerance and ys[3] - ys[2] < tolerance  # top and bottom markers lie in rows
    assert warped.shape[0] > warped.shape[1]  # a portrait receipt stays portrait


def test_a_photo_without_a_document_is_read_whole():
    photo = table(seed=3)
    page = find_page(photo)
    assert page.steps == () and page.pixels is photo


def test_a_document_filling_the_frame_is_not_cut():
    paper = receipt(600, 800)
    photo = photograph(paper, np.array([[2, 2], [598, 2], [598, 798], [2, 798]], np.float32), table(800, 600))
    assert find_page(photo).steps == ()


def test_a_slip_next_to_a_receipt_gives_two_regions_stacked_on_one_page():
    slip = np.array([[120, 200], [420, 210], [410, 620], [110, 610]], dtype=np.float32)
    long_receipt = np.array([[620, 100], [960, 90], [975, 820], [635, 830]], dtype=np.float32)
    photo = photograph(receipt(300, 420), slip, table(), shadow=False)
    photo = photograph(receipt(340, 740), long_receipt, photo, shadow=False)
    quads = find_outlines(photo)
    assert len(quads) == 2
    page = find_page(photo)
    assert "documents_found_2" in page.steps and len(page.regions) == 2
    left, right = page.quads
    assert corner_error(left, slip) < 25 and corner_error(right, long_receipt) < 25
    assert page.regions[1].top > page.regions[0].top + page.regions[0].height  # one above the other


def test_a_box_on_the_page_maps_back_to_where_it_lies_on_the_photo():
    slip = np.array([[120, 200], [420, 210], [410, 620], [110, 610]], dtype=np.float32)
    photo = photograph(receipt(), TILTED, table(), shadow=False)
    page = cut_documents(photo, [TILTED, slip], "outline")
    for quad, region in zip(page.quads, page.regions, strict=True):
        word = (quad[0] * 0.8 + quad[2] * 0.2, quad[1] * 0.8 + quad[3] * 0.2)  # a box inside the document
        box = (tuple(word[0]), tuple(word[1]), tuple(word[1] + 20), tuple(word[0] + 20))
        on_region = np.array(map_box(box, region.photo_to_region)) + np.array([region.left, region.top])
        assert corner_error(np.array(page.to_photo(tuple(map(tuple, on_region)))), np.array(box)) < 0.5


def test_shadows_are_divided_out_where_there_are_any():
    paper = receipt(400, 600)
    ramp = np.linspace(0.45, 1.0, paper.shape[1])[None, :, None]
    shadowed = (paper * ramp).astype(np.uint8)
    assert light_falloff(cv2.cvtColor(shadowed, cv2.COLOR_RGB2GRAY))[0] < 0.6
    flattened, changed = flatten_light(shadowed)
    assert changed
    assert light_falloff(cv2.cvtColor(flattened, cv2.COLOR_RGB2GRAY))[0] > 0.9
    assert flatten_light(paper)[1] is False


def test_a_crop_through_the_print_is_noticed():
    photo = photograph(receipt(), TILTED, table(), shadow=False)
    page = cut_documents(photo, [TILTED], "outline")
    _height, width = page.pixels.shape[:2]
    inside = ((50.0, 50.0), (150.0, 50.0), (150.0, 70.0), (50.0, 70.0))
    at_inner_edge = ((width - 60.0, 50.0), (width - 1.0, 50.0), (width - 1.0, 70.0), (width - 60.0, 70.0))
    assert not clipped([inside], page, photo.shape)
    assert clipped([inside, at_inner_edge], page, photo.shape)
    whole = whole_photo(photo)
    at_photo_edge = ((1100.0, 50.0), (1199.0, 50.0), (1199.0, 70.0), (1100.0, 70.0))
    assert not clipped([at_photo_edge], whole, photo.shape)  # the photo's own cut: nothing to undo


def test_locate_undoes_a_crop_that_cuts_the_print():
    photo = photograph(receipt(), TILTED, table(), shadow=False)
    calls = []

    def detect(image: np.ndarray) -> list:
        calls.append(image.shape)
        _h, w = image.shape[:2]
        return (
            [((w - 40.0, 30.0), (w - 1.0, 30.0), (w - 1.0, 50.0), (w - 40.0, 50.0))]
            if len(calls) == 1
            else []
        )

    page, _boxes = locate(photo, detect, detection_scale)
    assert page.steps == ("document_crop_undone",) and page.pixels is photo and calls[-1] == photo.shape


def text_block(image_shape):
    """A detector that finds eight lines in a 200x300 px block at (500, 300): a small receipt on a white cloth."""
    calls = []

    def detect(image: np.ndarray) -> list:
        calls.append(image.shape)
        if image.shape != image_shape:
            return []
        return [((500.0, 300.0 + 36 * row), (700.0, 300.0 + 36 * row), (700.0, 322.0 + 36 * row),
                 (500.0, 322.0 + 36 * row)) for row in range(8)]  # fmt: skip

    return detect, calls


def test_without_an_outline_the_text_is_cut_out_where_the_detector_then_sees_it_larger():
    photo = np.full((900, 1200, 3), 250, dtype=np.uint8)  # white on white: no outline to find
    detect, calls = text_block(photo.shape)
    page, _ = locate(photo, detect, detection_scale)
    assert page.steps[0] == "document_cropped_text" and len(calls) == 2
    assert page.pixels.shape[0] < 400 and page.pixels.shape[1] < 300
    assert corner_error(page.quads[0], np.array([[500, 300], [700, 300], [700, 574], [500, 574]])) < 2


def test_a_cut_the_detector_would_not_see_larger_is_not_made():
    photo = np.full((900, 1200, 3), 250, dtype=np.uint8)
    detect, calls = text_block(photo.shape)
    page, boxes = locate(photo, detect, lambda height, width: 1.0)
    assert page.steps == () and page.pixels is photo and len(calls) == 1 and len(boxes) == 8


@pytest.mark.parametrize("turn", [90, 180, 270])
def test_turn_matrix_follows_np_rot90(turn):
    image = np.zeros((30, 50), np.uint8)
    image[5, 40] = 1
    turned = np.rot90(image, turn // 90)
    y, x = np.argwhere(turned == 1)[0]
    mapped = map_box(((40.5, 5.5),) * 4, turn_matrix(turn, 30, 50))[0]
    assert mapped == pytest.approx((x + 0.5, y + 0.5))


def test_the_pipeline_reads_the_cut_out_receipt_and_records_its_steps():
    lines = ("CAFE DU PORT", "21.11.2026 12:40", "TOTAL 7.70")
    photo = photograph(receipt(lines=lines), TILTED, table())
    reading = recognize(photo, second=False, years=(2026,))
    assert "document_cropped_outline" in reading.steps and "perspective_corrected" in reading.steps
    assert str(reading.value("amount")) == "7.70"
    assert {"find", "detect", "ocr", "total"} <= set(reading.timings_ms)


def test_the_redacted_photo_is_the_whole_photo_with_the_card_number_painted():
    lines = ("CARD 4111 1111 1111 1111", "TOTAL 7.70")
    photo = photograph(receipt(360, 520, lines=lines), TILTED, table(), shadow=False)
    reading = recognize(photo, second=False)
    assert reading.full_card_number and reading.redacted_photo is not None
    redacted = cv2.imdecode(np.frombuffer(reading.redacted_photo, np.uint8), cv2.IMREAD_COLOR)
    assert redacted.shape[:2] == photo.shape[:2]
    # The card line is the first printed line: just under the middle of the receipt's top edge.
    top_edge = ((TILTED[0] + TILTED[1]) / 2 + (TILTED[3] - TILTED[0]) * 0.09).astype(int)
    patch = redacted[top_edge[1] - 4 : top_edge[1] + 4, top_edge[0] - 20 : top_edge[0] + 20]
    assert patch.mean() < 40  # painted black where the number was printed
