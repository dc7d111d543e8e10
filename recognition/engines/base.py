from typing import Protocol

import numpy as np

from recognition.types import OcrLine


class OcrEngine(Protocol):
    """Finds and reads the text lines of an RGB image."""

    name: str

    def read(self, image: np.ndarray) -> list[OcrLine]: ...
