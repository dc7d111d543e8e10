"""The shop's name."""

from __future__ import annotations

from recognition.fields.amount import AMOUNT_LABELS
from recognition.fields.labels import (
    AUTH_LABELS,
    CARD_LABELS,
    DATE_LABELS,
    RRN_LABELS,
    SLIP_MARKERS,
    TERMINAL_LABELS,
)
from recognition.payment_systems import PRINTED_NAMES
from recognition.text import has_label, skeleton
from recognition.types import Candidate, FieldReading, OcrLine


def extract_merchant(lines: list[OcrLine]) -> FieldReading:
    """The shop's name: the first wordy line at the top that is not a label, a marker or a payment system."""
    not_names = (
        AMOUNT_LABELS + CARD_LABELS + RRN_LABELS + AUTH_LABELS + TERMINAL_LABELS + DATE_LABELS + SLIP_MARKERS
    )
    not_names += tuple(name for names in PRINTED_NAMES.values() for name in names)
    for line in lines[:5]:
        letters = sum(ch.isalpha() for ch in line.text)
        wordy = letters >= 3 and letters >= 0.5 * len(line.text.replace(" ", ""))
        # Russian slips open with the acquiring bank (`ПАО СБЕРБАНК`, PP-OCR's `CEPBAHK`): not the shop.
        bank = any(part in skeleton(line.text).replace(" ", "") for part in ("6AHK", "BAHK", "BANK"))
        if wordy and not bank and not has_label(skeleton(line.text), not_names):
            return FieldReading.from_candidates(
                [Candidate(line.text.strip(), line.confidence * 0.6, "top line")]
            )
    return FieldReading.empty()
