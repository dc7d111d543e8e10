"""Fields from OCR lines, one module per field: labels, patterns and line positions in, candidates with
confidences out. Pure functions (lines in, FieldReading out; no image, no engine), so every rule is a table test."""

from __future__ import annotations

from collections.abc import Callable

from recognition.fields.amount import extract_amount
from recognition.fields.card import extract_card_last4, extract_payment_system
from recognition.fields.date_time import extract_date, extract_time
from recognition.fields.ids import extract_auth_code, extract_rrn, extract_terminal_id
from recognition.fields.merchant import extract_merchant
from recognition.fields.rows import merge_rows
from recognition.types import FieldReading, OcrLine

EXTRACTORS: dict[str, Callable[[list[OcrLine]], FieldReading]] = {
    "amount": extract_amount,
    "date": extract_date,
    "time": extract_time,
    "card_last4": extract_card_last4,
    "payment_system": extract_payment_system,
    "merchant": extract_merchant,
    "rrn": extract_rrn,
    "auth_code": extract_auth_code,
    "terminal_id": extract_terminal_id,
}


def extract_fields(lines: list[OcrLine], *, years: tuple[int, ...] = ()) -> dict[str, FieldReading]:
    """Every field, read from printed rows top to bottom so that 'next line' means the printed next line.
    `years`: the years a campaign accepts, for repairing a broken year (nothing else uses them)."""
    rows = merge_rows(lines)
    return {
        name: extract_date(rows, years) if name == "date" else extractor(rows)
        for name, extractor in EXTRACTORS.items()
    }
