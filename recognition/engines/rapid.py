"""PP-OCR (PaddleOCR's models) through rapidocr + onnxruntime: the models ship in the wheel, nothing is fetched."""

from __future__ import annotations

import functools
import threading

import cv2
import numpy as np

from recognition.types import Box, OcrLine

# Detection works on a copy whose short side is at least DETECTION_SHORT_SIDE (small photos are upscaled to it)
# and whose long side is at most DETECTION_LONG_SIDE where that does not push the short side under the first
# bound; lines are then cut from the full-resolution image for the recognizer. Detection costs in proportion to
# pixels: a 2000 px upload was detected at full size before.
DETECTION_SHORT_SIDE = 640
DETECTION_LONG_SIDE = 1280
RECOGNITION_BATCH = 1
# The line classifier only tells whether the page is upside down: the widest lines say it as well as all do.
CLASSIFIED_LINES = 16


def detection_scale(height: int, width: int) -> float:
    """How much to resize an image before detection (see DETECTION_SHORT_SIDE)."""
    return max(DETECTION_SHORT_SIDE / min(height, width), min(1.0, DETECTION_LONG_SIDE / max(height, width)))


def quiet_sessions(ocr: object, threads: int) -> None:
    """Rebuild the engine's onnxruntime sessions with idle threads that sleep instead of spinning.

    onnxruntime's worker threads busy-wait between operators by default. On a 2-core machine shared with web
    and Celery processes (or another benchmark), the spinning threads steal the cores the model needs: measured
    on 12 receipt photos with the load average at 10, detection and recognition took 0.56 of the time with
    spinning off (0.52 with one thread instead of two, which would forgo the second core when it is free).
    """
    import onnxruntime as ort

    for model in (ocr._load_det_model(), ocr._load_cls_model(), ocr._load_rec_model()):  # type: ignore[attr-defined]
        wrapper = model.session
        path = getattr(wrapper.session, "_model_path", None)
        if not path:
            continue  # a session built from bytes: leave it as it is
        options = ort.SessionOptions()
        options.log_severity_level = 4
        options.enable_cpu_mem_arena = False
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        if threads > 0:
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.add_session_config_entry("session.inter_op.allow_spinning", "0")
        wrapper.session = ort.InferenceSession(path, sess_options=options, providers=["CPUExecutionProvider"])


class RapidOcrEngine:
    name = "rapidocr-ppocr"

    def __init__(self, threads: int = 0) -> None:
        from rapidocr import RapidOCR  # heavy import: only when an engine is really built

        params: dict[str, object] = {
            "Global.log_level": "error",
            # Detection gets an image already sized by `detection_scale`; this only keeps the detector from
            # resizing it again (beyond rounding to multiples of 32).
            "Det.limit_side_len": DETECTION_SHORT_SIDE,
            # Measured on one core over 40 generated slip photos (~600x750 px), amount, date and card all still
            # read 120/120: detecting at a 640 px short side instead of 736 (small photos are upscaled to it)
            # cut 11% of the time; recognizing line crops one by one instead of padded batches of 6, 8%.
            "Rec.rec_batch_num": RECOGNITION_BATCH,
        }
        if threads > 0:
            params["EngineConfig.onnxruntime.intra_op_num_threads"] = threads
            params["EngineConfig.onnxruntime.inter_op_num_threads"] = 1
        self._ocr = RapidOCR(params=params)
        quiet_sessions(self._ocr, threads)
        # onnxruntime sessions are not documented as safe for concurrent runs from several threads.
        self._lock = threading.Lock()

    def read(self, image: np.ndarray) -> list[OcrLine]:
        return self._recognize(image, self.detect(image))[0]

    def detection_scale(self, height: int, width: int) -> float:
        return detection_scale(height, width)

    def detect(self, image: np.ndarray) -> list[Box]:
        """The text lines' boxes (clockwise from top-left, in `image` pixels), top to bottom."""
        scale = detection_scale(*image.shape[:2])
        small = image
        if abs(scale - 1) > 0.02:
            interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
            small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=interpolation)
        with self._lock:
            detected = self._ocr._load_det_model()(np.ascontiguousarray(small))
        if detected.boxes is None or len(detected.boxes) == 0:
            return []
        return [
            tuple((float(x) / scale, float(y) / scale) for x, y in box)  # type: ignore[misc]
            for box in detected.boxes
        ]

    def read_upright(
        self, image: np.ndarray, boxes: list[Box] | None = None
    ) -> tuple[list[OcrLine], np.ndarray, int]:
        """Lines of a page photographed sideways or upside down, read after turning the page upright.

        Returns the lines, the upright pixels (boxes refer to them) and the counter-clockwise turn applied.
        `boxes`: a detection of `image` the caller already made. Sideways: most boxes stand taller than wide.
        Upside down: PP-OCR's line classifier finds most of the widest lines turned by 180 degrees. Each costs
        one more pass, paid only by such photos.
        """
        boxes = self.detect(image) if boxes is None else boxes
        turn = 0
        if boxes and sum(_standing(box) for box in boxes) > len(boxes) / 2:
            image, turn = np.ascontiguousarray(np.rot90(image, 1)), 90
            boxes = self.detect(image)
        lines, flipped, classified = self._recognize(image, boxes)
        if lines and flipped > classified / 2:
            image, turn = np.ascontiguousarray(np.rot90(image, 2)), (turn + 180) % 360
            lines, _, _ = self._recognize(image, self.detect(image))
        return lines, image, turn

    def recognize_crops(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """Text and confidence of line images cut out by the caller (a re-read at another scale)."""
        if not crops:
            return []
        with self._lock:
            recognized = self._ocr.recognize_txt(crops)
        texts = recognized.txts or ("",) * len(crops)
        scores = recognized.scores or (0.0,) * len(crops)
        return [
            (text.strip(), float(score) if text.strip() else 0.0)
            for text, score in zip(texts, scores, strict=True)
        ]

    def _recognize(self, image: np.ndarray, boxes: list[Box]) -> tuple[list[OcrLine], int, int]:
        """Every detected line read, including those the recognizer read as nothing; how many of the classified
        lines the classifier found upside down, and how many it classified.

        RapidOCR's own __call__ drops boxes whose text came out empty, and the Latin/Chinese recognizer reads
        all-Cyrillic lines (`ОДОБРЕНО`, `МИР`) as exactly that; so its steps are run here without that filter.
        """
        from rapidocr.utils.process_img import get_rotate_crop_image

        if not boxes:
            return [], 0, 0
        crops = [get_rotate_crop_image(image, np.array(box, dtype=np.float32)) for box in boxes]
        widest = sorted(range(len(crops)), key=lambda i: -crops[i].shape[1] / max(crops[i].shape[0], 1))
        sample = [crops[i] for i in widest[:CLASSIFIED_LINES]]
        with self._lock:
            # The line classifier only counts lines it finds upside down, to detect an upside-down page. Its
            # per-line flips are not applied: it flips lines of digits and asterisks on upright slips, and
            # `****6938` upside down reads `8369****`.
            _, classified = self._ocr.cls_and_rotate(sample)
        read = self.recognize_crops(crops)
        threshold = self._ocr.cfg.Cls.cls_thresh
        flipped = sum(label == "180" and score > threshold for label, score in classified.cls_res or ())
        lines = [
            OcrLine(text=text, confidence=score, box=box)
            for (text, score), box in zip(read, boxes, strict=True)
        ]
        return lines, flipped, len(sample)


def _standing(box: Box) -> bool:
    xs, ys = [p[0] for p in box], [p[1] for p in box]
    return max(ys) - min(ys) > 1.5 * (max(xs) - min(xs))


@functools.cache
def get_rapid_engine(threads: int = 0) -> RapidOcrEngine:
    """One engine per process: loading the models costs more than reading a photo."""
    return RapidOcrEngine(threads=threads)
