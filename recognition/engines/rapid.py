"""PP-OCR (PaddleOCR's models) through rapidocr + onnxruntime: the models ship in the wheel, nothing is fetched."""

import functools
import threading

import numpy as np

from recognition.types import OcrLine

DETECTION_SHORT_SIDE = 640
RECOGNITION_BATCH = 1


class RapidOcrEngine:
    name = "rapidocr-ppocr"

    def __init__(self, threads: int = 0) -> None:
        from rapidocr import RapidOCR  # heavy import: only when an engine is really built

        params: dict[str, object] = {
            "Global.log_level": "error",
            # Measured on one core over 40 generated slip photos (~600x750 px), amount, date and card all still
            # read 120/120: detecting at a 640 px short side instead of 736 (small photos are upscaled to it)
            # cut 11% of the time; recognizing line crops one by one instead of padded batches of 6, 8%.
            "Det.limit_side_len": DETECTION_SHORT_SIDE,
            "Rec.rec_batch_num": RECOGNITION_BATCH,
        }
        if threads > 0:
            params["EngineConfig.onnxruntime.intra_op_num_threads"] = threads
            params["EngineConfig.onnxruntime.inter_op_num_threads"] = 1
        self._ocr = RapidOCR(params=params)
        # onnxruntime sessions are not documented as safe for concurrent runs from several threads.
        self._lock = threading.Lock()

    def read(self, image: np.ndarray) -> list[OcrLine]:
        return self._read(image)[0]

    def read_upright(self, image: np.ndarray) -> tuple[list[OcrLine], np.ndarray, int]:
        """Lines of a page photographed sideways or upside down, read after turning the page upright.

        Returns the lines, the upright pixels (boxes refer to them) and the counter-clockwise turn applied.
        Sideways: most boxes stand taller than wide. Upside down: PP-OCR's line classifier turns most lines by
        180 degrees. Each costs one more pass, paid only by such photos.
        """
        lines, flipped = self._read(image)
        turn = 0
        if (
            lines
            and sum(line.bottom - line.top > 1.5 * (line.right - line.left) for line in lines)
            > len(lines) / 2
        ):
            image, turn = np.ascontiguousarray(np.rot90(image, 1)), 90
            lines, flipped = self._read(image)
        if lines and flipped > len(lines) / 2:
            image, turn = np.ascontiguousarray(np.rot90(image, 2)), (turn + 180) % 360
            lines, _ = self._read(image)
        return lines, image, turn

    def _read(self, image: np.ndarray) -> tuple[list[OcrLine], int]:
        """Every line the detector found, including those the recognizer read as nothing, and how many lines
        the classifier found upside down.

        RapidOCR's own __call__ drops boxes whose text came out empty, and the Latin/Chinese recognizer reads
        all-Cyrillic lines (`ОДОБРЕНО`, `МИР`) as exactly that; so its steps are run here without that filter.
        """
        from rapidocr.main import RapidOCRError
        from rapidocr.utils.process_img import map_boxes_to_original

        with self._lock:
            resized, op_record = self._ocr.preprocess_img(image)
            try:
                crops, detected = self._ocr.detect_and_crop(resized, op_record)
            except RapidOCRError:  # no text found at all
                return [], 0
            # The line classifier only counts lines it finds upside down, to detect an upside-down page. Its
            # per-line flips are not applied: it flips lines of digits and asterisks on upright slips, and
            # `****6938` upside down reads `8369****`.
            _, classified = self._ocr.cls_and_rotate(crops)
            recognized = self._ocr.recognize_txt(crops)
        if detected.boxes is None or len(detected.boxes) == 0:
            return [], 0
        threshold = self._ocr.cfg.Cls.cls_thresh
        flipped = sum(label == "180" and score > threshold for label, score in classified.cls_res or ())
        boxes = map_boxes_to_original(detected.boxes, op_record, image.shape[0], image.shape[1])
        texts = recognized.txts or ("",) * len(boxes)
        scores = recognized.scores or (0.0,) * len(boxes)
        lines = []
        for text, score, box in zip(texts, scores, boxes, strict=True):
            corners = tuple((float(x), float(y)) for x, y in box)
            empty = not text.strip()
            lines.append(OcrLine(text=text.strip(), confidence=0.0 if empty else float(score), box=corners))  # type: ignore[arg-type]
        return lines, flipped


@functools.cache
def get_rapid_engine(threads: int = 0) -> RapidOcrEngine:
    """One engine per process: loading the models costs more than reading a photo."""
    return RapidOcrEngine(threads=threads)
