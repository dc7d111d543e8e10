"""OCR lines for tests: what an engine would return, without running one."""

import math

from recognition.types import OcrLine


def line(
    text: str, row: int, *, x: float = 10, width: float | None = None, confidence: float = 0.95
) -> OcrLine:
    """A line on printed row `row` (rows are 30 px apart), starting at `x`."""
    top = 20 + row * 30
    right = x + (width if width is not None else 12 * len(text))
    return OcrLine(
        text=text, confidence=confidence, box=((x, top), (right, top), (right, top + 22), (x, top + 22))
    )


def lines(*texts: str) -> list[OcrLine]:
    return [line(text, row) for row, text in enumerate(texts)]


def tilted(text: str, row: int, *, x: float, width: float, degrees: float) -> OcrLine:
    """`line(...)` on a page photographed `degrees` off level (turned about the page's top-left corner)."""
    upright = line(text, row, x=x, width=width)
    cos, sin = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    box = tuple((px * cos - py * sin, px * sin + py * cos) for px, py in upright.box)
    return OcrLine(text=text, confidence=upright.confidence, box=box)
