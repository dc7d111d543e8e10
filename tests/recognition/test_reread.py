"""The closer look at unsure fields and the choice of lines for the second engine: lines in, no engine run."""

import numpy as np
import pytest

from recognition.calibration import RAW
from recognition.geometry import line_strip
from recognition.pipeline import read_lines, worth_rereading
from recognition.reread import look_closer, source_lines, unsure_of_the_print
from tests.recognition.lines import line

PHOTO = np.full((400, 600, 3), 255, dtype=np.uint8)


def extract(lines):
    """Raw confidences: what is tested is the rule, not the shipped calibration curve."""
    return read_lines(lines, second_engine=False, calibration=RAW)[0]


def closer(lines, answers):
    """look_closer with a recognizer that answers from `answers` (text -> (text, confidence)) and says what it
    was asked."""
    asked = []

    def recognize_crops(crops):
        asked.extend(crops)
        return [answers.pop(0) for _ in crops]

    reading = extract(lines)
    again, kept, steps = look_closer(
        reading,
        lines,
        photo=PHOTO,
        to_photo=lambda box: box,
        recognize_crops=recognize_crops,
        extract=extract,
    )
    return reading, again, kept, steps, asked


def test_an_unsure_amount_is_read_again_and_the_surer_reading_kept():
    lines = [line("CAFE DU PORT", 0), line("TOTAL 7.10", 1, confidence=0.5)]
    first, again, kept, steps, asked = closer(lines, [("TOTAL 7.70", 0.98)])
    assert str(first.value("amount")) == "7.10" and first.confidence("amount") < 0.6
    assert len(asked) == 1 and asked[0].shape[0] == 96  # the line, enlarged
    assert str(again.value("amount")) == "7.70" and again.confidence("amount") > first.confidence("amount")
    assert steps == ("reread_amount", "reread_amount_changed")
    assert kept[1].text == "TOTAL 7.70" and kept[0] is lines[0]


def test_a_reread_the_recognizer_is_less_sure_of_changes_nothing():
    lines = [line("TOTAL 7.10", 0, confidence=0.5)]
    first, again, kept, steps, _ = closer(lines, [("TOTAL 7.70", 0.4)])
    assert again is first and kept is lines and steps == ("reread_amount",)


def test_a_sure_field_is_not_looked_at_again():
    lines = [line("TOTAL 7.70", 0, confidence=0.99), line("DATE 21.11.2026", 1, confidence=0.99)]
    first, again, _, steps, asked = closer(lines, [])
    assert first.confidence("amount") >= 0.6 and asked == [] and steps == () and again is first


def test_a_date_unsure_only_of_its_convention_is_not_looked_at_again():
    reading = extract([line("Server: 07/03/2015", 0)])
    values = [candidate.value for candidate in reading.fields["date"].candidates[:2]]
    assert reading.confidence("date") < 0.6 and {(v.month, v.day) for v in values} == {(3, 7), (7, 3)}
    assert not unsure_of_the_print(reading, "date")


def test_source_lines_are_the_lines_quoted_by_the_candidates():
    lines = [line("CAFE DU PORT", 0), line("TOTAL", 1, width=60), line("7.10", 1, x=200, confidence=0.5)]
    reading = extract(lines)
    assert set(source_lines(reading, "amount")) >= {2}


@pytest.mark.parametrize(
    "text, confidence, reread",
    [
        ("TOTAL", 0.99, False),  # sure Latin words: PP-OCR's strength
        ("Thank you", 0.85, True),  # unsure
        ("", 0.0, True),  # read as nothing: an all-Cyrillic line
        ("Kapτa", 0.95, True),  # look-alikes of Cyrillic letters
        ("12.50", 0.99, False),  # sure digits
        ("Latte 4.50", 0.99, True),  # digits next to words
    ],
)
def test_which_lines_the_second_engine_reads(text, confidence, reread):
    assert worth_rereading(line(text, 0, confidence=confidence)) is reread


def test_line_strip_is_upright_and_stretched():
    photo = np.full((200, 300, 3), 200, dtype=np.uint8)
    photo[90:110, 60:240] = 150  # faint print
    strip = line_strip(photo, ((60.0, 90.0), (240.0, 90.0), (240.0, 110.0), (60.0, 110.0)), height=96)
    assert strip.shape[0] == 96 and strip.shape[1] > 4 * 96
    assert strip.min() < 20 and strip.max() > 235  # full contrast


def test_a_confident_masked_card_tail_is_still_read_by_the_second_engine():
    """PP-OCR drops the Cyrillic `МИР` before `**** 2044` and reads the rest surely: only Tesseract sees it."""
    from recognition.pipeline import needs_second_reading

    assert needs_second_reading(line("**** 2044", 0, confidence=0.99))
    assert not needs_second_reading(line("=2374.77", 0, confidence=0.99))
