"""Readings as JSON: the same shape for the database, the API and the `recognize` command."""

from datetime import date, time
from decimal import Decimal
from typing import Any

from recognition.types import FIELD_NAMES, FieldReading, OcrLine, Reading


def json_value(value: Any) -> Any:
    """Amounts as strings (`"9982.83"`, never a float), dates ISO, times `HH:MM`."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return value


def field_to_dict(reading: FieldReading) -> dict[str, Any]:
    return {
        "value": json_value(reading.value),
        "confidence": round(reading.confidence, 4),
        "candidates": [
            {
                "value": json_value(c.value),
                "confidence": round(c.confidence, 4),
                "source": c.source,
                "rules": list(c.rules),
                "unsure": list(
                    c.unsure
                ),  # characters the engines disagreed on: the only ones a repair may touch
            }
            for c in reading.candidates
        ],
        "rules": list(reading.rules),
    }


def reading_to_eval_dict(reading: Reading, image: str) -> dict[str, Any]:
    """One line of `recognize` output: the keys of docs/eval-format.md, plus confidences and time."""
    out: dict[str, Any] = {"image": image, "kind": reading.kind}
    for name in FIELD_NAMES:
        out[name] = json_value(reading.value(name))
    out["confidence"] = {"kind": round(reading.kind_confidence, 4)} | {
        name: round(reading.confidence(name), 4) for name in FIELD_NAMES
    }
    out["rules"] = {
        name: list(reading.fields[name].rules) for name in FIELD_NAMES if reading.fields[name].rules
    }
    out["steps"] = list(reading.steps)
    out["full_card_number"] = reading.full_card_number
    # Not an eval-format key: the fiscal QR decoded (recognition.fiscal_qr.FiscalQr.as_dict), or None.
    out["fiscal"] = reading.fiscal.as_dict() if reading.fiscal is not None else None
    out["fiscal_ms"] = reading.timings_ms.get("fiscal_qr")
    out["ms"] = reading.timings_ms.get("total")
    return out


def lines_to_list(reading: Reading) -> list[dict[str, Any]]:
    return [
        {
            "text": line.text,
            "confidence": round(line.confidence, 4),
            "box": [[round(x, 1), round(y, 1)] for x, y in line.box],
            "second_text": line.alternative,
            "second_confidence": round(line.alternative_confidence, 4),
        }
        for line in reading.lines
    ]


def lines_from_list(rows: list[dict[str, Any]]) -> list[OcrLine]:
    """The lines `lines_to_list` stored, as OcrLines again."""
    return [
        OcrLine(
            row["text"],
            row["confidence"],
            tuple((x, y) for x, y in row["box"]),
            row.get("second_text") or "",
            row.get("second_confidence") or 0.0,
        )
        for row in rows
    ]
