"""One photo in, one Reading out: load, find the document (recognition.document), find and read its lines
(PP-OCR), re-read them (Tesseract), extract fields from both readings, corroborate them field by field, classify
the document."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from recognition.calibration import Calibration, default_calibration
from recognition.cards import mask_card_numbers, redact_lines, redact_photo
from recognition.corroborate import corroborate
from recognition.document import Page, locate, map_box, turn_matrix
from recognition.engines import OcrEngine, get_rapid_engine
from recognition.engines.tesseract import TesseractLineReader, get_tesseract_reader
from recognition.fields import extract_fields
from recognition.fields.kind import classify_document
from recognition.fiscal_qr import with_fiscal_qr
from recognition.geometry import crop_line
from recognition.images import load_photo
from recognition.quality import photo_quality
from recognition.reread import look_closer
from recognition.types import Box, FieldReading, OcrLine, Reading

# PP-OCR lines below this are noise for extraction; they are still re-read by the second engine, which often
# reads the all-Cyrillic lines PP-OCR scores low (`ОДОБРЕНО`, `МИР`).
MIN_PRIMARY_CONFIDENCE = 0.3
# Digits are PP-OCR's strength: a confident line of digits and punctuation is not re-read.
_MASKED_TAIL = re.compile(r"[*xX•#]{2,}\s?\d{4}")
_DIGITS_ONLY = re.compile(r"^[\d\s.,:/*xX#=-]+$")


def needs_second_reading(line: OcrLine) -> bool:
    """A confident line of digits is left to PP-OCR, except a masked card tail: the scheme printed before it
    (`МИР **** 2044`) is a Cyrillic word PP-OCR drops, and only the second engine reads it."""
    if _MASKED_TAIL.search(line.text):
        return True
    return not (line.confidence >= 0.9 and _DIGITS_ONLY.match(line.text))


# A line PP-OCR read this surely, in Latin script and without a digit, is not re-read: it can only be a label
# or words, and PP-OCR reads Latin words well. On a Latin receipt that is about half of the lines; Tesseract's
# ~15 ms a line was a fifth of the time. (Lines with digits stay re-read: in the second engine's view of the page
# a line it did not read stands in with PP-OCR's reading and confidence, and a stand-in's amount would outrank
# the amounts Tesseract read, at its lower confidences.)
SURE_LINE = 0.9
# Letters outside ASCII in PP-OCR's reading: a Cyrillic line read as look-alikes (`Kapτa`), Tesseract's to read.
_NOT_ASCII_LETTER = re.compile(r"[^\W\d_a-zA-Z]")
_DIGIT = re.compile(r"\d")


def worth_rereading(line: OcrLine) -> bool:
    """Whether the second engine re-reads the line: PP-OCR was unsure of it, read it as nothing or in look-alikes
    (Cyrillic, which its model lacks), or it carries digits among words (`Сумма: 1979,00` read `CyMMa: 1979,00`;
    a sure line of digits alone is PP-OCR's, as before)."""
    if not needs_second_reading(line):
        return False
    return line.confidence < SURE_LINE or bool(
        _NOT_ASCII_LETTER.search(line.text) or _DIGIT.search(line.text)
    )


def reread_lines(pixels: np.ndarray, lines: list[OcrLine], reader: TesseractLineReader) -> list[OcrLine]:
    """Every line with the second engine's reading attached (where it was asked and read something)."""
    reread = []
    for line in lines:
        if worth_rereading(line):
            second = reader.read_line(crop_line(pixels, line.box))
            if second.text:
                line = replace(line, alternative=second.text, alternative_confidence=second.confidence)
        reread.append(line)
    return reread


# Digit runs that stand alone: a digit glued to letters (`py6` for руб) is a misread letter, not a digit.
_DIGIT_RUN = re.compile(r"(?<![^\W\d_])\d+(?![^\W\d_])")


def merge_digits(letters_from: str, digits_from: str) -> tuple[str, int]:
    """`letters_from` with its digit runs replaced by those of `digits_from` when both have runs of the same
    lengths, and how many digits differed. Tesseract reads the Cyrillic, PP-OCR the digits: each where strong."""
    ours, theirs = _DIGIT_RUN.findall(letters_from), _DIGIT_RUN.findall(digits_from)
    if not ours or [len(r) for r in ours] != [len(r) for r in theirs]:
        return letters_from, 0
    replacements = iter(theirs)
    merged = _DIGIT_RUN.sub(lambda _: next(replacements), letters_from)
    differing = sum(
        a != b for run, other in zip(ours, theirs, strict=True) for a, b in zip(run, other, strict=True)
    )
    return merged, differing


def second_view(lines: list[OcrLine]) -> list[OcrLine]:
    """The page as the second engine read it, with PP-OCR's digits where the two agree on the digits' layout;
    PP-OCR's text stands in where Tesseract read nothing. Digits the engines disagreed on cost confidence."""
    view = []
    for line in lines:
        if not line.alternative:
            view.append(line)
            continue
        text, differing = (line.alternative, 0)
        if line.confidence >= 0.5:
            text, differing = merge_digits(line.alternative, line.text)
        view.append(OcrLine(text, line.alternative_confidence * 0.8**differing, line.box))
    return view


def read_lines(
    lines: list[OcrLine],
    *,
    second_engine: bool,
    years: tuple[int, ...] = (),
    calibration: Calibration | None = None,
) -> tuple[Reading, list[Box]]:
    """What `recognize` makes of the lines the engines read: card numbers masked, fields extracted (and
    corroborated across engines with `second_engine`), the document classified; and the regions of the photo
    to paint over. Pure (lines in, Reading out), so the card guard is tested on everything a Reading keeps.
    The Reading's engine, timings, quality and redacted photo are left for the caller, which has the photo."""
    # Nothing below, nor anything kept or logged, may see a full card number.
    lines, card_boxes = redact_lines(lines)
    primary = [line for line in lines if line.confidence >= MIN_PRIMARY_CONFIDENCE]
    fields = extract_fields(primary, years=years)
    if second_engine:
        secondary = extract_fields(second_view(lines), years=years)
        fields = {name: corroborate(fields[name], secondary[name]) for name in fields}
    # Belt and braces: extraction joins rows and lines in its own way, and its sources quote them.
    fields, scrubbed = scrub_fields(fields)
    # Raw confidences become measured ones: the shipped curves unless told otherwise (RAW for fit_calibration).
    fields = (calibration if calibration is not None else default_calibration()).apply(fields)
    kind, kind_confidence = classify_document(primary, fields)
    reading = Reading(
        kind=kind,
        kind_confidence=kind_confidence,
        fields=fields,
        lines=lines,
        engine="",
        full_card_number=bool(card_boxes) or scrubbed,
    )
    return reading, card_boxes


def scrub_fields(fields: dict[str, FieldReading]) -> tuple[dict[str, FieldReading], bool]:
    """Fields with any card number left in a candidate's value or source masked, and whether there was one."""
    found = False

    def scrubbed(value: object) -> object:
        nonlocal found
        if not isinstance(value, str):
            return value
        masked, masked_any = mask_card_numbers(value, doubt=True)
        found = found or masked_any
        return masked

    cleaned = {}
    for name, reading in fields.items():
        candidates = tuple(
            replace(candidate, value=scrubbed(candidate.value), source=scrubbed(candidate.source))
            for candidate in reading.candidates
        )
        cleaned[name] = replace(reading, value=scrubbed(reading.value), candidates=candidates)
    return cleaned, found


def recognize(
    photo: bytes | np.ndarray,
    *,
    engine: OcrEngine | None = None,
    second: TesseractLineReader | bool | None = True,
    years: tuple[int, ...] = (),
    calibration: Calibration | None = None,
) -> Reading:
    """Reads a photo of a slip: its bytes, or the pixels `load_photo` made of them (a caller that also hashes
    the photo decodes it once). Raises recognition.images.UnreadableImage for bytes that are not an image.

    `second`: True for the process's Tesseract reader (when installed), a reader, or None/False for PP-OCR alone.
    `years`: the campaign's years, which let a date with a broken year be repaired.
    `calibration`: None for the curves shipped with the code, recognition.calibration.RAW for raw confidences.
    """
    engine = engine or get_rapid_engine()
    reader = get_tesseract_reader() if second is True else (second or None)
    started = time.perf_counter()
    pixels = photo if isinstance(photo, np.ndarray) else load_photo(photo)
    loaded = time.perf_counter()
    detect = TimedDetector(engine.detect)
    page, boxes = locate(pixels, detect, engine.detection_scale)
    located = time.perf_counter()
    lines, upright, turned = engine.read_upright(page.pixels, boxes)
    read = time.perf_counter()
    if reader is not None:
        lines = reread_lines(upright, lines, reader)
    reread = time.perf_counter()
    reading, card_boxes = read_lines(
        lines, second_engine=reader is not None, years=years, calibration=calibration
    )
    extracted = time.perf_counter()
    reading, closer, looked = look_closer(
        reading,
        lines,
        photo=pixels,
        to_photo=upright_to_photo(page, turned),
        recognize_crops=engine.recognize_crops,
        extract=lambda again: read_lines(
            again, second_engine=reader is not None, years=years, calibration=calibration
        )[0],
    )
    if closer is not lines:  # the card guard's boxes follow the lines that were kept
        _, card_boxes = read_lines(
            closer, second_engine=reader is not None, years=years, calibration=calibration
        )
    quality = photo_quality(pixels).as_dict()
    done = time.perf_counter()
    reading = replace(
        reading,
        engine=engine.name + (f"+{reader.name}" if reader is not None else ""),
        steps=(*page.steps, *((f"turned_{turned}",) if turned else ()), *looked),
        quality=quality,
        # Flagged by the scrub alone (no box known), the photo is left for the moderator to redact.
        redacted_photo=redact_upright_photo(pixels, page, turned, card_boxes) if card_boxes else None,
        timings_ms={
            "load": round((loaded - started) * 1000, 1),
            "find": round((located - loaded - detect.seconds) * 1000, 1),
            "detect": round(detect.seconds * 1000, 1),
            "ocr": round((read - located) * 1000, 1),
            "second_ocr": round((reread - read) * 1000, 1),
            "extract": round((extracted - reread) * 1000, 1),
            "reread": round((done - extracted) * 1000, 1),
            "total": round((done - started) * 1000, 1),
        },
    )
    # The fiscal QR's exact date, time and total over what the OCR read (and its cost added to the total): on the
    # whole photo, then on the document found in it.
    reading = with_fiscal_qr(reading, pixels, page.pixels)
    # The stored photo is the redacted one, turned as the page was, when a card number was painted over.
    on_stored = field_boxes_on_photo(
        reading, upright_to_photo(page, turned), pixels.shape[:2], turned if reading.redacted_photo else 0
    )
    return replace(reading, field_boxes=on_stored)


def field_boxes_on_photo(
    reading: Reading, to_photo: Callable[[Box], Box], size: tuple[int, int], turned: int = 0
) -> dict[str, tuple[tuple[float, float], ...]]:
    """Where each field's best candidate was printed: the rectangle around the lines its source quotes (a row the
    extraction joined quotes several), on the photo (turned by `turned` degrees, as the stored copy is), in
    fractions of its size. A value that came from no printed line (the fiscal QR) has no box."""
    height, width = size
    turn = turn_matrix(turned, height, width) if turned % 360 else None
    if turned % 180:
        height, width = width, height
    boxes = {}
    for name, found in reading.fields.items():
        if not found.candidates:
            continue
        source = found.candidates[0].source
        quoted = [line for line in reading.lines if len(line.text) >= 3 and line.text in source]
        if not quoted:
            continue
        points = [point for line in quoted for point in to_photo(line.box)]
        if turn is not None:
            points = list(map_box(tuple(points), turn))
        xs = [min(max(x / width, 0.0), 1.0) for x, _ in points]
        ys = [min(max(y / height, 0.0), 1.0) for _, y in points]
        left, top, right, bottom = (round(v, 4) for v in (min(xs), min(ys), max(xs), max(ys)))
        boxes[name] = ((left, top), (right, top), (right, bottom), (left, bottom))
    return boxes


class TimedDetector:
    """The engine's detector, keeping count of the time it takes (locating the page calls it once or twice)."""

    def __init__(self, detect: Callable[[np.ndarray], list[Box]]) -> None:
        self._detect = detect
        self.seconds = 0.0

    def __call__(self, image: np.ndarray) -> list[Box]:
        started = time.perf_counter()
        try:
            return self._detect(image)
        finally:
            self.seconds += time.perf_counter() - started


def upright_to_photo(page: Page, turned: int) -> Callable[[Box], Box]:
    """Maps a box on the upright page (what the engines read) onto the photo."""
    to_page = np.linalg.inv(turn_matrix(turned, *page.pixels.shape[:2]))
    return lambda box: page.to_photo(map_box(box, to_page))


def redact_upright_photo(pixels: np.ndarray, page: Page, turned: int, boxes: list[Box]) -> bytes:
    """The whole photo, turned as the page was, with the card number's boxes (found on the upright page)
    painted over: the moderator keeps the photo's context, and no digit of the number."""
    to_photo = upright_to_photo(page, turned)
    to_upright_photo = turn_matrix(turned, *pixels.shape[:2])
    on_photo = [map_box(to_photo(box), to_upright_photo) for box in boxes]
    return redact_photo(np.ascontiguousarray(np.rot90(pixels, turned // 90)), on_photo)
