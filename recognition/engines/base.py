from typing import Protocol

import numpy as np

from recognition.types import OcrLine


class OcrEngine(Protocol):
    """Finds and reads the text lines of an RGB image."""

    name: str

    def read(self, image: np.ndarray) -> list[OcrLine]: ...

    def read_upright(self, image: np.ndarray) -> tuple[list[OcrLine], np.ndarray, int]:
        """Lines, the upright pixels they refer to, and the counter-clockwise turn (degrees) applied."""
        ...
