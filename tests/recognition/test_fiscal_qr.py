"""The Russian fiscal receipt QR: a strict parser, OpenCV's decoder on generated codes and photos, and the QR's
exact values put into a reading's fields."""

import random
from dataclasses import replace
from datetime import date, time
from decimal import Decimal

import cv2
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from evaluation.synthetic import (
    FISCAL_DAMAGES,
    fiscal_payload,
    photograph,
    random_truth,
    render_document,
)
from recognition.fiscal_qr import (
    QR_CONFIDENCE,
    FiscalQr,
    decode_fiscal_qr,
    fiscal_fields,
    parse_fiscal_qr,
    with_fiscal_qr,
)
from recognition.pipeline import recognize
from recognition.serialize import reading_to_eval_dict
from recognition.types import Candidate, FieldReading, Reading

PAYLOAD = "t=20260315T1412&s=1234.50&fn=7380440700000000&i=12345&fp=1234567890&n=1"
RECEIPT = FiscalQr(
    date(2026, 3, 15), time(14, 12), Decimal("1234.50"), "7380440700000000", "12345", "1234567890", 1
)


# --- the parser -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        (PAYLOAD, RECEIPT),
        # Any order of the keys; outer whitespace (a trailing newline) is not part of the payload.
        ("n=1&fp=1234567890&i=12345&fn=7380440700000000&s=1234.50&t=20260315T1412", RECEIPT),
        (PAYLOAD + "\n", RECEIPT),
        # Seconds are kept; the minute is what fields and duplicates use.
        (PAYLOAD.replace("T1412", "T141237"), replace(RECEIPT, time=time(14, 12, 37))),
        # A sum without kopecks, or with one digit of them, is still exact.
        (PAYLOAD.replace("1234.50", "1234"), replace(RECEIPT, amount=Decimal("1234.00"))),
        (PAYLOAD.replace("1234.50", "1234.5"), RECEIPT),
        (PAYLOAD.replace("1234.50", "0.00"), replace(RECEIPT, amount=Decimal("0.00"))),
        # Document number and fiscal sign are numbers: a register that pads them names the same receipt.
        (PAYLOAD.replace("i=12345", "i=0012345"), RECEIPT),
        (PAYLOAD.replace("fp=1234567890", "fp=0034567890"), replace(RECEIPT, fp="34567890")),
        # Refunds and expenses are fiscal receipts too: the operation says what they are.
        (PAYLOAD.replace("n=1", "n=2"), replace(RECEIPT, operation=2)),
        (PAYLOAD.replace("n=1", "n=4"), replace(RECEIPT, operation=4)),
        (PAYLOAD.replace("20260315", "20280229"), replace(RECEIPT, date=date(2028, 2, 29))),
    ],
)
def test_a_fiscal_payload_is_read_exactly(text, expected):
    assert parse_fiscal_qr(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "https://example.com/promo",
        "t=20260315T1412",
        PAYLOAD.replace("&n=1", ""),  # a key missing
        PAYLOAD + "&n=1",  # a key twice
        PAYLOAD + "&x=1",  # a key no register prints
        PAYLOAD.replace("fn=", "FN="),
        PAYLOAD + "&",
        "&" + PAYLOAD,
        PAYLOAD.replace("&i=", "&&i="),
        "?" + PAYLOAD,
        "https://check.example/?" + PAYLOAD,
        PAYLOAD.replace("s=", "s= "),
        PAYLOAD.replace("i=12345", "i="),
        PAYLOAD.replace("i=12345", "i=0"),  # documents are numbered from 1
        PAYLOAD.replace("i=12345", "i=12345678901"),
        PAYLOAD.replace("7380440700000000", "738044070000000"),  # 15 digits
        PAYLOAD.replace("7380440700000000", "73804407000000001"),  # 17
        PAYLOAD.replace("7380440700000000", "738044070000000O"),  # a letter O
        PAYLOAD.replace("fp=1234567890", "fp=12345678901"),
        PAYLOAD.replace("fp=1234567890", "fp=-1234567890"),
        PAYLOAD.replace("1234.50", "1234,50"),
        PAYLOAD.replace("1234.50", "1234.505"),
        PAYLOAD.replace("1234.50", "-1234.50"),
        PAYLOAD.replace("1234.50", "1e3"),
        PAYLOAD.replace("1234.50", ".50"),
        PAYLOAD.replace("1234.50", "1 234.50"),
        PAYLOAD.replace("n=1", "n=0"),
        PAYLOAD.replace("n=1", "n=5"),
        PAYLOAD.replace("n=1", "n=11"),
        PAYLOAD.replace("20260315", "20260231"),  # 31 February
        PAYLOAD.replace("T1412", "T2512"),
        PAYLOAD.replace("T1412", "T1460"),
        PAYLOAD.replace("T1412", "T14"),
        PAYLOAD.replace("T1412", "T14123"),
        PAYLOAD.replace("T1412", " 1412"),
        PAYLOAD.replace("T1412", "t1412"),
        PAYLOAD.replace("t=20260315", "t=260315"),
        PAYLOAD.replace("=", ":"),
    ],
)
def test_anything_else_is_not_a_fiscal_qr(text):
    assert parse_fiscal_qr(text) is None


fiscal_values = st.builds(
    FiscalQr,
    date=st.dates(min_value=date(2000, 1, 1), max_value=date(9999, 12, 31)),
    time=st.times().map(lambda t: t.replace(microsecond=0)),
    amount=st.decimals(min_value=0, max_value=10**12 - 1, places=2),
    fn=st.text("0123456789", min_size=16, max_size=16),
    i=st.integers(1, 9_999_999_999).map(str),
    fp=st.integers(0, 9_999_999_999).map(str),
    operation=st.integers(1, 4),
)


@given(fiscal_values)
def test_round_trip_through_the_payload(qr):
    assert parse_fiscal_qr(qr.payload()) == qr


@given(fiscal_values, st.randoms(use_true_random=False), st.integers(0, 3), st.integers(0, 3))
def test_any_order_and_padding_read_the_same_receipt(qr, rnd, pad_i, pad_fp):
    pairs = dict(pair.split("=") for pair in qr.payload().split("&"))
    pairs["i"] = pairs["i"].zfill(min(10, len(pairs["i"]) + pad_i))
    pairs["fp"] = pairs["fp"].zfill(min(10, len(pairs["fp"]) + pad_fp))
    keys = list(pairs)
    rnd.shuffle(keys)
    parsed = parse_fiscal_qr("&".join(f"{key}={pairs[key]}" for key in keys))
    assert parsed == qr and parsed.key == qr.key


@given(fiscal_values, st.data())
def test_a_damaged_payload_is_refused(qr, data):
    pairs = qr.payload().split("&")
    index = data.draw(st.integers(0, len(pairs) - 1))
    key, value = pairs[index].split("=")
    damage = data.draw(st.sampled_from(["drop", "repeat", "letter", "grow"]))
    if damage == "drop":
        del pairs[index]
    elif damage == "repeat":
        pairs.append(pairs[index])
    elif damage == "letter":  # an OCR-ish confusion inside a value: never a number any more
        position = data.draw(st.integers(0, len(value)))
        pairs[index] = f"{key}={value[:position]}{data.draw(st.sampled_from('OlSB ,-x'))}{value[position:]}"
    elif key in ("fn", "n"):  # one digit too many where the length is fixed
        pairs[index] = f"{key}={value}1"
    else:
        pairs[index] = f"{key}={value}{'1' * 13}"
    damaged = "&".join(pairs)
    # A space at either end is the decoder's padding, which the parser trims: no damage.
    assume(damaged == damaged.strip())
    assert parse_fiscal_qr(damaged) is None


@given(st.text(max_size=120))
def test_garbage_never_crashes_and_what_parses_is_canonical(text):
    parsed = parse_fiscal_qr(text)
    assert parsed is None or parse_fiscal_qr(parsed.payload()) == parsed


def test_the_key_and_the_refunds():
    assert RECEIPT.key == "7380440700000000:12345:1234567890"
    assert [replace(RECEIPT, operation=n).is_refund for n in (1, 2, 3, 4)] == [False, True, False, True]
    assert RECEIPT.as_dict() == {
        "fn": "7380440700000000", "i": "12345", "fp": "1234567890", "date": "2026-03-15", "time": "14:12",
        "amount": "1234.50", "operation": 1,
    }  # fmt: skip


# --- decoding -----------------------------------------------------------------------------------------------------


def qr_image(text: str, module: int = 6, quiet: int = 4, ink: int = 20, paper: int = 245) -> np.ndarray:
    """A printed QR, grey on paper, as RGB pixels."""
    code = cv2.QRCodeEncoder.create().encode(text)
    dark = cv2.resize(
        (code < 128).astype(np.uint8), None, fx=module, fy=module, interpolation=cv2.INTER_NEAREST
    )
    grey = np.where(dark > 0, ink, paper).astype(np.uint8)
    grey = cv2.copyMakeBorder(grey, *(quiet * module,) * 4, cv2.BORDER_CONSTANT, value=paper)
    return cv2.cvtColor(grey, cv2.COLOR_GRAY2RGB)


def on_table(code: np.ndarray, angle: float = 0.0, size: tuple[int, int] = (1200, 900)) -> np.ndarray:
    """The code turned by `angle` degrees on a larger, noisy background."""
    height, width = size
    canvas = np.full((height, width, 3), 90, np.uint8)
    top, left = (height - code.shape[0]) // 3, (width - code.shape[1]) // 2
    canvas[top : top + code.shape[0], left : left + code.shape[1]] = code
    turn = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    turned = cv2.warpAffine(canvas, turn, (width, height), borderValue=(90, 90, 90))
    noise = np.random.default_rng(7).normal(0, 4, turned.shape)
    return np.clip(turned + noise, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("angle", [0, 17, 90, 180, -135])
def test_a_clean_code_is_decoded_at_any_angle(angle):
    assert decode_fiscal_qr(on_table(qr_image(PAYLOAD), angle)) == RECEIPT


def test_a_small_soft_code_is_decoded_through_the_retry():
    """Three pixels a module, blurred: found but not decoded by one pass of the detector, read on the enlarged
    patch."""
    photo = cv2.GaussianBlur(on_table(qr_image(PAYLOAD, module=3)), (0, 0), 0.8)
    _, texts, corners, _ = cv2.QRCodeDetectorAruco().detectAndDecodeMulti(
        cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY)
    )
    assert corners is not None and PAYLOAD not in texts
    assert decode_fiscal_qr(photo) == RECEIPT


def test_a_small_photo_is_enlarged_when_nothing_was_found():
    """A 300-pixel photo whose code has 1.5 px modules: the detector finds nothing until the photo is enlarged."""
    small = cv2.resize(on_table(qr_image(PAYLOAD)), None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    _, _, corners, _ = cv2.QRCodeDetectorAruco().detectAndDecodeMulti(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY))
    assert corners is None
    assert decode_fiscal_qr(small) == RECEIPT


def test_other_codes_and_no_code_give_nothing_and_the_fiscal_one_is_picked_among_others():
    link = qr_image("https://example.com/loyalty?card=123")
    assert decode_fiscal_qr(on_table(link)) is None
    assert decode_fiscal_qr(on_table(np.full((200, 200, 3), 245, np.uint8))) is None
    both = np.hstack(
        [link, np.full((link.shape[0], 60, 3), 245, np.uint8), qr_image(PAYLOAD)[: link.shape[0]]]
    )
    assert decode_fiscal_qr(on_table(both)) == RECEIPT


def test_the_images_are_tried_in_order_until_one_has_the_code():
    nothing = on_table(np.full((200, 200, 3), 245, np.uint8))
    assert decode_fiscal_qr(nothing, on_table(qr_image(PAYLOAD))) == RECEIPT
    assert decode_fiscal_qr() is None


def _receipt(seed: int, damage: str | None = None, strength: float = 0.5):
    """A photographed Russian receipt with its fiscal QR (damaged as asked), and its truth."""
    rng = random.Random(seed)
    truth = random_truth(rng, kind="receipt", locale="ru")
    truth = replace(truth, fiscal=replace(truth.fiscal, damage=damage))
    photo = photograph(render_document(truth, rng), rng, strength=strength)
    return np.asarray(photo), truth


def _matches(qr: FiscalQr, truth) -> bool:
    expected = (truth.fiscal.fn, truth.fiscal.i, truth.fiscal.fp, truth.fiscal.operation)
    return (qr.fn, qr.i, qr.fp, qr.operation) == expected and (qr.date, qr.minute, qr.amount) == (
        truth.date,
        truth.time,
        truth.amount,
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_code_on_a_photographed_receipt_is_its_truth(seed):
    photo, truth = _receipt(seed, strength=0.8)
    qr = decode_fiscal_qr(photo)
    assert qr is not None and _matches(qr, truth)
    assert parse_fiscal_qr(fiscal_payload(truth)) == qr


@pytest.mark.parametrize("damage", FISCAL_DAMAGES)
def test_a_damaged_code_decodes_to_nothing_wrong(damage):
    decoded = []
    for seed in range(4):
        photo, truth = _receipt(seed, damage)
        qr = decode_fiscal_qr(photo)
        assert qr is None or _matches(qr, truth), (seed, qr)
        decoded.append(qr is not None)
    if damage != "smudged":  # a thumb over a finder or half the code gone: nothing to read
        assert not any(decoded)


# --- into the reading --------------------------------------------------------------------------------------------


def _field(*candidates: tuple[object, float]) -> FieldReading:
    return FieldReading.from_candidates([Candidate(v, c, "printed") for v, c in candidates])


def test_the_codes_values_win_and_a_disagreeing_print_stays_a_runner_up():
    fields = {
        "amount": _field((Decimal("1284.50"), 0.995), (Decimal("1234.50"), 0.4)),
        "date": _field((date(2026, 3, 15), 0.8)),
        "time": _field((time(14, 12), 0.7)),
        "card_last4": _field(("4821", 0.9)),
    }
    merged = fiscal_fields(fields, replace(RECEIPT, time=time(14, 12, 37)))
    amount = merged["amount"]
    assert (amount.value, amount.confidence, amount.rules) == (
        Decimal("1234.50"),
        QR_CONFIDENCE,
        ("fiscal_qr",),
    )
    assert [(c.value, c.rules) for c in amount.candidates] == [
        (Decimal("1234.50"), ("fiscal_qr",)),
        (Decimal("1284.50"), ()),  # what the print said: the QR wins, the disagreement is kept
    ]
    assert merged["date"].value == date(2026, 3, 15) and len(merged["date"].candidates) == 1
    assert merged["time"].value == time(14, 12)  # to the minute, as every time is compared
    assert merged["time"].candidates[0].source.startswith("fiscal QR")
    assert merged["card_last4"] is fields["card_last4"]


def test_a_field_nothing_printed_gets_the_codes_value():
    merged = fiscal_fields({"amount": FieldReading.empty()}, RECEIPT)
    assert merged["amount"].value == RECEIPT.amount
    assert merged["date"].value == RECEIPT.date and merged["time"].rules == ("fiscal_qr",)


def test_with_fiscal_qr_sets_the_reading_and_its_cost():
    reading = Reading("receipt", 0.9, {}, [], "test", timings_ms={"total": 1000.0})
    read = with_fiscal_qr(reading, on_table(qr_image(PAYLOAD.replace("n=1", "n=2"))))
    assert read.fiscal == replace(RECEIPT, operation=2) and read.fiscal.is_refund
    assert read.value("amount") == RECEIPT.amount
    assert read.timings_ms["total"] == pytest.approx(1000.0 + read.timings_ms["fiscal_qr"])
    unread = with_fiscal_qr(reading, on_table(np.full((100, 100, 3), 245, np.uint8)))
    assert unread.fiscal is None and unread.fields == {} and "fiscal_qr" in unread.timings_ms


def test_recognize_puts_the_receipts_qr_into_its_fields():
    """The whole pipeline, both engines, on a photographed Russian receipt: the QR's values are the fields'."""
    photo, truth = _receipt(2, strength=0.3)
    reading = recognize(photo)
    assert reading.fiscal is not None and _matches(reading.fiscal, truth)
    for name in ("date", "time", "amount"):
        field = reading.fields[name]
        assert field.value == getattr(truth, name) and field.rules == ("fiscal_qr",), name
        assert field.confidence >= QR_CONFIDENCE
    assert 0 < reading.timings_ms["fiscal_qr"] < reading.timings_ms["total"]
    assert reading.kind == "receipt" and reading.kind_confidence >= 0.95  # only a cash register prints one
    out = reading_to_eval_dict(reading, "receipt.jpg")
    assert out["fiscal"]["fn"] == truth.fiscal.fn and out["rules"]["amount"] == ["fiscal_qr"]
