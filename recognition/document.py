"""Finding the document in a phone photo before reading it.

A phone photo shows a table, fingers, a folder and perspective around a small receipt. Cut out and upright,
the document gets the detector's pixels (a small receipt is enlarged to the detector's working size instead of
filling a third of it), background print (a menu, a second receipt at the edge) is not read, and rows stay level
for extraction. Measured on srd-dev's tune half (39 phone photos): 2 more amounts of 38 read right, dates
level, at the same median time (the outline costs ~15 ms; a crop saves the detector about what a second
detection costs).

Two ways to find it: the paper's outline (bright, colourless paper against a darker or coloured table: a
quadrilateral, warped to a rectangle), or, where the paper has no clear outline (a white tablecloth, a scan),
the hull of the text boxes of a first detection (a rotated rectangle). A slip lying next to a receipt is a
second region; the regions are warped and stacked one above the other into one page, so the engines and the
extraction read them as one long document and each line keeps its own row.

Pure functions on RGB numpy images; `Page.to_photo` maps a box on the page back to the photo (redaction paints
the photo, not the page).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from recognition.types import Box

Quad = np.ndarray  # (4, 2) float32, clockwise from top-left, in photo pixels

WORK_SIDE = 512  # px: the outline is searched at this size, whatever the photo's
# A document smaller than this share of the photo is a speck (a label, a coin), not the paper to read.
MIN_DOCUMENT_AREA = 0.06
# Brightness minus chroma (0..255) above which the darker part of the photo is paper-like too.
MAX_SURROUNDINGS_SCORE = 100
# A second document must be at least this share of the first one's area (a slip next to a receipt).
MIN_SECOND_DOCUMENT = 0.2
# Above this share of the photo the document fills the frame: cropping buys nothing.
MAX_CROP_AREA = 0.85
# The paper's blob must fill its hull: a table with glare or a patterned cloth makes ragged blobs.
MIN_SOLIDITY = 0.85
# The fitted quadrilateral must match the hull: else the blob is not a sheet (a curled receipt, a hand).
MAX_QUAD_MISFIT = 0.12
# Opposite sides of a sheet seen from a hand's height differ by less than this factor.
MAX_SIDE_RATIO = 1.5
MARGIN = 0.03  # of the document's short side, kept around it: the outline may shave a character
STACK_GAP = 24  # px of white between documents stacked on one page
# The hull of the text boxes is used only where the text covers at most this share of the photo, and only where
# the detector, run again on the cut, sees the print at least this much larger (its working size is bounded on
# both sides, so a cut does not always enlarge). It guards the detection cap (rapid.DETECTION_LONG_SIDE) on
# large photos of small receipts. On the tune halves it cut 13 of 77 scans (small receipts on A4 scans) and 2 of
# 39 photos without changing an amount, date or time, for a second detection on those (+3-6% median time).
MAX_TEXT_HULL_AREA = 0.5
MIN_TEXT_ENLARGEMENT = 1.5
# Shadows: when the paper's background light varies more than this (darkest / brightest), it is flattened.
MAX_LIGHT_FALLOFF = 0.72


@dataclass(frozen=True)
class PlacedRegion:
    """One document on the page: where it lies there, and the homography from the photo to its own rectangle."""

    left: int
    top: int
    width: int
    height: int
    photo_to_region: np.ndarray  # 3x3


@dataclass(frozen=True)
class Page:
    """What the engines read: the documents cut out of the photo, upright, stacked; and how it was made."""

    pixels: np.ndarray
    regions: tuple[PlacedRegion, ...]
    steps: tuple[str, ...] = ()
    quads: tuple[Quad, ...] = field(default=(), repr=False)  # where the documents lie in the photo

    def to_photo(self, box: Box) -> Box:
        """A box on the page as a box on the photo (through the region it lies in)."""
        points = np.array(box, dtype=np.float64)
        centre = points.mean(axis=0)
        region = min(self.regions, key=lambda r: _distance_to_rect(centre, r))
        local = points - (region.left, region.top)
        back = cv2.perspectiveTransform(local[None], np.linalg.inv(region.photo_to_region))[0]
        return tuple((float(x), float(y)) for x, y in back)  # type: ignore[return-value]


def whole_photo(pixels: np.ndarray) -> Page:
    """The photo itself as the page: nothing found, or nothing worth cutting."""
    height, width = pixels.shape[:2]
    return Page(pixels, (PlacedRegion(0, 0, width, height, np.eye(3)),))


# ------------------------------------------------------------------------------------------------ outline


def paper_mask(pixels: np.ndarray) -> np.ndarray | None:
    """Where the photo is paper: bright and colourless after white balance, text holes closed; None when the
    darker side of the photo is bright and colourless too (a white tablecloth, or paper filling the frame with
    a shadow on it), so paper cannot be told from what lies around it.

    White balance first (each channel scaled by its brightest tones), so paper under a warm lamp is still
    colourless; then brightness minus chroma, thresholded by Otsu: paper against anything darker or coloured.
    """
    image = pixels.astype(np.float32)
    bright = np.percentile(image.reshape(-1, 3), 97, axis=0)
    image = np.clip(image * (235.0 / np.maximum(bright, 1.0)), 0, 255).astype(np.uint8)
    lab = cv2.cvtColor(image, cv2.COLOR_RGB2LAB).astype(np.float32)
    chroma = np.hypot(lab[..., 1] - 128, lab[..., 2] - 128)
    score = np.clip(lab[..., 0] - 2.0 * chroma, 0, 255).astype(np.uint8)
    score = cv2.GaussianBlur(score, (5, 5), 0)
    threshold, mask = cv2.threshold(score, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    surroundings = score[score <= threshold]
    if surroundings.size == 0 or surroundings.size == score.size:
        return None  # one tone all over: nothing to tell apart
    if float(surroundings.mean()) > MAX_SURROUNDINGS_SCORE:
        return None
    size = max(3, min(mask.shape) // 40) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (size, size))
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel)
    return cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)


def order_corners(points: np.ndarray) -> Quad:
    """Four points clockwise from the top-left as the photo shows them (top-left: the smallest x + y)."""
    points = np.asarray(points, dtype=np.float32).reshape(4, 2)
    centre = points.mean(axis=0)
    angles = np.arctan2(points[:, 1] - centre[1], points[:, 0] - centre[0])
    clockwise = points[np.argsort(angles)]  # image y points down: increasing angle runs clockwise
    start = int(np.argmin(clockwise.sum(axis=1)))
    return np.roll(clockwise, -start, axis=0)


def fit_quad(hull: np.ndarray) -> Quad:
    """The quadrilateral that best outlines a convex hull: the polygon simplified to four corners, or the
    minimum-area rectangle where no four-corner simplification fits (a torn or curled edge)."""
    perimeter = cv2.arcLength(hull, True)
    hull_area = cv2.contourArea(hull)
    for tolerance in (0.01, 0.02, 0.03, 0.05, 0.08):
        approx = cv2.approxPolyDP(hull, tolerance * perimeter, True)
        if len(approx) == 4 and abs(cv2.contourArea(approx) - hull_area) <= MAX_QUAD_MISFIT * hull_area:
            return order_corners(approx.reshape(4, 2))
        if len(approx) < 4:
            break
    return order_corners(cv2.boxPoints(cv2.minAreaRect(hull)))


def find_outlines(pixels: np.ndarray, max_documents: int = 2) -> list[Quad]:
    """The outlines of up to `max_documents` sheets of paper in the photo, largest first; none when the paper
    cannot be told from its surroundings."""
    height, width = pixels.shape[:2]
    scale = min(1.0, WORK_SIDE / max(height, width))
    small = (
        cv2.resize(pixels, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else pixels
    )
    mask = paper_mask(small)
    if mask is None:
        return []
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    photo_area = float(mask.shape[0] * mask.shape[1])
    quads: list[tuple[float, Quad]] = []
    for contour in sorted(contours, key=cv2.contourArea, reverse=True)[: max_documents + 2]:
        area = cv2.contourArea(contour)
        if area < MIN_DOCUMENT_AREA * photo_area or (quads and area < MIN_SECOND_DOCUMENT * quads[0][0]):
            break
        hull = cv2.convexHull(contour)
        if area < MIN_SOLIDITY * cv2.contourArea(hull):
            continue
        quad = fit_quad(hull)
        if not _plausible(quad):
            continue
        quads.append((area, quad / scale))
        if len(quads) == max_documents:
            break
    return [quad.astype(np.float32) for _, quad in quads]


def _plausible(quad: Quad) -> bool:
    """Convex, with corners no sharper than 45 degrees and opposite sides of similar length: a sheet seen in
    perspective from a hand's height, not a shadow's diagonal across the paper (warped, that one shears the
    print it keeps)."""
    if not cv2.isContourConvex(quad.astype(np.float32).reshape(-1, 1, 2)):
        return False
    sides = [float(np.linalg.norm(quad[(i + 1) % 4] - quad[i])) for i in range(4)]
    if max(sides[0], sides[2]) > MAX_SIDE_RATIO * min(sides[0], sides[2]) or max(
        sides[1], sides[3]
    ) > MAX_SIDE_RATIO * min(sides[1], sides[3]):
        return False
    for i in range(4):
        a, b, c = quad[i - 1], quad[i], quad[(i + 1) % 4]
        u, v = a - b, c - b
        cosine = float(np.dot(u, v) / max(np.linalg.norm(u) * np.linalg.norm(v), 1e-6))
        if abs(cosine) > np.cos(np.radians(45)):
            return False
    return True


# ------------------------------------------------------------------------------------------------ text hull


def text_hull(boxes: list[Box], shape: tuple[int, ...]) -> Quad | None:
    """The rotated rectangle around the text boxes of a first detection, when it leaves out enough of the
    photo to be worth cutting. Boxes under half the typical line's height (specks, fine background print) are
    left out of it."""
    if len(boxes) < 3:
        return None
    corners = np.array(boxes, dtype=np.float32)  # (n, 4, 2)
    heights = np.linalg.norm(corners[:, 3] - corners[:, 0], axis=1)
    body = corners[heights >= 0.5 * float(np.median(heights))]
    points = body.reshape(-1, 2)
    rect = cv2.minAreaRect(points)
    (_, _), (w, h), _ = rect
    if w * h > MAX_TEXT_HULL_AREA * shape[0] * shape[1]:
        return None
    return order_corners(cv2.boxPoints(rect))


# ------------------------------------------------------------------------------------------------ warping


def warp_document(pixels: np.ndarray, quad: Quad, margin: float = MARGIN) -> tuple[np.ndarray, np.ndarray]:
    """The document inside `quad` as an upright rectangle at its own resolution, with a margin of the photo
    around it (white beyond the photo's edge); and the homography from the photo to that rectangle."""
    tl, tr, br, bl = quad.astype(np.float32)
    width = max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))
    height = max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))
    pad = margin * min(width, height)
    target = np.array(
        [[pad, pad], [pad + width, pad], [pad + width, pad + height], [pad, pad + height]], dtype=np.float32
    )
    matrix = cv2.getPerspectiveTransform(quad.astype(np.float32), target)
    size = (round(width + 2 * pad), round(height + 2 * pad))
    warped = cv2.warpPerspective(
        pixels,
        matrix,
        size,
        flags=cv2.INTER_CUBIC,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(255, 255, 255),
    )
    return warped, matrix


def is_skewed(quad: Quad, tolerance_degrees: float = 2.0) -> bool:
    """Whether warping the quad does more than cut an axis-aligned rectangle (rotation or perspective)."""
    for i in range(4):
        a, b = quad[i], quad[(i + 1) % 4]
        angle = np.degrees(np.arctan2(b[1] - a[1], b[0] - a[0])) % 90
        if min(angle, 90 - angle) > tolerance_degrees:
            return True
    return False


def stack(images: list[np.ndarray], matrices: list[np.ndarray], gap: int = STACK_GAP) -> Page:
    """Documents one above the other on a white page, in the order given."""
    width = max(image.shape[1] for image in images)
    height = sum(image.shape[0] for image in images) + gap * (len(images) - 1)
    page = np.full((height, width, 3), 255, dtype=np.uint8)
    regions, top = [], 0
    for image, matrix in zip(images, matrices, strict=True):
        page[top : top + image.shape[0], : image.shape[1]] = image
        regions.append(PlacedRegion(0, top, image.shape[1], image.shape[0], matrix))
        top += image.shape[0] + gap
    return Page(page, tuple(regions))


def cut_documents(pixels: np.ndarray, quads: list[Quad], how: str) -> Page:
    """The page of the documents inside `quads` (stacked left one first, as the photo shows them), with the
    steps it took: `how` names what found them."""
    ordered = sorted(quads, key=lambda q: (float(q[:, 0].mean()), float(q[:, 1].mean())))
    warped = [warp_document(pixels, quad) for quad in ordered]
    page = stack([image for image, _ in warped], [matrix for _, matrix in warped])
    steps = [f"document_cropped_{how}"]
    if len(ordered) > 1:
        steps.append("documents_found_2")
    if any(is_skewed(quad) for quad in ordered):
        steps.append("perspective_corrected")
    return Page(page.pixels, page.regions, tuple(steps), tuple(ordered))


def find_page(pixels: np.ndarray) -> Page:
    """The documents of the photo by their outline, cut out and upright; the whole photo where no outline is
    found or the document fills the frame anyway."""
    quads = find_outlines(pixels)
    photo_area = float(pixels.shape[0] * pixels.shape[1])
    if not quads or sum(cv2.contourArea(quad) for quad in quads) > MAX_CROP_AREA * photo_area:
        if quads and len(quads) == 1 and is_skewed(quads[0]):
            return cut_documents(pixels, quads, "outline")  # fills the frame, but tilted: straighten it
        return whole_photo(pixels)
    return cut_documents(pixels, quads, "outline")


# ------------------------------------------------------------------------------------------------ light


def light_falloff(grey: np.ndarray) -> tuple[float, np.ndarray]:
    """How unevenly the paper is lit (darkest / brightest background, 1 when even) and the background itself:
    the page closed over its print (a grey closing with a kernel wider than a character), then blurred."""
    size = max(15, min(grey.shape) // 20) | 1
    background = cv2.morphologyEx(
        grey, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (size, size))
    )
    background = cv2.GaussianBlur(background, (0, 0), size / 2)
    low, high = np.percentile(background, (5, 95))
    return float(low / max(high, 1.0)), background


def flatten_light(pixels: np.ndarray) -> tuple[np.ndarray, bool]:
    """The page with shadows and falloff divided out, where there are any (MAX_LIGHT_FALLOFF); and whether it
    was changed. Dividing by the background keeps the print's contrast to its own paper everywhere."""
    grey = cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY)
    scale = min(1.0, WORK_SIDE / max(grey.shape))
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else grey
    falloff, background = light_falloff(small)
    if falloff >= MAX_LIGHT_FALLOFF:
        return pixels, False
    background = cv2.resize(background, (grey.shape[1], grey.shape[0]), interpolation=cv2.INTER_LINEAR)
    gain = 235.0 / np.maximum(background.astype(np.float32), 16.0)
    flattened = np.clip(pixels.astype(np.float32) * gain[..., None], 0, 255).astype(np.uint8)
    return flattened, True


def _distance_to_rect(point: np.ndarray, region: PlacedRegion) -> float:
    dx = max(region.left - point[0], 0.0, point[0] - (region.left + region.width))
    dy = max(region.top - point[1], 0.0, point[1] - (region.top + region.height))
    return float(np.hypot(dx, dy))


# ------------------------------------------------------------------------------------------------ locating


def clipped(boxes: list[Box], page: Page, photo_shape: tuple[int, ...], border: float = 2.0) -> bool:
    """Whether a text box runs into an edge of the page that lies inside the photo: the outline was drawn
    through the print (a shadow on the paper's edge), not around it. A box at the photo's own edge is the
    photo's cut, which the whole photo would not mend."""
    height, width = page.pixels.shape[:2]
    photo_h, photo_w = photo_shape[:2]
    for box in boxes:
        xs, ys = [p[0] for p in box], [p[1] for p in box]
        if min(xs) > border and min(ys) > border and max(xs) < width - border and max(ys) < height - border:
            continue
        on_photo = np.array(page.to_photo(box))
        inside = (
            on_photo[:, 0].min() > 0.01 * photo_w
            and on_photo[:, 1].min() > 0.01 * photo_h
            and on_photo[:, 0].max() < 0.99 * photo_w
            and on_photo[:, 1].max() < 0.99 * photo_h
        )
        if inside:
            return True
    return False


def locate(
    pixels: np.ndarray,
    detect: Callable[[np.ndarray], list[Box]],
    detection_scale: Callable[[int, int], float],
    *,
    flatten: bool = True,
) -> tuple[Page, list[Box]]:
    """The page to read and its text boxes, `detect` being the engine's text detector and `detection_scale`
    the factor by which it resizes an image of a given height and width.

    The outline first (cheap); a crop that cuts through print is undone. Without an outline, a first detection
    on the whole photo: where its text covers a small part of the photo and the detector would see it larger
    cut out, that part is cut out and detected again; otherwise that detection is the one the engine reads.
    With `flatten`, shadows are divided out of a cut-out page before it is detected (on the whole photo the
    table would be "flattened" into paper-bright texture).
    """

    def prepared(page: Page) -> Page:
        if not flatten:
            return page
        flattened, changed = flatten_light(page.pixels)
        return replace(page, pixels=flattened, steps=(*page.steps, "shadows_normalised")) if changed else page

    page = find_page(pixels)
    if page.steps:
        page = prepared(page)
        boxes = detect(page.pixels)
        if not clipped(boxes, page, pixels.shape):
            return page, boxes
        page = replace(whole_photo(pixels), steps=("document_crop_undone",))
    boxes = detect(pixels)
    hull = text_hull(boxes, pixels.shape)
    if hull is None:
        return page, boxes
    width = float(max(np.linalg.norm(hull[1] - hull[0]), np.linalg.norm(hull[2] - hull[3])))
    height = float(max(np.linalg.norm(hull[3] - hull[0]), np.linalg.norm(hull[2] - hull[1])))
    side = 1 + 2 * MARGIN
    enlargement = detection_scale(round(height * side), round(width * side)) / detection_scale(
        *pixels.shape[:2]
    )
    if enlargement < MIN_TEXT_ENLARGEMENT:
        return page, boxes
    cut = cut_documents(pixels, [hull], "text")
    page = prepared(replace(cut, steps=page.steps + cut.steps))
    return page, detect(page.pixels)


def turn_matrix(turn: int, height: int, width: int) -> np.ndarray:
    """The 3x3 map from an image's pixels to those of `np.rot90(image, turn // 90)` (counter-clockwise)."""
    matrix = np.eye(3)
    for _ in range((turn // 90) % 4):
        # One quarter turn counter-clockwise: (x, y) -> (y, width - x); the image is then `width` high.
        matrix = np.array([[0.0, 1.0, 0.0], [-1.0, 0.0, width], [0.0, 0.0, 1.0]]) @ matrix
        height, width = width, height
    return matrix


def map_box(box: Box, matrix: np.ndarray) -> Box:
    points = cv2.perspectiveTransform(np.array(box, dtype=np.float64)[None], matrix)[0]
    return tuple((float(x), float(y)) for x, y in points)  # type: ignore[return-value]
