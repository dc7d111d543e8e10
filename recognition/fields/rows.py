"""Rows of print from engine boxes: the text direction, and boxes on one row joined.

A phone photo of a receipt is rarely flat: the paper curls, the camera looks at it from an angle, and the value
at the right end of a row sits up to half a line above or below its label. Rows are therefore built box by box
(each box joins the row whose nearest member it continues), never with two boxes of one column in a row, and
with the offset between a column of labels and the column of values beside it measured on the page itself."""

from __future__ import annotations

import math
import statistics
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

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


@dataclass(frozen=True)
class _Placed:
    """A line's box in the page's own frame (turned so that its text runs along x)."""

    line: OcrLine
    left: float
    right: float
    top: float
    bottom: float

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 1.0)


# Boxes of one row never overlap along it by more than this share of a line's height (an engine's boxes of one
# row overlap by up to half a character; two lines of one column overlap by their whole width).
_OVERLAP = 0.6
# A box continues a row when its middle is within this many line heights of where the row puts it.
_ROW_TOLERANCE = 0.45
# The offset of a column of values against its labels is looked for up to half a line either way: beyond that a
# row and the next cannot be told apart by position.
_SHIFTS = tuple(step / 20 for step in range(-10, 11))
_SHIFT_MATCH = 0.2
# How far up and down (in line heights) the rows that measure a box's offset reach.
_SHIFT_WINDOW = 8.0


def _place(lines: list[OcrLine], angle: float) -> list[_Placed]:
    cos, sin = math.cos(angle), math.sin(angle)
    placed = []
    for line in lines:
        along = [x * cos + y * sin for x, y in line.box]
        across = [-x * sin + y * cos for x, y in line.box]
        placed.append(_Placed(line, min(along), max(along), min(across), max(across)))
    return placed


def _apart(a: _Placed, b: _Placed) -> bool:
    """The two boxes can stand on one row: one ends (about) where the other begins."""
    overlap = min(a.right, b.right) - max(a.left, b.left)
    return overlap <= _OVERLAP * min(a.height, b.height)


def _offset(left: _Placed, right: _Placed) -> float:
    """How far the right box's middle sits below the left one's, in line heights."""
    return (right.middle - left.middle) / min(left.height, right.height)


def _within(boxes: list[_Placed], middles: list[float], box: _Placed, reach: float) -> list[_Placed]:
    """The boxes (sorted by middle, `middles` theirs) whose middle is within `reach` of the box's."""
    return boxes[bisect_left(middles, box.middle - reach) : bisect_right(middles, box.middle + reach)]


def _left_neighbours(box: _Placed, near: list[_Placed]) -> list[float]:
    """Offsets of the boxes before `box` along the text that could share its row (within a line either way)."""
    offsets = []
    for other in near:
        if other is not box and other.right <= box.left + _OVERLAP * box.height:
            offset = _offset(other, box)
            if abs(offset) < 1.2:
                offsets.append(offset)
    return offsets


def column_shifts(boxes: list[_Placed]) -> dict[int, float]:
    """For each box, the offset (in line heights) at which the boxes of its column sit against the boxes to their
    left: 0 on a flat page, up to half a line on a curled one. `boxes` sorted by their middles.

    Measured on the box's column (boxes above and below it that overlap it along the text) as the offset that
    pairs the most of them with a box on their left; a tie goes to the smaller offset. Where a value sits half a
    line between two labels, the column's ends decide: the last value has a label above it and none below."""
    middles = [box.middle for box in boxes]
    tallest = max((box.height for box in boxes), default=1.0)
    neighbours = {
        id(box): _left_neighbours(box, _within(boxes, middles, box, 1.2 * tallest)) for box in boxes
    }
    shifts = {}
    for box in boxes:
        column = [
            other
            for other in _within(boxes, middles, box, _SHIFT_WINDOW * box.height)
            if neighbours[id(other)]
            and min(other.right, box.right) - max(other.left, box.left)
            > 0.5 * min(other.right - other.left, box.right - box.left)
        ]
        if not column:
            shifts[id(box)] = 0.0
            continue
        offsets = [neighbours[id(other)] for other in column]
        shifts[id(box)] = max(_SHIFTS, key=lambda shift: (_paired(offsets, shift), -abs(shift)))
    return shifts


def _paired(offsets: list[list[float]], shift: float) -> int:
    """How many boxes of a column have a box on their left at `shift`."""
    return sum(any(abs(o - shift) < _SHIFT_MATCH for o in options) for options in offsets)


def merge_rows(lines: list[OcrLine]) -> list[OcrLine]:
    """Lines printed on one row joined left to right: engines often split `Сумма:   1979,00` in two boxes.

    Rows are found along the text's own direction, box by box from the top: a box joins the row whose member
    nearest to it along the text it continues (at the column's measured offset), and no row takes two boxes
    that overlap along the text, so a column of labels is never swallowed into one row."""
    boxes = sorted(_place(lines, page_angle(lines)), key=lambda b: b.middle)
    shifts = column_shifts(boxes)
    rows: list[list[_Placed]] = []
    for box in boxes:
        best, best_miss = None, _ROW_TOLERANCE
        for row in rows:
            if not all(_apart(member, box) for member in row):
                continue
            near = min(row, key=lambda m: max(m.left - box.right, box.left - m.right))
            if near.right <= box.left + _OVERLAP * box.height:  # the row continues to the right with this box
                miss = abs(_offset(near, box) - shifts[id(box)])
            else:  # the box is printed before the row's nearest member
                miss = abs(_offset(box, near) - shifts[id(near)])
            if miss < best_miss:
                best, best_miss = row, miss
        if best is None:
            rows.append([box])
        else:
            best.append(box)
    rows.sort(key=lambda row: min(row, key=lambda m: m.left).middle)
    merged = []
    for row in rows:
        members = [placed.line for placed in sorted(row, key=lambda m: m.left)]
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
