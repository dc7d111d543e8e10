"""PP-OCR (PaddleOCR's models) through rapidocr + onnxruntime: the models ship in the wheel, nothing is fetched."""

import functools
import threading

import numpy as np

from recognition.types import OcrLine

# Lines below this score are still returned: a weak line is evidence with a low confidence, not nothing.
MIN_LINE_SCORE = 0.3


class RapidOcrEngine:
    name = "rapidocr-ppocr"

    def __init__(self, threads: int = 0) -> None:
        from rapidocr import RapidOCR  # heavy import: only when an engine is really built

        params: dict[str, object] = {"Global.log_level": "error", "Global.text_score": MIN_LINE_SCORE}
        if threads > 0:
            params["EngineConfig.onnxruntime.intra_op_num_threads"] = threads
            params["EngineConfig.onnxruntime.inter_op_num_threads"] = 1
        self._ocr = RapidOCR(params=params)
        # onnxruntime sessions are not documented as safe for concurrent runs from several threads.
        self._lock = threading.Lock()

    def read(self, image: np.ndarray) -> list[OcrLine]:
        with self._lock:
            result = self._ocr(image)
        if result.txts is None or result.boxes is None:
            return []
        lines = []
        for text, score, box in zip(result.txts, result.scores, result.boxes, strict=True):
            corners = tuple((float(x), float(y)) for x, y in box)
            lines.append(OcrLine(text=text.strip(), confidence=float(score), box=corners))  # type: ignore[arg-type]
        return [line for line in lines if line.text]


@functools.cache
def get_rapid_engine(threads: int = 0) -> RapidOcrEngine:
    """One engine per process: loading the models costs more than reading a photo."""
    return RapidOcrEngine(threads=threads)
