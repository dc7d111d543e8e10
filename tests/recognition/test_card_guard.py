"""The full-card-number guard: nothing a Reading keeps, nor the redacted photo, shows a full card number.

Table tests for each way a number used to slip through, then properties: generated OCR lines (fast, many), and
generated slips read by the real engines (slow, few by default). `HYPOTHESIS_PROFILE=thorough` runs many more.
"""

from __future__ import annotations

import io
import json
import os
import random
import re
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from PIL import Image

from evaluation.synthetic import PrintedLine, photograph, render_lines
from recognition.cards import card_format, luhn_valid, mask_card_numbers, redact_lines, redact_photo
from recognition.fields.rows import merge_rows
from recognition.pipeline import read_lines, recognize, scrub_fields, second_view
from recognition.serialize import field_to_dict, lines_to_list, reading_to_eval_dict
from recognition.types import Box, Candidate, FieldReading, OcrLine, Reading

settings.register_profile("ci", deadline=None, derandomize=True, database=None, print_blob=True)
settings.register_profile("thorough", deadline=None, derandomize=False, database=None, print_blob=True)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
THOROUGH = PROFILE == "thorough"


def examples(ci: int, thorough: int) -> settings:
    return settings(
        settings.get_profile(PROFILE),
        max_examples=thorough if THOROUGH else ci,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def box(x0: float, x1: float, row: int = 0, dy: float = 0.0) -> Box:
    top = 20 + row * 30 + dy
    return ((x0, top), (x1, top), (x1, top + 22), (x0, top + 22))


def at(text: str, row: int, x: float = 10, alternative: str = "") -> OcrLine:
    return OcrLine(text, 0.95, box(x, x + 12 * len(text), row), alternative=alternative)


def row_of(*parts: str, row: int = 0) -> list[OcrLine]:
    """One printed row cut into boxes, left to right, a little uneven as a detector gives them."""
    x, lines = 10.0, []
    for i, part in enumerate(parts):
        lines.append(OcrLine(part, 0.95, box(x, x + 12 * len(part), row, dy=(-2, 3, 1)[i % 3])))
        x += 12 * len(part) + 25
    return lines


# --- an independent check: what a leak looks like in kept text ---------------------------------------------

_LOOKALIKES = str.maketrans("OoОоBВSsIlZzGбБЗз", "00008855112266633")
_RUN = re.compile(r"\d(?:[ .\-]?\d)*")


def card_runs(text: str) -> list[str]:
    """Every Luhn-valid card-shaped stretch of 13-19 digits (any start, any end) in the text, also with
    look-alike letters read as digits: stricter than the guard, which looks at whole groups."""
    found = []
    for variant in {text, text.translate(_LOOKALIKES)}:
        for run in _RUN.finditer(variant):
            digits = re.sub(r"\D", "", run.group(0))
            for start in range(len(digits)):
                for length in range(13, 20):
                    piece = digits[start : start + length]
                    if len(piece) == length and card_format(piece) and luhn_valid(piece):
                        found.append(piece)
    return found


def kept_texts(reading: Reading) -> list[str]:
    """Everything of a Reading that is stored, served or logged, plus the rows extraction joins."""
    texts = [reading.full_text, json.dumps(lines_to_list(reading), ensure_ascii=False)]
    texts += [json.dumps(reading_to_eval_dict(reading, "x"), ensure_ascii=False, default=str)]
    texts += [json.dumps(field_to_dict(f), ensure_ascii=False, default=str) for f in reading.fields.values()]
    for line in reading.lines:
        texts += [line.text, line.alternative]
    texts += [line.text for line in second_view(reading.lines)]
    alternatives = [OcrLine(ln.alternative or ln.text, ln.confidence, ln.box) for ln in reading.lines]
    texts += [row.text for row in merge_rows(reading.lines) + merge_rows(alternatives)]
    return texts


def leaks(reading: Reading, number: str | None = None) -> list[str]:
    found = [run for text in kept_texts(reading) for run in card_runs(text)]
    if number:
        found += [text for text in kept_texts(reading) if number in re.sub(r"\D", "", text)]
    return found


# --- table tests: the holes the review found ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "alternative"),
    [
        ("4111 1111 1111 1112", "4111 1111 1111 1111"),  # PP-OCR misread the last digit
        ("4111 1111 1111 1111", "4111 1111 1171 1111"),  # Tesseract did
        ("378282246310006", "378282246310005"),  # Amex: no doubt rule, only the other engine proves it
        ("371449835398431", "371449535398431"),  # both wrong (6 read as 8 and 5): a look-alike proves it
        ("3566002020360506", "3566002020380505"),  # JCB: two digits disagree, 6/8 and 5/6
        ("Карта: 5500 0000 0000 0005", "KapTa: 5500 0000 0000 0004"),
    ],
)
def test_a_number_one_engine_misread_is_masked_in_both_readings(text, alternative):
    lines, paint = redact_lines([at(text, 0, alternative=alternative)])
    assert paint
    assert not card_runs(lines[0].text) and not card_runs(lines[0].alternative)
    assert re.search(r"\*{8,}", lines[0].text) and re.search(r"\*{8,}", lines[0].alternative)


@pytest.mark.parametrize(
    "text",
    [
        "4I11 1111 1111 1111",
        "4111 1111 1111 111l",
        "55OO OOOO OOOO OOO4",  # Mastercard 5500 0000 0000 0004
        "Z200 0000 0000 0004",  # MIR
        "37B2B2246310005",  # Amex
        "G011 1111 1111 1117",  # Discover
        "S555 5555 5555 4444",
        "CARD 4111.1111.1111.111l",
        "КАРТА 22ОО ООOO ООOO ООO4",  # Cyrillic О for 0
    ],
)
def test_look_alike_letters_inside_a_number_are_read_as_digits(text):
    lines, paint = redact_lines([at(text, 0)])
    assert paint and not card_runs(lines[0].text)
    assert lines[0].text.split()[-1].startswith("*") or lines[0].text.startswith("*")


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("4111 1111 1111 1112", "************1112"),  # Visa-shaped, no reading proves it: masked anyway
        ("2200 0000 0000 0005", "************0005"),  # MIR-shaped
        ("5500-0000-0000-0005", "************0005"),  # Mastercard-shaped
        ("378282246310006", "378282246310006"),  # Amex-shaped, unproven: too rare on slips to mask blind
        ("1524656245152509", "1524656245152509"),  # no card's prefix
        ("ФН 4111111111111112", "ФН 4111111111111112"),  # a fiscal drive: the label and its exact length
    ],
)
def test_card_shaped_runs_no_reading_proves_are_masked_where_cards_of_that_shape_are_common(text, masked):
    lines, paint = redact_lines([at(text, 0)])
    assert lines[0].text == masked and bool(paint) == (masked != text)
    assert mask_card_numbers(text) == (text, False), "the strict, single-reading check proves nothing here"


@pytest.mark.parametrize(
    "parts",
    [
        ("4111 1111", "1111 1111"),
        ("4111 11", "11 1111 1111"),  # the detector cut a group
        ("CARD 4111", "1111 1111 1111"),
        ("Карта:", "4111 1111 1111 1111"),  # the label's box is apart: nothing to join, still found
        ("4111 1111", "1111", "1111"),
        ("3782 822463", "10005"),  # Amex 4-6-5
        ("2200-0000-", "0000-0004"),
        ("5500000000", "000004"),
    ],
)
def test_a_number_split_across_boxes_of_a_row_is_masked_in_each_box_and_each_box_painted(parts):
    row = row_of(*parts)
    others = [at("ИТОГ 1 119,00", 1), at("4111 1111", 3)]
    lines, paint = redact_lines([*row, *others])
    joined = " ".join(line.text for line in lines[: len(parts)])
    assert not card_runs(joined) and not card_runs(joined.replace(" ", ""))
    holding = [line for line in row if any(ch.isdigit() for ch in line.text)]
    assert len(paint) == len(holding)
    assert lines[len(parts) :] == others, "other rows are untouched"


def test_boxes_on_different_rows_are_not_joined():
    lines, paint = redact_lines([at("4111 1111", 0), at("1111 1111", 2)])
    assert paint == [] and [line.text for line in lines] == ["4111 1111", "1111 1111"]


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Ref 4111111111111111", True),
        ("Ref No: 5500 0000 0000 0004", True),
        ("Invoice 2200000000000004", True),
        ("Чек 4111 1111 1111 1111", True),
        ("Trace 4111111111111111", True),
        ("ИНН 4111111111111111", True),  # an ИНН has 10 or 12 digits
        ("MID: 4111111111111111", True),  # a merchant id 12 or 15
        ("TID 4111111111111111", True),
        ("ФН 9999078900012345 Карта 4111111111111111", True),  # the card label is nearer
        ("ФН 4111111111111111", False),  # a fiscal drive number: 16 digits
        ("ФН: 2200000000000004", False),
        ("РН ККТ 4111111111111111", False),
        ("РНМ 4111111111111111", False),
        ("MID: 378282246310005", False),  # 15 digits, Luhn-valid, an Amex prefix
        ("GST NO: 6000394528768", False),
        ("GST Reg No: 4111111111111", False),  # 13 digits, Luhn-valid: no card is 13 digits any more
        ("EAN 4006381333931", False),  # a German barcode: 13 digits from 400, Luhn-valid by chance
        ("RRN: 123456789012", False),
        ("ИНН 7701234567", False),
    ],
)
def test_a_label_exempts_a_run_only_with_its_ids_exact_length(text, flagged):
    lines, paint = redact_lines([at(text, 0)])
    assert bool(paint) is flagged
    assert (lines[0].text != text) is flagged


@pytest.mark.parametrize(
    ("text", "alternative", "flagged"),
    [
        # Seen in evaluate_decisions: PP-OCR read the fiscal drive's label as Greek, Tesseract as Cyrillic.
        ("ΦH 4745347326260340", "ФН 4745347326260340", False),
        ("PH 4745347326260340", "ФН 4745347326260340", False),  # either engine's label counts
        # The chip application id, misread as digits by one engine, its label by the other.
        ("AID: A0000000041010", "AID: 9900000041010", False),
        ("AID: A0000006581010", "АТО: 4090000658101", False),
        # A card label in one reading outweighs an id label in the other: when in doubt, mask.
        ("ФН 4111111111111111", "Карта 4111111111111111", True),
    ],
)
def test_an_id_label_read_by_either_engine_exempts_its_id(text, alternative, flagged):
    line = replace(at(text, 0), alternative=alternative, alternative_confidence=0.8)
    lines, paint = redact_lines([line])
    assert bool(paint) is flagged
    assert (lines[0].alternative != alternative) is flagged


@pytest.mark.parametrize(
    "rows",
    [
        ["Shell Loyalty Card 6018840126306675", "Pts Earned: 12"],  # SROIE: a loyalty card
        ["6194020100124", "MILO 1KG 12.90"],  # SROIE: an EAN-13 barcode
        ["GST NO: 6000394528768", "TOTAL 12.90"],  # SROIE: a GST number
        ["GST ID NO: 001531760640"],
        ["ФН 9999078900012345", "ФД 12345 ФПД 1234567890", "РН ККТ 0000123456012345", "ИНН 7701234567"],
        ["21.11.2026 14:32", "ИТОГ 1 119,00", "Карта: **** **** **** 4242", "RRN: 123456789012"],
    ],
)
def test_receipt_ids_are_not_cards(rows):
    reading, paint = read_lines([at(text, i) for i, text in enumerate(rows)], second_engine=True)
    assert paint == [] and not reading.full_card_number
    assert [line.text for line in reading.lines] == rows


# Lines PP-OCR and Tesseract read on real receipts (SROIE), texts and boxes as read: fields side by side on one
# row that joining the row's boxes made into card numbers.
SIDE_BY_SIDE_ON_RECEIPTS = {
    # A barcode, a quantity and a price beside the misread tail of `450G`: 506|6194020100124|4|11, a Luhn-valid
    # 19-digit Maestro number in four boxes, laid out as no card is printed.
    "sroie_184": [
        ("GST NO:001169362944", "", ((200, 357), (515, 360), (514, 400), (199, 397))),
        ("RECEIPT #: CS00241867 DATE: 02/02/2018", "RECEIPT #; 0900241867 DATE: 02/02/2018",
         ((50, 531), (634, 534), (634, 574), (50, 571))),
        ("AMOUNT", "AMOUNT", ((534, 657), (632, 657), (632, 696), (534, 696))),
        ("6194020100124", "", ((53, 718), (257, 718), (257, 755), (53, 755))),
        ("4", "", ((326, 723), (342, 723), (342, 748), (326, 748))),
        ("11.32", "", ((413, 716), (499, 716), (499, 756), (413, 756))),
        ("45.28 S", "45.28 $", ((548, 715), (666, 715), (666, 757), (548, 757))),
        ("(UNIT) ROYAL BAKING POWDER 450G", 'ВАТ ROYAL ЗВКТЫВ РОУБЕК" 506',
         ((52, 746), (531, 744), (532, 790), (52, 792))),
        ("TOTAL QUANTITY", "TOTAL QUANTITY", ((51, 804), (273, 807), (273, 846), (51, 843))),
    ],
    # An 11-digit cash-bill number and the day of the date in the next box: a 13-digit Visa shape, which the
    # digits the engines disagreed on (9/0, 0/6, 9/0) tried as look-alikes made Luhn-valid.
    "sroie_241": [
        ("GST Reg:001734164430", "GST ед: 001734164450", ((167, 418), (490, 415), (490, 455), (167, 457))),
        ("CASH RECEIPT", "GASH RECSIFT.", ((203, 466), (459, 466), (459, 509), (203, 509))),
        ("CB#:45976049320", "СВ: 45076640320", ((43, 513), (323, 515), (323, 552), (43, 550))),
        ("25/Feb/2017 07:43:54", "25/76/2017 0743:54", ((348, 512), (624, 509), (625, 546), (349, 549))),
        ("Gashier : be ()", "Gazhier : be ()", ((41, 552), (250, 554), (250, 598), (40, 596))),
    ],
    # The minutes of a time and a 4-3-7 id in the next box: `48 1009 001 0010411`, 16 digits from 4, masked in
    # doubt as a Visa.
    "sroie_307": [
        ("GST ID : 002017394688", "ast ID : 002017394688", ((575, 419), (796, 419), (796, 450), (575, 450))),
        ("1x 000001010646", "", ((486, 560), (645, 560), (645, 594), (486, 594))),
        ("1x 000002336695", "", ((484, 618), (645, 617), (645, 648), (484, 649))),
        ("Invoice No: 2018042010090010411", "Invoice Nu: 2018042010090010411",
         ((492, 872), (811, 870), (812, 900), (492, 902))),
        ("2.64", "", ((812, 955), (863, 955), (863, 986), (812, 986))),
        ("20/04/2018 20:48", "", ((452, 984), (623, 984), (623, 1017), (452, 1017))),
        ("1009 001 0010411", "", ((693, 982), (863, 982), (863, 1015), (693, 1015))),
        ("0276649 ZUIKARNAIN", "0278849 ZUTKARNAIN", ((453, 1013), (642, 1013), (642, 1043), (453, 1043))),
    ],
}  # fmt: skip


@pytest.mark.parametrize("receipt", sorted(SIDE_BY_SIDE_ON_RECEIPTS))
def test_fields_side_by_side_on_a_real_receipt_are_not_joined_into_a_card_number(receipt):
    lines = [
        OcrLine(text, 0.98, box, alternative=alternative)
        for text, alternative, box in SIDE_BY_SIDE_ON_RECEIPTS[receipt]
    ]
    reading, paint = read_lines(lines, second_engine=True)
    assert paint == [] and not reading.full_card_number
    assert [(line.text, line.alternative) for line in reading.lines] == [
        (ln.text, ln.alternative) for ln in lines
    ]


@pytest.mark.parametrize(
    ("parts", "masked"),
    [
        # A date or a time is a field of its own: its groups never join a number, which is still found whole.
        (("CB#:45976049320", "25/Feb/2017 07:43:54"), None),
        (("20/04/2018 20:48", "1009 001 0010411"), None),
        (("21.11.2026 14:32", "4111 1111 1111 1111"), ("21.11.2026 14:32", "************1111")),
        (("12:30", "4111 1111 1111 1111"), ("12:30", "************1111")),
        (("4111 1111 1111 1111 12:30",), ("************1111 12:30",)),
        (("4111 1111 1111 1111 12/26",), ("************1111 12/26",)),
        # Groups laid out as no card is printed are separate fields; as cards are printed, cut by boxes, or with
        # one separator an engine dropped, they are a number.
        (("506", "6194020100124", "4", "11.32"), None),
        (("4111 111 1111 11111",), None),
        (("4222222", "222", "2", "22.32"), None),  # a Luhn-valid Visa 13 only if three boxes cut it
        (("4111 11111111 1111",), ("************1111",)),
        (("411111", "111111", "1111"), ("******", "******", "1111")),  # 6-6-4
        (("4111111111", "111111"), ("**********", "**1111")),  # 16 in one group, cut once
        (("4111 11", "11 1111 11", "11"), ("******", "******11", "11")),  # two cuts inside groups
    ],
)
def test_only_runs_laid_out_as_card_numbers_are_joined_and_dates_and_times_never(parts, masked):
    lines, paint = redact_lines(row_of(*parts))
    assert tuple(line.text for line in lines) == (masked or parts)
    assert bool(paint) is (masked is not None)


def test_a_merchant_id_in_the_box_right_of_its_label_is_not_a_card():
    label = OcrLine("MID:", 0.99, ((10, 150), (60, 150), (60, 170), (10, 170)), alternative="MID:")
    value = OcrLine("378282246310005", 0.99, ((200, 143), (400, 143), (400, 163), (200, 163)))
    reading, paint = read_lines([label, value], second_engine=True)
    assert paint == [] and reading.lines[1].text == "378282246310005"


def test_nothing_a_reading_keeps_quotes_the_number():
    rows = [
        at("ПАО СБЕРБАНК", 0),
        at("ОПЛАТА", 1, alternative="ОПЛАТА"),
        at("Карта: 4111 1111 1111 1111", 2, alternative="KapTa: 4111 1111 1111 1112"),
        at("Ref 4111111111111111", 3, alternative="Ref 4111 1111 1111 1111"),
        at("CYMMA 1 119,00", 4, alternative="Сумма 1 119,00"),
        at("21.11.2026 14:32", 5),
    ]
    reading, paint = read_lines(rows, second_engine=True)
    assert reading.full_card_number and len(paint) == 2
    assert leaks(reading, "4111111111111111") == []
    assert reading.value("card_last4") == "1111", "the masked number still gives the last four"


def test_extraction_sources_are_scrubbed_of_numbers_the_lines_did_not_show_whole():
    # Two boxes a row apart for the guard, but merge_rows joins them (they overlap by more than half of the
    # smaller one): the candidate quoting the merged row must not quote the number either.
    tall = OcrLine("CYMMA 4111 1111", 0.95, ((10, 20), (200, 20), (200, 60), (10, 60)))
    low = OcrLine("1111 1111 10,00", 0.95, ((220, 45), (400, 45), (400, 57), (220, 57)))
    reading, _ = read_lines([tall, low], second_engine=False)
    assert reading.full_card_number
    assert leaks(reading, "4111111111111111") == []


def test_the_painted_region_is_the_numbers_span_grown_or_the_whole_box_when_unsure():
    line = OcrLine("Date 21.11.2026 Card 4111 1111 1111 1111", 0.95, box(0, 480))
    _, (span,) = redact_lines([line])
    left, right = min(x for x, _ in span), max(x for x, _ in span)
    assert 0 < left < 21 * 12 and right == 480  # from a little before the number to the box's end
    # Only the second engine read the number: where it sits in the box is unknown, so all of it is painted.
    only_second = OcrLine("Card ~~~~ ~~~~", 0.95, box(0, 300), alternative="Card 4111 1111 1111 1111")
    lines, paint = redact_lines([only_second])
    assert paint == [only_second.box] and lines[0].alternative == "Card ************1111"


def test_the_redacted_photo_keeps_its_colours():
    red = np.zeros((60, 200, 3), dtype=np.uint8)
    red[..., 0] = 220  # RGB: red, as load_photo gives
    painted = redact_photo(red, [box(100, 190, row=0, dy=-10)])
    decoded = np.asarray(Image.open(io.BytesIO(painted)).convert("RGB"))
    assert decoded[5, 5, 0] > 180 and decoded[5, 5, 2] < 60, "red stays red"
    assert decoded[20, 150].max() < 60, "the box is painted"


# --- property: generated OCR lines --------------------------------------------------------------------------

SCHEMES = {
    "visa": (("4",), (16, 19)),  # no 13-digit Visa has been issued for decades
    "mastercard": (("51", "53", "55", "2221", "2500", "2720"), (16,)),
    "mir": (("2200", "2202", "2204"), (16, 17, 18, 19)),
    "amex": (("34", "37"), (15,)),
    "jcb": (("3528", "3589"), (16, 19)),
    "unionpay": (("62", "81"), (16, 19)),
    "maestro": (("50", "57", "6304", "6759", "6762"), (16, 19)),
    "discover": (("6011", "645", "65"), (16, 19)),
}
LAYOUTS = ("4444", "664", "465", "none")
SEPARATORS = (" ", ".", "-")
LABELS = ("", "CARD ", "Карта: ", "Card No: ", "PAN ", "Ref ", "Ref No: ", "Invoice ", "Чек ", "Номер карты ")
AFTER = ("", " VISA", " MIR", " 12:30", " 100,00")
DISTRACTORS = (
    "ПАО СБЕРБАНК",
    "ОПЛАТА",
    "ОДОБРЕНО",
    "ИТОГ 1 119,00",
    "Сумма (Руб): 2 450,50",
    "21.11.2026 14:32",
    "RRN: 123456789012",
    "Терминал 12345678",
    "Карта: **** **** **** 4242",
    "ФН 9999078900012345",
    "ФД 12345 ФПД 1234567890",
    "КОД АВТОРИЗАЦИИ 4AB7CD",
    "Спасибо за покупку",
)
BESIDE = ("", "21.11.2026", "14:32", "25/Feb/2017 07:43:54", "20:48", "1x", "4", "11.32", "CB#:45976049320")
_TO_LETTER = {"0": "O", "8": "B", "5": "S", "1": "l", "2": "Z", "6": "G"}
_LOOK = {"6": "85", "8": "630", "5": "6", "3": "8", "0": "8", "1": "7", "7": "1", "4": "9", "9": "4"}


def with_check_digit(payload: str) -> str:
    for check in "0123456789":
        if luhn_valid(payload + check):
            return payload + check
    raise AssertionError("unreachable")


@st.composite
def card_numbers(draw: st.DrawFn) -> tuple[str, str]:
    scheme = draw(st.sampled_from(sorted(SCHEMES)))
    prefixes, lengths = SCHEMES[scheme]
    prefix, length = draw(st.sampled_from(prefixes)), draw(st.sampled_from(lengths))
    body = draw(st.text("0123456789", min_size=length - len(prefix) - 1, max_size=length - len(prefix) - 1))
    number = with_check_digit(prefix + body)
    assert card_format(number), number
    return scheme, number


def printed(number: str, layout: str, separator: str) -> str:
    if layout == "none":
        return number
    sizes = {"4444": [4] * 5, "664": [6, 6], "465": [4, 6]}[layout]
    groups, rest = [], number
    for size in sizes:
        if len(rest) <= size:
            break
        groups.append(rest[:size])
        rest = rest[size:]
    return separator.join([*groups, rest])


@st.composite
def slips_with_a_card(draw: st.DrawFn) -> tuple[list[OcrLine], str, list[int]]:
    """OCR lines of a slip that prints a full card number somewhere, as the engines might return them."""
    scheme, number = draw(card_numbers())
    layout, separator = draw(st.sampled_from(LAYOUTS)), draw(st.sampled_from(SEPARATORS))
    label, after = draw(st.sampled_from(LABELS)), draw(st.sampled_from(AFTER))
    shown = printed(number, layout, separator)
    text = label + shown + after
    digit_at = [len(label) + i for i, ch in enumerate(shown) if ch.isdigit()]
    # Cut into 1-3 boxes, every cut inside the number (or right at its edges).
    pieces = draw(st.integers(1, 3))
    cuts = sorted(set(draw(st.lists(st.integers(len(label), len(label) + len(shown)), min_size=pieces - 1,
                                    max_size=pieces - 1))))  # fmt: skip
    bounds = [0, *cuts, len(text)]
    parts = [(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]
    # How the engines read it: both right, one misread a digit, one read a look-alike letter, both misread one.
    misread = draw(st.sampled_from(("none", "digit", "letter", "both", "no_second")))
    first, second = list(text), list(text)
    position = draw(st.sampled_from(digit_at))
    if misread == "digit":
        wrong = draw(st.sampled_from([d for d in "0123456789" if d != text[position]]))
        (first if draw(st.booleans()) else second)[position] = wrong
    elif misread == "letter":
        letters = [p for p in digit_at if text[p] in _TO_LETTER]
        if letters:
            where = draw(st.sampled_from(letters))
            (first if draw(st.booleans()) else second)[where] = _TO_LETTER[text[where]]
    elif misread == "both":
        confusable = [p for p in digit_at if len(_LOOK.get(text[p], "")) >= 2]
        if confusable:
            where = draw(st.sampled_from(confusable))
            one, other = draw(st.permutations(list(_LOOK[text[where]])))[:2]
            first[where], second[where] = one, other
    event(f"scheme={scheme}")
    event(f"layout={layout}{separator!r}")
    event(f"boxes={len([p for p in parts if text[p[0] : p[1]].strip()])}")
    event(f"misread={misread}")
    event(f"label={label.strip() or '-'}")
    row = draw(st.integers(0, 6))
    distractors = draw(st.lists(st.sampled_from(DISTRACTORS), min_size=2, max_size=8))
    lines = [
        at(t, r if r < row else r + 1, alternative=t if r % 2 else "") for r, t in enumerate(distractors)
    ]
    # A field of its own may share the row, in its own box: a date, a time, a quantity, a price, an id.
    beside, left = draw(st.sampled_from(BESIDE)), draw(st.booleans())
    event(f"beside={beside or '-'}{' left' if left else ' right'}")

    def place_beside(x: float) -> float:
        lines.append(OcrLine(beside, 0.95, box(x, x + 12 * len(beside), row, draw(st.floats(-5, 5))), beside))
        return x + 12 * len(beside) + draw(st.integers(4, 60))

    card_lines, of_number, x = [], [], 10.0
    if beside and left:
        x = place_beside(x)
    for start, end in parts:
        primary, reread = "".join(first[start:end]).strip(), "".join(second[start:end]).strip()
        if not primary:
            continue
        of_number.append(any(start <= p < end for p in digit_at))
        dy = draw(st.floats(-5, 5))
        card_lines.append(
            OcrLine(
                primary,
                0.95,
                box(x, x + 12 * len(primary), row, dy),
                alternative="" if misread == "no_second" else reread,
            )
        )
        x += 12 * len(primary) + draw(st.integers(4, 60))
    if beside and not left:
        place_beside(x)
    lines += card_lines
    order = draw(st.permutations(range(len(lines))))
    shuffled = [lines[i] for i in order]
    holding = [order.index(len(lines) - len(card_lines) + i) for i, held in enumerate(of_number) if held]
    return shuffled, number, holding


@examples(ci=300, thorough=20_000)
@given(slips_with_a_card())
def test_property_no_card_number_survives_the_text_path(case):
    lines, number, holding = case
    redacted, paint = redact_lines(lines)
    reading, _ = read_lines(lines, second_engine=True)
    found = leaks(reading, number)
    event("leak" if found else "no leak")
    assert found == [], found
    assert reading.full_card_number
    # Every box holding a digit of the number is painted, each within its own box.
    for index in holding:
        left, right = lines[index].left, lines[index].right
        top, bottom = lines[index].top, lines[index].bottom
        assert any(
            all(left - 0.01 <= x <= right + 0.01 and top - 0.01 <= y <= bottom + 0.01 for x, y in quad)
            for quad in paint
        ), (lines[index], paint)
    assert [line.box for line in redacted] == [line.box for line in lines]


# --- property: slips rendered, photographed and read by the real engines ---------------------------------------


@st.composite
def rendered_slips(draw: st.DrawFn) -> tuple[bytes, str]:
    scheme, number = draw(card_numbers())
    layout, separator = draw(st.sampled_from(LAYOUTS)), draw(st.sampled_from(SEPARATORS))
    label = draw(st.sampled_from(("", "CARD ", "Карта: ", "Card No: ", "Ref ")))
    paired = draw(st.booleans())  # label left, number right-justified: often two boxes
    shown = printed(number, layout, separator)
    cols = 32
    card_line = (
        PrintedLine(label.strip() + " " * max(cols - len(label.strip()) - len(shown), 1) + shown)
        if paired and label
        else PrintedLine(label + shown)
    )
    before = draw(st.lists(st.sampled_from(DISTRACTORS), min_size=1, max_size=4))
    after = draw(st.lists(st.sampled_from(DISTRACTORS), min_size=1, max_size=4))
    printed_lines = [PrintedLine(t) for t in before] + [card_line] + [PrintedLine(t) for t in after]
    seed = draw(st.integers(0, 2**32 - 1))
    strength = draw(st.sampled_from((0.0, 0.15, 0.3)))
    event(f"scheme={scheme}")
    event(f"layout={layout}{separator!r}")
    event(f"paired={paired and bool(label)}")
    rng = random.Random(seed)
    image = photograph(render_lines(printed_lines, rng), rng, strength=strength)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue(), number


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@examples(ci=10, thorough=200)
@given(rendered_slips())
def test_property_a_rendered_slip_keeps_no_card_number_in_its_reading_or_its_redacted_photo(case):
    photo, number = case
    reading = recognize(photo)
    found = leaks(reading, number)
    event("leak in reading" if found else "no leak in reading")
    assert found == [], found
    assert reading.full_card_number, [line.text for line in reading.lines]
    reread = recognize(reading.redacted_photo)
    visible = [run for line in reread.lines for run in card_runs(line.text) + card_runs(line.alternative)]
    visible += [
        ln.text for ln in reread.lines if number[-12:-4] in re.sub(r"\D", "", ln.text + ln.alternative)
    ]
    event("leak in redacted photo" if visible else "no leak in redacted photo")
    assert visible == [], visible


def test_the_scrub_masks_a_number_left_in_a_candidates_value_or_source():
    field = FieldReading.from_candidates(
        [Candidate("4111 1111 1111 1111", 0.9, "top line: 4111111111111111 X")]
    )
    (scrubbed, found) = scrub_fields({"merchant": field})
    assert found and scrubbed["merchant"].value == "************1111"
    assert scrubbed["merchant"].candidates[0].source == "top line: ************1111 X"
    assert (
        scrub_fields({"merchant": FieldReading.from_candidates([Candidate("ООО Ромашка", 0.9, "top")])})[1]
        is False
    )
