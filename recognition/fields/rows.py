"""Rows of print from engine boxes: the text direction, and boxes on one row joined."""

from __future__ import annotations

import math
import statistics

from recognition.types import OcrLine


def page_angle(lines: list[OcrLine]) -> float:
    """The photo's text direction in radians: the median slope of the top edges of the wide boxes (a short box's
    slope is mostly noise). 0 when no box is wide enough."""
    angles = []
    for line in lines:
        (x0, y0), (x1, y1), _, (x3, y3) = line.box
        width, height = math.hypot(x1 - x0, y1 - y0), math.hypot(x3 - x0, y3 - y0)
        if width > 2 * height > 0:
            angles.append(math.atan2(y1 - y0, x1 - x0))
    return statistics.median(angles) if angles else 0.0


def merge_rows(lines: list[OcrLine]) -> list[OcrLine]:
    """Lines printed on one row joined left to right: engines often split `Сумма:   1979,00` in two boxes.

    Rows are found along the text's own direction: on a photo taken a few degrees off, the value at the right
    end of a row sits higher or lower than its label by more than half a line."""
    angle = page_angle(lines)
    cos, sin = math.cos(angle), math.sin(angle)

    def across(line: OcrLine) -> tuple[float, float]:
        v = [-x * sin + y * cos for x, y in line.box]
        return min(v), max(v)

    def along(line: OcrLine) -> float:
        return min(x * cos + y * sin for x, y in line.box)

    rows: list[list[tuple[OcrLine, float, float]]] = []
    for line, top, bottom in sorted(((line, *across(line)) for line in lines), key=lambda t: t[1]):
        for row in rows:
            row_top, row_bottom = min(r[1] for r in row), max(r[2] for r in row)
            overlap = min(row_bottom, bottom) - max(row_top, top)
            if overlap > 0.5 * min(bottom - top, row_bottom - row_top):
                row.append((line, top, bottom))
                break
        else:
            rows.append([(line, top, bottom)])
    merged = []
    for row in rows:
        members = sorted((r[0] for r in row), key=along)
        left, right = min(r.left for r in members), max(r.right for r in members)
        top, bottom = min(r.top for r in members), max(r.bottom for r in members)
        merged.append(
            OcrLine(
                text=" ".join(r.text for r in members),
                confidence=min(r.confidence for r in members),
                box=((left, top), (right, top), (right, bottom), (left, bottom)),
            )
        )
    return merged
