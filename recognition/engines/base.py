from typing import Protocol

import numpy as np

from recognition.types import Box, OcrLine


class OcrEngine(Protocol):
    """Finds and reads the text lines of an RGB image."""

    name: str

    def read(self, image: np.ndarray) -> list[OcrLine]: ...

    def detect(self, image: np.ndarray) -> list[Box]:
        """The text lines' boxes, without reading them (to find the document before reading it)."""
        ...

    def detection_scale(self, height: int, width: int) -> float:
        """How much the detector resizes an image of this size before looking at it."""
        ...

    def read_upright(
        self, image: np.ndarray, boxes: list[Box] | None = None
    ) -> tuple[list[OcrLine], np.ndarray, int]:
        """Lines, the upright pixels they refer to, and the counter-clockwise turn (degrees) applied; `boxes`
        is a detection of `image` already made."""
        ...

    def recognize_crops(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """Text and confidence of line images cut out by the caller."""
        ...
