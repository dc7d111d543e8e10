"""The engines' lines of a photo, cached on disk by the photo's SHA-1: extraction, calibration and their
evaluations rerun in seconds instead of minutes. The lines are those of recognize() without its closer look at
unsure fields (which needs the engine). Only for tuning and measuring extraction: the cache knows
nothing of engine or preprocessing changes (delete it after one), and timings from cached lines are not
recognition timings."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from recognition.document import locate
from recognition.engines import OcrEngine
from recognition.engines.tesseract import TesseractLineReader
from recognition.images import load_photo
from recognition.pipeline import reread_lines
from recognition.types import OcrLine


def engine_lines(
    photo: bytes, engine: OcrEngine, reader: TesseractLineReader | None, cache: Path | None
) -> list[OcrLine]:
    """What the engines read on the photo (upright, re-read by the second engine), from the cache if there."""
    path = cache / f"{hashlib.sha1(photo).hexdigest()}.json" if cache else None
    if path is not None and path.is_file():
        return [
            OcrLine(
                text, confidence, tuple(tuple(point) for point in box), alternative, alternative_confidence
            )
            for text, confidence, box, alternative, alternative_confidence in json.loads(
                path.read_text("utf-8")
            )
        ]
    pixels: np.ndarray = load_photo(photo)
    page, boxes = locate(
        pixels, engine.detect, engine.detection_scale
    )  # as recognize(), without its closer look
    lines, pixels, _ = engine.read_upright(page.pixels, boxes)
    if reader is not None:
        lines = reread_lines(pixels, lines, reader)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        rows = [[ln.text, ln.confidence, ln.box, ln.alternative, ln.alternative_confidence] for ln in lines]
        path.write_text(json.dumps(rows, ensure_ascii=False), "utf-8")
    return lines
