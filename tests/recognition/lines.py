"""OCR lines for tests: what an engine would return, without running one."""

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
