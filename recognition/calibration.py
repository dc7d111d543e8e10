"""Confidence that means something: each field's raw confidence mapped to the share of readings at that
confidence that were right on labelled photos, so a threshold the decision uses has a measured error rate.

The curves are fitted by logistic (Platt) scaling with a prior towards the identity, or isotonic regression
(pool adjacent violators) where there is data enough, on the tuning halves of the labelled sets
(`manage.py fit_calibration`) and kept in `calibration.json` beside this module; a field without a curve keeps its
raw confidence. The map is monotone, so it never changes which candidate of a field is the best.
"""

from __future__ import annotations

import json
import math
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from recognition.types import Candidate, FieldReading

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
# Ranking inside a flat step of a curve is kept by a sliver of the raw confidence.
_TIE_BREAK = 1e-3


@dataclass(frozen=True)
class Curve:
    """A monotone map from raw to calibrated confidence: points (raw, calibrated) joined by straight lines,
    flat beyond the first and last point."""

    points: tuple[tuple[float, float], ...]

    def __call__(self, raw: float) -> float:
        xs = [x for x, _ in self.points]
        if not self.points:
            return raw
        if raw <= xs[0]:
            value = self.points[0][1]
        elif raw >= xs[-1]:
            value = self.points[-1][1]
        else:
            i = bisect_right(xs, raw)
            (x0, y0), (x1, y1) = self.points[i - 1], self.points[i]
            value = y0 + (y1 - y0) * (raw - x0) / (x1 - x0) if x1 > x0 else y1
        return min(max(value * (1 - _TIE_BREAK) + _TIE_BREAK * raw, 0.0), 1.0)


def fit_isotonic(samples: Iterable[tuple[float, bool]], min_block: int = 5) -> Curve:
    """Pool adjacent violators over (raw confidence, was right), then blocks of fewer than `min_block`
    readings pooled with a neighbour, each block's rate smoothed as (right + 1) / (n + 2): a perfect block of
    20 readings is 0.95, not a promise of 1.0. Points sit at each block's mean raw confidence."""
    by_raw: dict[float, list[float]] = {}  # readings of one raw confidence are one block from the start
    for raw, right in samples:
        block = by_raw.setdefault(float(raw), [0.0, 0.0, 0.0])  # [sum raw, right, n]
        block[0], block[1], block[2] = block[0] + float(raw), block[1] + bool(right), block[2] + 1
    blocks: list[list[float]] = []
    for raw in sorted(by_raw):
        blocks.append(by_raw[raw])
        while len(blocks) > 1 and _rate(blocks[-2]) > _rate(blocks[-1]):
            _pool(blocks)
    merged: list[list[float]] = []
    for block in blocks:
        if merged and merged[-1][2] < min_block:
            merged[-1] = [a + b for a, b in zip(merged[-1], block, strict=True)]
        else:
            merged.append(block)
    if len(merged) > 1 and merged[-1][2] < min_block:
        _pool(merged)
    # Pooling small blocks can break monotonicity again: restore it.
    monotone: list[list[float]] = []
    for block in merged:
        monotone.append(block)
        while len(monotone) > 1 and _smoothed(monotone[-2]) > _smoothed(monotone[-1]):
            _pool(monotone)
    return Curve(tuple((round(b[0] / b[2], 4), round(_smoothed(b), 4)) for b in monotone))


# Where the curve is drawn: raw confidences, denser near 1 where the thresholds are.
GRID = (0.05, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99, 0.995, 0.999)


def fit_logistic(samples: Iterable[tuple[float, bool]], prior: float = 2.0) -> Curve:
    """Platt scaling on the log-odds of the raw confidence, p = sigmoid(a * logit(raw) + b), with a Gaussian
    prior that pulls (a, b) towards the identity (1, 0) by `prior`: with few wrong readings (a set where nearly
    everything is right) the curve moves only as far as the evidence carries it, and a low raw confidence stays
    low. Fitted by Newton's method; drawn as points on GRID."""
    data = [(_logit(raw), 1.0 if right else 0.0) for raw, right in samples]
    a, b = 1.0, 0.0
    for _ in range(50):
        ga, gb = prior * (a - 1), prior * b  # gradient of the negative log posterior
        haa, hab, hbb = prior, 0.0, prior
        for x, y in data:
            p = _sigmoid(a * x + b)
            ga, gb = ga + (p - y) * x, gb + (p - y)
            w = p * (1 - p)
            haa, hab, hbb = haa + w * x * x, hab + w * x, hbb + w
        det = haa * hbb - hab * hab
        if det <= 0:
            break
        da, db = (hbb * ga - hab * gb) / det, (haa * gb - hab * ga) / det
        a, b = a - da, b - db
        if abs(da) + abs(db) < 1e-9:
            break
    a = max(a, 0.05)  # monotone, whatever the data
    return Curve(tuple((x, round(_sigmoid(a * _logit(x) + b), 4)) for x in GRID))


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z)) if z > -500 else 0.0


def _rate(block: list[float]) -> float:
    return block[1] / block[2]


def _smoothed(block: list[float]) -> float:
    return (block[1] + 1) / (block[2] + 2)


def _pool(blocks: list[list[float]]) -> None:
    last = blocks.pop()
    blocks[-1] = [a + b for a, b in zip(blocks[-1], last, strict=True)]


@dataclass(frozen=True)
class Calibration:
    curves: Mapping[str, Curve]

    def apply(self, fields: dict[str, FieldReading]) -> dict[str, FieldReading]:
        """Every candidate's confidence through its field's curve (the order of the candidates stays)."""
        out = {}
        for name, reading in fields.items():
            curve = self.curves.get(name)
            if curve is None or reading.value is None:
                out[name] = reading
                continue
            candidates = [replace(c, confidence=curve(c.confidence)) for c in reading.candidates]
            out[name] = _rebuilt(reading, candidates)
        return out

    def as_json(self) -> dict:
        return {name: [list(p) for p in curve.points] for name, curve in sorted(self.curves.items())}

    @classmethod
    def from_json(cls, data: Mapping[str, list]) -> Calibration:
        return cls(
            {name: Curve(tuple((float(x), float(y)) for x, y in points)) for name, points in data.items()}
        )


def _rebuilt(reading: FieldReading, candidates: list[Candidate]) -> FieldReading:
    best = candidates[0]
    return replace(reading, confidence=best.confidence, candidates=tuple(candidates))


# No curve at all: every confidence as extraction gave it (what fit_calibration fits on).
RAW = Calibration({})


@cache
def default_calibration() -> Calibration:
    """The fitted curves shipped with the code; none (raw confidences) when the file is absent."""
    if not CALIBRATION_FILE.is_file():
        return Calibration({})
    return Calibration.from_json(json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))["curves"])
