"""The Russian fiscal receipt QR (54-FZ): `t=20260315T1412&s=1234.50&fn=7380440700000000&i=12345&fp=1234567890&n=1`.

Every cash register in Russia prints it, and its text is exact where the printed text is read by an OCR: a
decoded QR has passed its Reed-Solomon check, so its date, time and total beat any reading of the print, and
`fn` + `i` + `fp` (fiscal drive, document number, fiscal sign) identify one receipt in the country. A payload
is parsed strictly: anything else (a shop's link, a damaged or edited text) is not a fiscal QR at all, never
a half-read one.
"""

from __future__ import annotations

import re
import time as clock
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import cv2
import numpy as np

from recognition.types import Candidate, FieldReading, Reading

# `n`: the operation (FFD tag 1054). A refund returns money to the buyer: it proves no purchase.
OPERATIONS = {1: "приход", 2: "возврат прихода", 3: "расход", 4: "возврат расхода"}
REFUNDS = frozenset({2, 4})

# A decoded QR passed its error correction: as sure as anything recognition reports, yet below 1.0 so that a
# value corroborated by two engines and the QR is never "more than certain".
QR_CONFIDENCE = 0.99
RULE = "fiscal_qr"
# A photo whose long side is below this is enlarged to it when no QR was detected at all (see _decode_one).
SMALL_SIDE = 1200

_FIELDS = {
    "t": re.compile(r"(\d{8})T(\d{4}|\d{6})"),
    # Roubles with kopecks as the FNS prints them (`1234.50`); `1234` and `1234.5` are still exact sums.
    "s": re.compile(r"\d{1,12}(?:\.\d{1,2})?"),
    "fn": re.compile(r"\d{16}"),  # fiscal drive number: always 16 digits
    "i": re.compile(r"\d{1,10}"),  # fiscal document number (uint32)
    "fp": re.compile(r"\d{1,10}"),  # fiscal sign of the document (uint32, printed in decimal)
    "n": re.compile(r"[1-4]"),
}


@dataclass(frozen=True)
class FiscalQr:
    """What a fiscal QR says. `time` keeps the seconds when the QR has them; `i` and `fp` are numbers, kept
    without leading zeros so that one receipt has one key however its register padded them."""

    date: date
    time: time
    amount: Decimal
    fn: str
    i: str
    fp: str
    operation: int

    @property
    def key(self) -> str:
        """The receipt's identity: the same key is the same receipt, whatever the photo or the other fields."""
        return f"{self.fn}:{self.i}:{self.fp}"

    @property
    def is_refund(self) -> bool:
        return self.operation in REFUNDS

    @property
    def minute(self) -> time:
        """The time at the precision slips print and duplicates compare."""
        return self.time.replace(second=0, microsecond=0)

    def payload(self) -> str:
        """The QR text as a register prints it (for the generator and round-trip tests)."""
        stamp = f"{self.date:%Y%m%d}T{self.time:%H%M}" + (f"{self.time:%S}" if self.time.second else "")
        return f"t={stamp}&s={self.amount:.2f}&fn={self.fn}&i={self.i}&fp={self.fp}&n={self.operation}"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, for `recognize` output and evaluation."""
        return {
            "fn": self.fn,
            "i": self.i,
            "fp": self.fp,
            "date": self.date.isoformat(),
            "time": self.minute.strftime("%H:%M"),
            "amount": f"{self.amount:.2f}",
            "operation": self.operation,
        }


def parse_fiscal_qr(text: str) -> FiscalQr | None:
    """The fiscal QR a decoded text is, or None. Strict: exactly the six keys, once each, in any order, each
    value in its own format and a real date and time."""
    pairs = text.strip().split("&")
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or key not in _FIELDS or key in values or not _FIELDS[key].fullmatch(value):
            return None
        values[key] = value
    if len(values) != len(_FIELDS):
        return None
    day, clock_text = values["t"].split("T")
    try:
        stamp = datetime.strptime(day + clock_text.ljust(6, "0"), "%Y%m%d%H%M%S")
    except ValueError:
        return None
    number = int(values["i"])
    if number == 0:  # documents are numbered from 1
        return None
    return FiscalQr(
        date=stamp.date(),
        time=stamp.time(),
        amount=Decimal(values["s"]).quantize(Decimal("0.01")),
        fn=values["fn"],
        i=str(number),
        fp=str(int(values["fp"])),
        operation=int(values["n"]),
    )


# --- decoding -------------------------------------------------------------------------------------------------


def decode_fiscal_qr(*images: np.ndarray) -> FiscalQr | None:
    """The first fiscal QR found in the images, in the order given (the whole photo, the document's crop)."""
    for image in images:
        found = _decode_one(image)
        if found is not None:
            return found
    return None


def _decode_one(image: np.ndarray) -> FiscalQr | None:
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
    found, seen = _decode_grey(grey)
    if found is None and not seen and max(grey.shape) < SMALL_SIDE:
        # Nothing even detected on a small photo: its modules may be under 3 px, below what the detector
        # finds. Enlarging the whole of a small photo is cheap; a large one is never enlarged.
        scale = SMALL_SIDE / max(grey.shape)
        found, _ = _decode_grey(cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC))
    return found


def _decode_grey(grey: np.ndarray) -> tuple[FiscalQr | None, bool]:
    """The fiscal QR on a grey image, and whether any QR was detected at all."""
    texts, corners = _decode_texts(grey)
    found = _first_fiscal(texts)
    if found is not None or not corners:
        return found, bool(corners)
    # Found but not decoded: the code is small or soft. Cut it out with a margin, enlarge and binarise it:
    # a retry on a few hundred pixels, never on the whole photo again.
    for quad in corners:
        patch = _patch_around(grey, quad)
        if patch is None:
            continue
        for retry in _retries(patch):
            found = _first_fiscal(_decode_texts(retry)[0])
            if found is not None:
                return found, True
    return None, True


def _decode_texts(grey: np.ndarray) -> tuple[list[str], list[np.ndarray]]:
    """Every QR text decoded, and the corners of every code found (decoded or not)."""
    detector = _detector()
    try:
        _, texts, points, _ = detector.detectAndDecodeMulti(grey)
    except cv2.error:
        return [], []
    if points is None:
        return [], []
    return [text for text in texts if text], list(points)


def _detector() -> cv2.QRCodeDetectorAruco:
    # A new detector per call: OpenCV's detectors keep state and are not documented as thread-safe, and one
    # costs microseconds to make.
    return cv2.QRCodeDetectorAruco()


def _first_fiscal(texts: list[str]) -> FiscalQr | None:
    for text in texts:
        parsed = parse_fiscal_qr(text)
        if parsed is not None:
            return parsed
    return None


def _patch_around(grey: np.ndarray, quad: np.ndarray, margin: float = 0.25) -> np.ndarray | None:
    xs, ys = quad[:, 0], quad[:, 1]
    side = max(xs.max() - xs.min(), ys.max() - ys.min())
    if side < 8:
        return None
    pad = side * margin
    left, top = max(int(xs.min() - pad), 0), max(int(ys.min() - pad), 0)
    right, bottom = min(int(xs.max() + pad) + 1, grey.shape[1]), min(int(ys.max() + pad) + 1, grey.shape[0])
    return grey[top:bottom, left:right]


def _retries(patch: np.ndarray) -> list[np.ndarray]:
    """The patch enlarged to ~8 px a module (for a version 5 code), then also binarised (Otsu)."""
    scale = max(1.0, 400 / max(patch.shape))
    enlarged = cv2.resize(patch, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    _, binary = cv2.threshold(
        cv2.GaussianBlur(enlarged, (3, 3), 0), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU
    )
    return [enlarged, binary]


# --- into the reading ------------------------------------------------------------------------------------------


def fiscal_fields(fields: dict[str, FieldReading], qr: FiscalQr) -> dict[str, FieldReading]:
    """The fields with the QR's date, time and total as their values (rule `fiscal_qr`). The QR wins over the
    print; a printed reading that disagrees stays as a runner-up, for the moderator and the checks' doubt."""
    exact = {"date": qr.date, "time": qr.minute, "amount": qr.amount}
    merged = dict(fields)
    for name, value in exact.items():
        read = fields.get(name, FieldReading.empty())
        agreeing = [c for c in read.candidates if _same(name, c.value, value)]
        others = [c for c in read.candidates if not _same(name, c.value, value)]
        confidence = max([QR_CONFIDENCE, *(c.confidence for c in agreeing)])
        source = f"fiscal QR t={qr.date:%Y%m%d}T{qr.time:%H%M} s={qr.amount:.2f}"
        best = Candidate(value, confidence, source, (RULE,))
        candidates = (best, *others)[:3]
        merged[name] = FieldReading(value, confidence, candidates, best.rules)
    return merged


def _same(name: str, printed: Any, exact: Any) -> bool:
    if name == "time" and isinstance(printed, time):
        return printed.replace(second=0, microsecond=0) == exact
    return printed == exact


def with_fiscal_qr(reading: Reading, *images: np.ndarray) -> Reading:
    """The reading with the fiscal QR decoded from the images (the whole photo, then the document's crop):
    `reading.fiscal` set and its values in the fields; its cost in `timings_ms["fiscal_qr"]` (and the total)."""
    started = clock.perf_counter()
    qr = decode_fiscal_qr(*images)
    spent = round((clock.perf_counter() - started) * 1000, 1)
    timings = dict(reading.timings_ms) | {"fiscal_qr": spent}
    if "total" in timings:
        timings["total"] = round(timings["total"] + spent, 1)
    if qr is None:
        return replace(reading, timings_ms=timings)
    # A fiscal QR is printed on a cash register's receipt only: the photo holds one, with a slip under it or not.
    kind, kind_confidence = reading.kind, reading.kind_confidence
    if kind != "slip":
        kind, kind_confidence = "receipt", max(kind_confidence, 0.95)
    return replace(
        reading,
        kind=kind,
        kind_confidence=kind_confidence,
        fiscal=qr,
        fields=fiscal_fields(reading.fields, qr),
        timings_ms=timings,
    )
