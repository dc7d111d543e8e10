"""Tesseract (rus+eng) as the second reader: it re-reads single lines that PP-OCR found.

PP-OCR finds lines well and reads digits and Latin well, but its shipped model has no Cyrillic; Tesseract on a
whole phone photo may return nothing, yet on a straightened, padded line crop it reads Russian labels right.
One API object per process (tesserocr keeps libtesseract loaded: ~15 ms a line instead of a process a line).
"""

from __future__ import annotations

import functools
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

TESSDATA_DIRS = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
)
LANGUAGES = "rus+eng"
EDGE_NOISE = "|[]“”\"'‘’`_—"


@dataclass(frozen=True)
class LineText:
    text: str
    confidence: float  # 0..1, Tesseract's mean word confidence
    chars: tuple[tuple[str, float], ...] = ()  # every symbol with its own confidence


def tessdata_dir() -> str | None:
    """Where rus and eng traineddata are: $TESSDATA_PREFIX, else Debian's tesseract-ocr-rus/-eng location."""
    candidates = [os.environ["TESSDATA_PREFIX"]] if os.environ.get("TESSDATA_PREFIX") else []
    for directory in [*candidates, *TESSDATA_DIRS]:
        path = Path(directory)
        if (path / "rus.traineddata").exists() and (path / "eng.traineddata").exists():
            return str(path)
    return None


class TesseractLineReader:
    name = "tesseract"

    def __init__(self, tessdata: str, languages: str = LANGUAGES) -> None:
        from tesserocr import PSM, PyTessBaseAPI  # heavy: only when a reader is really built

        self._api = PyTessBaseAPI(path=tessdata, lang=languages, psm=PSM.SINGLE_LINE)
        self._lock = threading.Lock()  # one API object is not safe for concurrent use

    def read_line(self, crop: np.ndarray) -> LineText:
        from tesserocr import RIL, iterate_level

        with self._lock:
            self._api.SetImage(Image.fromarray(crop))
            # The frame's edges and the paper's border come back as bars and quotes at the ends of the line.
            text = self._api.GetUTF8Text().strip().strip(EDGE_NOISE).strip()
            if not text:
                return LineText("", 0.0)
            confidence = max(self._api.MeanTextConf(), 0) / 100
            chars = []
            iterator = self._api.GetIterator()
            for symbol in iterate_level(iterator, RIL.SYMBOL):
                char = symbol.GetUTF8Text(RIL.SYMBOL)
                if char:
                    chars.append((char, max(symbol.Confidence(RIL.SYMBOL), 0) / 100))
        return LineText(text, confidence, tuple(chars))


@functools.cache
def get_tesseract_reader() -> TesseractLineReader | None:
    """The process's reader, or None where Tesseract's rus/eng data are not installed (the pipeline then reads
    with PP-OCR alone and says so in the engine name)."""
    directory = tessdata_dir()
    if directory is None:
        return None
    try:
        return TesseractLineReader(directory)
    except (ImportError, RuntimeError):
        return None
