"""One photo in, one Reading out: load, read lines, extract fields, classify."""

import time

from recognition.engines import OcrEngine, get_rapid_engine
from recognition.extract import classify_document, extract_fields
from recognition.images import load_photo
from recognition.types import Reading


def recognize(photo: bytes, *, engine: OcrEngine | None = None) -> Reading:
    """Reads a photo of a slip. Raises recognition.images.UnreadableImage for bytes that are not an image."""
    engine = engine or get_rapid_engine()
    started = time.perf_counter()
    pixels = load_photo(photo)
    loaded = time.perf_counter()
    lines = engine.read(pixels)
    read = time.perf_counter()
    fields = extract_fields(lines)
    kind, kind_confidence = classify_document(lines, fields)
    done = time.perf_counter()
    return Reading(
        kind=kind,
        kind_confidence=kind_confidence,
        fields=fields,
        lines=lines,
        engine=engine.name,
        timings_ms={
            "load": round((loaded - started) * 1000, 1),
            "ocr": round((read - loaded) * 1000, 1),
            "extract": round((done - read) * 1000, 1),
            "total": round((done - started) * 1000, 1),
        },
    )
