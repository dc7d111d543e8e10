"""The slip's ids: RRN, authorization code, terminal id."""

from __future__ import annotations

import re

from recognition.fields.labels import (
    AUTH_LABELS,
    RRN_LABELS,
    TERMINAL_LABELS,
    labelled_values,
)
from recognition.types import FieldReading, OcrLine

_ALNUM6 = re.compile(r"(?<![0-9A-Z])[0-9A-Z]{6}(?![0-9A-Z])")


def _labelled_pattern(
    lines: list[OcrLine], labels: tuple[str, ...], pattern: re.Pattern[str], source: str
) -> FieldReading:
    def find(text: str) -> list[str]:
        return [m.group(0) for m in pattern.finditer(text.upper().replace(" ", ""))] or [
            m.group(0) for m in pattern.finditer(text.upper())
        ]

    return FieldReading.from_candidates(labelled_values(lines, labels, find, source))


def extract_rrn(lines: list[OcrLine]) -> FieldReading:
    return _labelled_pattern(lines, RRN_LABELS, re.compile(r"(?<!\d)\d{12}(?!\d)"), "rrn")


def extract_auth_code(lines: list[OcrLine]) -> FieldReading:
    return _labelled_pattern(lines, AUTH_LABELS, _ALNUM6, "auth code")


def extract_terminal_id(lines: list[OcrLine]) -> FieldReading:
    return _labelled_pattern(lines, TERMINAL_LABELS, re.compile(r"(?<!\d)\d{8}(?!\d)"), "terminal")
