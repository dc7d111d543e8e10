"""Scoring of a labelled set: matching rules, aggregation, confusion, percentiles, rule stats, and the command."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from recognition.evaluation import (
    FieldScore,
    image_verdicts,
    kind_confusion,
    match,
    normalize,
    pair_up,
    percentile,
    render_report,
    rule_stats,
    score_by,
    score_fields,
    summarize,
)
from recognition.management.commands.evaluate_recognition import half_of, read_labels
from recognition.synthetic import write_eval_set


@pytest.mark.parametrize(
    ("field", "expected", "predicted", "verdict"),
    [
        ("amount", 327.0, "327.00", True),
        ("amount", 15.9, "15.90", True),
        ("amount", 9982.83, "9982.83", True),
        ("amount", 0.1, "0.10", True),  # float 0.1 is not 0.10 in binary; via str() it is
        ("amount", 327.0, "327.01", False),
        ("amount", 15.9, "159.00", False),  # a lost decimal mark
        ("amount", 327.0, "3 27", False),  # garbled: a read, and a wrong one
        ("amount", 327.0, None, False),
        ("amount", None, "327.00", None),  # unknown in the label: not scored
        ("date", "2026-11-21", "2026-11-21", True),
        ("date", "2026-11-21", "2026-11-12", False),
        ("time", "09:05", "09:05", True),
        ("time", "09:05", "09:50", False),
        ("card_last4", "0042", "0042", True),
        ("card_last4", "0042", "42", False),  # leading zeros are digits of the card
        ("payment_system", "MIR", "mir", True),
        ("payment_system", "VISA", "MASTERCARD", False),
        ("merchant", "HOME MASTER  Hardware", "home master\nhardware", True),
        ("merchant", "HOME MASTER", "HOME MASTERS", False),
        ("kind", "slip", "slip", True),
        ("kind", "slip", "receipt", False),
        ("kind", "other", "", False),  # an empty string is nothing read
        ("merchant", "", "ANY", None),
    ],
)
def test_match(field, expected, predicted, verdict):
    assert match(field, expected, predicted) is verdict


def test_normalize_amount_is_decimal_cents():
    assert normalize("amount", 327.0) == Decimal("327.00")
    assert normalize("amount", "  9982.8 ") == Decimal("9982.80")
    assert normalize("amount", None) is None


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # (label value, predicted value) -> labelled, read, correct, unlabelled reads
        ([(327.0, "327.00"), (15.9, "15.90")], (2, 2, 2, 0)),
        ([(327.0, None), (15.9, "15.90")], (2, 1, 1, 0)),  # refusal: lowers accuracy, not precision
        ([(327.0, "1.00"), (15.9, "15.90")], (2, 2, 1, 0)),  # wrong read: lowers both
        ([(None, "5.00"), (None, None), (15.9, "15.90")], (1, 1, 1, 1)),  # null label: not scored
    ],
)
def test_field_score_counts(rows, expected):
    score = FieldScore()
    for label_value, predicted in rows:
        score.add("amount", label_value, predicted)
    assert (score.labelled, score.read, score.correct, score.unlabelled_reads) == expected


def test_accuracy_read_rate_precision():
    score = FieldScore(labelled=4, read=2, correct=2)
    assert (score.accuracy, score.read_rate, score.precision) == (0.5, 0.5, 1.0)
    empty = FieldScore()
    assert (empty.accuracy, empty.read_rate, empty.precision) == (None, None, None)


LABELS = [
    {"image": "a.jpg", "kind": "slip", "locale": "ru", "amount": 100.0, "date": "2026-01-02"},
    {"image": "b.jpg", "kind": "slip", "locale": "en", "amount": 15.9, "date": None},
    {"image": "c.jpg", "kind": "receipt", "locale": "en", "amount": 327.0, "date": "2026-03-04"},
    {"image": "d.jpg", "kind": "other"},
    {"image": "e.jpg", "kind": "slip", "locale": "ru", "amount": 5.0},
]
PREDICTIONS = [
    {"image": "a.jpg", "kind": "slip", "amount": "100.00", "date": "2026-01-02", "ms": 100.0,
     "rules": {"amount": ["total_label"], "date": ["date_near_time"]}},
    {"image": "b.jpg", "kind": "receipt", "amount": "159.00", "date": "2026-05-05", "ms": 300.0,
     "rules": {"amount": ["total_label", "currency_mark"]}},
    {"image": "c.jpg", "kind": "receipt", "amount": None, "date": "2026-03-04", "ms": 200.0, "rules": {}},
    {"image": "d.jpg", "kind": "other", "amount": "7.00", "date": None, "ms": 50.0},
    {"image": "e.jpg", "error": "cannot identify image file"},
]  # fmt: skip


def test_pair_up_sets_load_errors_apart():
    pairs, errors = pair_up(LABELS, PREDICTIONS)
    assert [label["image"] for label, _ in pairs] == ["a.jpg", "b.jpg", "c.jpg", "d.jpg"]
    assert [e["image"] for e in errors] == ["e.jpg"]


def test_score_fields_over_a_set():
    pairs, _ = pair_up(LABELS, PREDICTIONS)
    scores = score_fields(pairs, ["kind", "amount", "date"])
    assert (scores["kind"].labelled, scores["kind"].correct) == (4, 3)
    amount = scores["amount"]
    assert (amount.labelled, amount.read, amount.correct, amount.unlabelled_reads) == (3, 2, 1, 1)
    date = scores["date"]
    assert (date.labelled, date.read, date.correct, date.unlabelled_reads) == (2, 2, 2, 1)


def test_score_by_kind_and_locale():
    pairs, _ = pair_up(LABELS, PREDICTIONS)
    by_kind = score_by(pairs, ["amount"], "kind")
    assert list(by_kind) == ["slip", "receipt", "other"]
    assert (by_kind["slip"]["amount"].labelled, by_kind["slip"]["amount"].correct) == (2, 1)
    assert (by_kind["receipt"]["amount"].labelled, by_kind["receipt"]["amount"].read) == (1, 0)
    assert by_kind["other"]["amount"].labelled == 0
    by_locale = score_by(pairs, ["amount"], "locale")
    assert list(by_locale) == ["en", "ru"]  # the "other" image has no locale: left out
    assert (by_locale["en"]["amount"].labelled, by_locale["en"]["amount"].correct) == (2, 0)


def test_kind_confusion_rows_are_labels_columns_predictions():
    pairs, _ = pair_up(LABELS, PREDICTIONS)
    assert kind_confusion(pairs) == {
        "slip": {"slip": 1, "receipt": 1, "other": 0},
        "receipt": {"slip": 0, "receipt": 1, "other": 0},
        "other": {"slip": 0, "receipt": 0, "other": 1},
    }


def test_kind_confusion_keeps_unknown_predictions():
    pairs = [
        ({"image": "x", "kind": "slip"}, {"kind": None}),
        ({"image": "y", "kind": "slip"}, {"kind": "slip"}),
    ]
    assert kind_confusion(pairs) == {"slip": {"slip": 1, "(none)": 1}}


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([], 50, None),
        ([7.0], 95, 7.0),
        ([1, 2, 3], 50, 2),
        ([1, 2, 3, 4], 50, 2.5),
        ([3, 1, 2, 4], 50, 2.5),  # unsorted input
        (list(range(1, 101)), 95, 95.05),
        ([10, 20], 95, 19.5),
        ([10, 20], 0, 10),
        ([10, 20], 100, 20),
    ],
)
def test_percentile(values, q, expected):
    result = percentile(values, q)
    assert result is None if expected is None else result == pytest.approx(expected)


def test_rule_stats_count_fires_and_correct_when_labelled():
    pairs, _ = pair_up(LABELS, PREDICTIONS)
    stats = {
        (s.field, s.rule): (s.fired, s.labelled, s.correct) for s in rule_stats(pairs, ["amount", "date"])
    }
    assert stats == {
        ("amount", "total_label"): (2, 2, 1),
        ("amount", "currency_mark"): (1, 1, 0),
        ("date", "date_near_time"): (1, 1, 1),
    }
    assert rule_stats(pairs, ["date"])[0].rule == "date_near_time"  # other fields' rules left out


def test_rule_stats_fired_on_an_unlabelled_field():
    pairs = [({"image": "x", "amount": None}, {"amount": "1.00", "rules": {"amount": ["r", "r"]}})]
    [stat] = rule_stats(pairs, ["amount"])
    assert (stat.fired, stat.labelled, stat.correct, stat.precision) == (1, 0, 0, None)


def test_summary_is_json_ready_and_report_has_every_section():
    summary = summarize(LABELS, PREDICTIONS, ["kind", "amount", "merchant"], name="tiny", wall_s=1.5)
    assert json.loads(json.dumps(summary)) == summary
    assert summary["timing"]["median_ms"] == 150.0
    assert summary["errors"] == [{"image": "e.jpg", "error": "cannot identify image file"}]
    report = render_report(summary)
    for text in ("set tiny: 5 images, 4 scored, errors: 1", "merchant (loose)", "accuracy by kind",
                 "accuracy by locale", "kind confusion", "median 150 ms", "total_label"):  # fmt: skip
        assert text in report
    single = render_report(summarize(LABELS[:1], PREDICTIONS[:1], name="one"))
    assert "accuracy by locale: all ru (as above)" in single
    amount_line = next(line for line in report.splitlines() if line.strip().startswith("amount"))
    assert amount_line.split()[1:5] == ["1/3", "33.3%", "66.7%", "50.0%"]


def test_image_verdicts():
    pairs, _ = pair_up(LABELS, PREDICTIONS)
    verdicts = image_verdicts(pairs, ["amount", "date"])
    assert verdicts[1]["correct"] == {"amount": False, "date": None}


def test_command_on_a_generated_set(tmp_path):
    pytest.importorskip("matplotlib")
    folder = tmp_path / "set"
    write_eval_set(folder, 2, seed=3)
    out, chart = tmp_path / "run.json", tmp_path / "run.png"
    stdout = StringIO()
    call_command(
        "evaluate_recognition", str(folder), "--limit", "2", "--json", str(out), "--chart", str(chart),
        stdout=stdout,
    )  # fmt: skip
    report = stdout.getvalue()
    for field in ("kind", "amount", "date", "time", "card_last4", "payment_system", "merchant (loose)"):
        assert f"\n  {field} " in report
    assert "set set: 2 images, 2 scored, errors: 0" in report
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["summary"]["scored"] == 2
    assert [image["image"] for image in document["images"]] == ["slip_0000.jpg", "slip_0001.jpg"]
    assert chart.read_bytes().startswith(b"\x89PNG")


def test_command_counts_an_unreadable_image_and_goes_on(tmp_path):
    folder = tmp_path / "set"
    folder.mkdir()
    (folder / "broken.jpg").write_bytes(b"not an image")
    lines = [{"image": "broken.jpg", "kind": "slip"}, {"image": "missing.jpg", "kind": "slip"}]
    (folder / "labels.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    stdout = StringIO()
    call_command("evaluate_recognition", str(folder), stdout=stdout)
    assert "2 images, 0 scored, errors: 2" in stdout.getvalue()


def test_command_refuses_unknown_fields(tmp_path):
    with pytest.raises(CommandError, match="unknown fields"):
        call_command("evaluate_recognition", str(tmp_path), "--fields", "amount,colour")


def test_half_split_is_by_file_name_and_reads_only_that_half(tmp_path):
    names = [f"photo_{i}.jpg" for i in range(40)]
    halves = {name: half_of(name) for name in names}
    assert set(halves.values()) == {"tune", "report"}
    assert halves == {name: half_of(name) for name in reversed(names)}  # not by position
    folder = tmp_path / "set"
    folder.mkdir()
    (folder / "labels.jsonl").write_text("".join(json.dumps({"image": n}) + "\n" for n in names), "utf-8")
    for half in ("tune", "report"):
        assert [label["image"] for label in read_labels(folder, None, half)] == [
            n for n in names if halves[n] == half
        ]
