"""A closer look where the first reading is unsure of a field: the lines its candidates came from are cut from
the photo again, enlarged and contrast-stretched, and re-read by PP-OCR's recognizer; the field is extracted
again from the lines read better. Paid only by photos whose amount or date came out unsure, so the median
photo pays nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

import numpy as np

from recognition.geometry import line_strip
from recognition.types import Box, OcrLine, Reading

REREAD_FIELDS = ("amount", "date")
# A field whose best candidate is less sure than this is looked at again.
REREAD_BELOW = 0.6
# Lines per field: the sources of its best candidates (a label and its value, a second sighting).
MAX_LINES = 4


def unsure_of_the_print(reading: Reading, field: str) -> bool:
    """Whether a field's doubt is one a closer look can settle. A date whose runner-up is the same date with
    day and month swapped (`07/03/2015`) is unsure of the convention, not of the print: on the tune halves that
    was every unsure date, and re-reading its line changed none."""
    if reading.value(field) is None or reading.confidence(field) >= REREAD_BELOW:
        return False
    candidates = reading.fields[field].candidates
    if field == "date" and len(candidates) >= 2:
        best, runner_up = candidates[0].value, candidates[1].value
        if isinstance(best, date) and isinstance(runner_up, date):
            swapped = (best.year, best.day, best.month) == (runner_up.year, runner_up.month, runner_up.day)
            return not swapped
    return True


def source_lines(reading: Reading, field: str) -> list[int]:
    """Indexes of the lines a field's candidates were read from (their text is quoted in the candidates'
    sources; rows the extraction joined quote several lines)."""
    sources = [candidate.source for candidate in reading.fields[field].candidates]
    found = [
        index
        for index, line in enumerate(reading.lines)
        if len(line.text) >= 3 and any(line.text in source for source in sources)
    ]
    return found[:MAX_LINES]


def look_closer(
    reading: Reading,
    lines: list[OcrLine],
    *,
    photo: np.ndarray,
    to_photo: Callable[[Box], Box],
    recognize_crops: Callable[[list[np.ndarray]], list[tuple[str, float]]],
    extract: Callable[[list[OcrLine]], Reading],
) -> tuple[Reading, list[OcrLine], tuple[str, ...]]:
    """The reading (and its lines) after a closer look at each unsure field, and the steps taken.

    `lines` are the engines' lines in `reading.lines` order (before card masking); `to_photo` maps their boxes
    onto `photo`; `extract` makes a Reading of lines. A re-read line replaces the first reading only where the
    recognizer is surer of it, and the new extraction is kept only where the field came out surer.
    """
    steps: list[str] = []
    for field in REREAD_FIELDS:
        if not unsure_of_the_print(reading, field):
            continue
        indexes = source_lines(reading, field)
        if not indexes:
            continue
        steps.append(f"reread_{field}")
        strips = [line_strip(photo, to_photo(lines[index].box)) for index in indexes]
        improved = list(lines)
        for index, (text, confidence) in zip(indexes, recognize_crops(strips), strict=True):
            if text and text != lines[index].text and confidence > lines[index].confidence:
                improved[index] = replace(lines[index], text=text, confidence=confidence)
        if improved == lines:
            continue
        again = extract(improved)
        if again.confidence(field) > reading.confidence(field):
            if again.value(field) != reading.value(field):
                steps.append(f"reread_{field}_changed")
            reading, lines = again, improved
    return reading, lines, tuple(steps)
