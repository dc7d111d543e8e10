"""What the document is: a card slip, a shop receipt, or neither."""

from __future__ import annotations

from recognition.fields.labels import (
    SLIP_MARKERS,
)
from recognition.text import has_label, skeleton
from recognition.types import FieldReading, OcrLine

# A slip is short; a shop receipt lists items. Longest slip seen in practice ~ 30 lines.
MAX_SLIP_LINES = 30
SLIP_FIELDS = ("card_last4", "payment_system", "rrn", "auth_code", "terminal_id")


def classify_document(lines: list[OcrLine], fields: dict[str, FieldReading]) -> tuple[str, float]:
    """`slip`, `receipt` or `other`, with a confidence: slip markers on a short document make a slip."""
    readable = [
        line for line in lines if line.confidence >= 0.6 and sum(ch.isalnum() for ch in line.text) >= 3
    ]
    key_fields = [name for name in ("amount", "date", "card_last4") if fields[name].value is not None]
    if len(readable) < 3 and not key_fields:
        return "other", 0.9 if not readable else 0.7
    slip_evidence = sum(fields[name].value is not None for name in SLIP_FIELDS) + any(
        has_label(skeleton(line.text), SLIP_MARKERS) for line in lines
    )
    if len(lines) > MAX_SLIP_LINES:
        return "receipt", 0.8 if slip_evidence < 3 else 0.6
    if slip_evidence >= 2:
        return "slip", min(0.6 + 0.1 * slip_evidence, 0.95)
    if key_fields:
        return ("receipt", 0.6) if len(lines) > 15 else ("slip", 0.5)
    return "other", 0.6
