from decimal import Decimal

import pytest

from recognition.corroborate import combine_agreeing, combine_disagreeing, corroborate, differing_positions
from recognition.pipeline import merge_digits, needs_second_reading
from recognition.types import Candidate, FieldReading, OcrLine


def reading(value, confidence):
    return (
        FieldReading.from_candidates([Candidate(value, confidence, "test")])
        if value is not None
        else FieldReading.empty()
    )


@pytest.mark.parametrize(
    ("method", "first", "second", "expected"),
    [
        ("bayes", 0.9, 0.9, 0.9878),
        ("bayes", 0.6, 0.6, 0.6923),
        ("min", 0.9, 0.7, 0.7),
        ("avg", 0.9, 0.7, 0.8),
    ],
)
def test_agreement_combinations(method, first, second, expected):
    assert combine_agreeing(first, second, method) == pytest.approx(expected, abs=1e-4)


def test_bayes_agreement_raises_and_disagreement_lowers():
    assert combine_agreeing(0.8, 0.8) > 0.8
    assert combine_disagreeing(0.95, 0.9) < 0.95
    assert combine_disagreeing(0.95, 0.1) == pytest.approx(0.95)  # disagreement never raises confidence


def test_agreeing_engines_raise_confidence():
    combined = corroborate(reading(Decimal("119.00"), 0.8), reading(Decimal("119.00"), 0.7))
    assert combined.value == Decimal("119.00")
    assert combined.confidence > 0.8
    assert combined.rules == ("engines_agree",)


def test_disagreeing_engines_keep_both_and_mark_the_unsure_characters():
    combined = corroborate(reading(Decimal("166.00"), 0.9), reading(Decimal("188.00"), 0.6))
    assert combined.value == Decimal("166.00")
    assert combined.confidence < 0.9
    assert [c.value for c in combined.candidates] == [Decimal("166.00"), Decimal("188.00")]
    assert combined.candidates[0].unsure == (1, 2)
    assert combined.rules == ("engines_disagree",)


@pytest.mark.parametrize("rule", ["total_is_sum_of_parts", "total_is_cash_minus_change"])
def test_a_total_the_documents_arithmetic_proves_has_no_unsure_digit(rule):
    # Seen on a real receipt: 14.17 (subtotal plus tax, and cash less change) read 14.11 by the other engine;
    # a participant typing 14.11 was forgiven the `1/7` as an unsure digit.
    proven = FieldReading.from_candidates([Candidate(Decimal("14.17"), 0.9, "test", (rule,))])
    combined = corroborate(proven, reading(Decimal("14.11"), 0.6))
    assert combined.value == Decimal("14.17")
    assert combined.candidates[0].unsure == ()
    assert rule in combined.rules and "engines_disagree" in combined.rules


def test_an_engine_that_read_another_number_leaves_no_digit_to_forgive():
    # Seen on a real receipt: 56.38 read by one engine, 23.00 (another line) by the other; a participant typing
    # 56.36 was forgiven the 6/8 as if the engines had disagreed on that digit.
    combined = corroborate(reading(Decimal("56.38"), 0.9), reading(Decimal("23.00"), 0.3))
    assert combined.value == Decimal("56.38") and combined.candidates[0].unsure == ()
    one_digit = corroborate(reading(Decimal("56.38"), 0.9), reading(Decimal("56.36"), 0.3))
    assert one_digit.candidates[0].unsure == (4,)


def test_one_engine_alone():
    only_second = corroborate(FieldReading.empty(), reading("MIR", 0.9))
    assert (only_second.value, only_second.rules) == ("MIR", ("second_engine_only",))
    assert corroborate(reading("VISA", 0.9), FieldReading.empty()).value == "VISA"


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [("166.00", "188.00", (1, 2)), ("1234", "1234", ()), ("123", "1234", (0, 1, 2, 3))],
)
def test_differing_positions(first, second, expected):
    assert differing_positions(first, second) == expected


@pytest.mark.parametrize(
    ("tesseract", "ppocr", "expected"),
    [
        (
            "итого: 4 367,67 руб",
            "4 867,67 py6",
            ("итого: 4 867,67 руб", 1),
        ),  # PP-OCR's digits, Tesseract's words
        ("Сумма (Руб): 119,00", "(Py6): 119,00", ("Сумма (Руб): 119,00", 0)),
        ("КОД: 12", "1234", ("КОД: 12", 0)),  # digit layouts differ: nothing merged
        ("Карта", "Kapτa", ("Карта", 0)),
    ],
)
def test_merge_digits_takes_each_engine_where_it_is_strong(tesseract, ppocr, expected):
    assert merge_digits(tesseract, ppocr) == expected


def test_a_weak_agreeing_reading_never_lowers_confidence():
    assert combine_agreeing(0.56, 0.21) == pytest.approx(0.56)


@pytest.mark.parametrize(
    ("text", "confidence", "reread"),
    [
        ("=9009,00", 0.99, False),
        ("1 234,50", 0.95, False),
        ("1 234,50", 0.6, True),
        ("ИТОГ =9009,00", 0.99, True),
    ],
)
def test_only_confident_lines_of_digits_skip_the_second_engine(text, confidence, reread):
    assert needs_second_reading(OcrLine(text, confidence, ((0, 0), (9, 0), (9, 9), (0, 9)))) is reread
