"""Cutting a text line out of a photo, straightened, for a line reader."""

import cv2
import numpy as np

from recognition.types import Box

LINE_HEIGHT = 48  # px of the line's own box: Tesseract reads best with capitals ~30 px high


def _sides(box: Box) -> tuple[float, float] | None:
    """The box's top width and left height, or None for a box too thin to cut (a speck the detector saw)."""
    corners = np.array(box, dtype=np.float32)
    top_width = float(np.linalg.norm(corners[1] - corners[0]))
    left_height = float(np.linalg.norm(corners[3] - corners[0]))
    return None if top_width < 2 or left_height < 2 else (top_width, left_height)


def _grown(box: Box, along_px: float, across_px: float) -> np.ndarray:
    """The box's corners moved outwards by `along_px` along the line and `across_px` across it."""
    corners = np.array(box, dtype=np.float32)
    along = (corners[1] - corners[0]) / float(np.linalg.norm(corners[1] - corners[0]))
    across = (corners[3] - corners[0]) / float(np.linalg.norm(corners[3] - corners[0]))
    dx, dy = along * along_px, across * across_px
    return corners + np.array([-dx - dy, dx - dy, dx + dy, -dx + dy], dtype=np.float32)


def crop_line(
    image: np.ndarray, box: Box, *, height: int = LINE_HEIGHT, pad_y: float = 0.08, pad_x: float = 0.1
) -> np.ndarray:
    """The quadrilateral `box` (clockwise from top-left) warped to an upright strip, then framed in paper.

    Slips print lines close together: a vertical margin taken from the photo brings in the halves of the
    neighbouring lines, which make a single-line reader return nothing. So the photo's margin is thin
    (`pad_y`) and the white space a reader wants is added as a frame of the paper's own colour.
    """
    sides = _sides(box)
    if sides is None:
        return np.full((height, height, 3), 255, dtype=np.uint8)
    top_width, left_height = sides
    grown = _grown(box, pad_x * left_height, pad_y * left_height)
    inner_height = max(height - 2 * round(height * 0.25), 8)
    scale = inner_height / (left_height * (1 + 2 * pad_y))
    width = max(round(top_width * (1 + 2 * pad_x * left_height / top_width) * scale), 1)
    target = np.array([[0, 0], [width, 0], [width, inner_height], [0, inner_height]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(grown, target)
    strip = cv2.warpPerspective(
        image, matrix, (width, inner_height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE
    )
    paper = np.percentile(strip.reshape(-1, strip.shape[-1]), 90, axis=0).tolist()
    frame = (height - inner_height) // 2
    return cv2.copyMakeBorder(strip, frame, frame, frame, frame, cv2.BORDER_CONSTANT, value=paper)


def line_strip(
    image: np.ndarray, box: Box, *, height: int = 96, pad_y: float = 0.2, pad_x: float = 0.04
) -> np.ndarray:
    """The quadrilateral `box` warped to an upright strip `height` px high with a margin of the photo around
    it (no paper frame: PP-OCR's recognizer expects the line to fill its height), its contrast stretched.

    For a closer look at a line whose reading is unsure: cut from the photo rather than the page (one
    interpolation instead of two), enlarged with cubic interpolation before the recognizer scales it to its
    48 px, and with faint thermal print stretched to full contrast."""
    sides = _sides(box)
    if sides is None:
        return np.full((height, height, 3), 255, dtype=np.uint8)
    top_width, left_height = sides
    grown = _grown(box, pad_x * top_width, pad_y * left_height)
    width = max(round(height * top_width * (1 + 2 * pad_x) / (left_height * (1 + 2 * pad_y))), 1)
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    strip = cv2.warpPerspective(
        image,
        cv2.getPerspectiveTransform(grown, target),
        (width, height),
        flags=cv2.INTER_CUBIC,
        borderMode=cv2.BORDER_REPLICATE,
    )
    grey = cv2.cvtColor(strip, cv2.COLOR_RGB2GRAY) if strip.ndim == 3 else strip
    low, high = np.percentile(grey, (2, 98))
    stretched = np.clip((grey.astype(np.float32) - low) * (255.0 / max(high - low, 1.0)), 0, 255).astype(
        np.uint8
    )
    return cv2.cvtColor(stretched, cv2.COLOR_GRAY2RGB)
