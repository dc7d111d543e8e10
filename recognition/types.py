"""What recognition hands to the rest of the system: lines read, fields with confidences, and timings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from recognition.fiscal_qr import FiscalQr

Point = tuple[float, float]
Box = tuple[Point, Point, Point, Point]

FIELD_NAMES = (
    "amount",
    "date",
    "time",
    "card_last4",
    "payment_system",
    "merchant",
    "rrn",
    "auth_code",
    "terminal_id",
)


@dataclass(frozen=True)
class OcrLine:
    """One text line as an engine read it; box corners clockwise from top-left, in image pixels."""

    text: str
    confidence: float
    box: Box
    # The second engine's reading of the same box ("" when it was not asked or read nothing).
    alternative: str = ""
    alternative_confidence: float = 0.0

    @property
    def top(self) -> float:
        return min(p[1] for p in self.box)

    @property
    def bottom(self) -> float:
        return max(p[1] for p in self.box)

    @property
    def left(self) -> float:
        return min(p[0] for p in self.box)

    @property
    def right(self) -> float:
        return max(p[0] for p in self.box)

    @property
    def middle_y(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(frozen=True)
class Candidate:
    """One possible value of a field, with where it came from so a moderator can check it."""

    value: Any
    confidence: float
    source: str
    rules: tuple[str, ...] = ()
    # Positions in the value's text (e.g. "1979.00") that the engines read differently: unsure characters.
    unsure: tuple[int, ...] = ()


@dataclass(frozen=True)
class FieldReading:
    """The best candidate of a field plus the runners-up; `value` is None when nothing was read."""

    value: Any
    confidence: float
    candidates: tuple[Candidate, ...] = ()
    rules: tuple[str, ...] = ()

    @classmethod
    def empty(cls) -> FieldReading:
        return cls(value=None, confidence=0.0)

    @classmethod
    def from_candidates(cls, candidates: list[Candidate], keep: int = 3) -> FieldReading:
        """Best first; equal values are merged, keeping the most confident sighting."""
        best_by_value: dict[Any, Candidate] = {}
        for candidate in candidates:
            known = best_by_value.get(candidate.value)
            if known is None or candidate.confidence > known.confidence:
                best_by_value[candidate.value] = candidate
        ranked = sorted(best_by_value.values(), key=lambda c: c.confidence, reverse=True)[:keep]
        if not ranked:
            return cls.empty()
        return cls(
            value=ranked[0].value,
            confidence=ranked[0].confidence,
            candidates=tuple(ranked),
            rules=ranked[0].rules,
        )


@dataclass
class Reading:
    """Everything read from one photo."""

    kind: str
    kind_confidence: float
    fields: dict[str, FieldReading]
    lines: list[OcrLine]
    engine: str
    timings_ms: dict[str, float] = field(default_factory=dict)
    # What was done to read the photo, for moderators and benchmarks: the document cut out and straightened
    # ("document_cropped_outline", "perspective_corrected", "shadows_normalised"), turned ("turned_180"), a field
    # looked at again ("reread_amount"); recognition.document and recognition.reread name them.
    steps: tuple[str, ...] = ()
    # Brightness and sharpness of the photo (recognition.quality.PhotoQuality.as_dict()).
    quality: dict[str, Any] = field(default_factory=dict)
    # A full card number was printed on the photo: it is masked in `lines`, and `redacted_photo` (JPEG, upright)
    # is the photo with its lines painted over, to be stored instead of the upload.
    full_card_number: bool = False
    redacted_photo: bytes | None = field(default=None, repr=False)
    # The Russian fiscal receipt QR, when one was decoded (recognition.fiscal_qr): exact date, time, total,
    # the receipt's identity and its operation (a refund is `fiscal.is_refund`).
    fiscal: FiscalQr | None = None
    # Where each field's best reading was printed, for the moderator's eye: the printed row (or rows) it was read
    # on, as four corners in fractions of the stored photo's width and height (recognition.pipeline).
    field_boxes: dict[str, tuple[tuple[float, float], ...]] = field(default_factory=dict)

    def value(self, name: str) -> Any:
        return self.fields[name].value

    def confidence(self, name: str) -> float:
        return self.fields[name].confidence

    @property
    def full_text(self) -> str:
        return "\n".join(line.text for line in self.lines)
