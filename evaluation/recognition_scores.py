"""Scoring what the recognizer read against a labelled set (docs/eval-format.md).

Pure functions over plain dicts: a label line and a `reading_to_eval_dict` prediction. They live apart from
the `evaluate_recognition` command so the matching rules are table-tested without OCR, and so runs saved as
JSON can be re-scored the same way later.

A refusal to read is better than a wrong read (a wrong amount approves or rejects the wrong submission), so
every field is measured three ways: accuracy (correct over labelled), read rate (something read over labelled)
and precision (correct over what was read).
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

DEFAULT_FIELDS = ("kind", "amount", "date", "time", "card_last4", "payment_system", "merchant")
SCORABLE_FIELDS = (*DEFAULT_FIELDS, "rrn", "auth_code", "terminal_id")
# Compared after case folding and whitespace collapsing: OCR of a shop name is rarely letter-exact.
LOOSE_FIELDS = frozenset({"merchant"})
KIND_ORDER = ("slip", "receipt", "other")
NOTHING_READ = "(none)"  # the predicted-kind column for a prediction without a kind

_CENT = Decimal("0.01")

Pair = tuple[dict[str, Any], dict[str, Any]]  # (label line, prediction)


# ------------------------------------------------------------------------------------------------ matching


def normalize(field: str, value: Any) -> Any:
    """The form in which a label and a prediction are compared; None (or "") means nothing is known/read.

    Amounts become Decimal cents: labels are JSON numbers (`327.0`), predictions strings (`"327.00"`), and a
    float must not be compared to a string. An amount that is not a number stays a string: a garbled read
    is still a read, and a wrong one.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if field == "amount":
        try:
            return Decimal(str(value).strip()).quantize(_CENT)
        except (InvalidOperation, ValueError):
            return str(value)
    text = str(value).strip()
    if field in LOOSE_FIELDS:
        return " ".join(text.split()).casefold()
    if field == "payment_system":
        return text.upper()
    return text


def match(field: str, expected: Any, predicted: Any) -> bool | None:
    """True/False when the label knows the field; None when it does not, so the image is not scored on it."""
    truth = normalize(field, expected)
    if truth is None:
        return None
    return normalize(field, predicted) == truth


# --------------------------------------------------------------------------------------------- aggregation


@dataclass
class FieldScore:
    """Counts for one field over a group of images."""

    labelled: int = 0  # images whose label knows the field
    read: int = 0  # of those, the ones where something was read
    correct: int = 0  # of those, the ones read right
    unlabelled_reads: int = 0  # something read where the label is null (generated sets: not printed)

    def add(self, field: str, expected: Any, predicted: Any) -> None:
        was_read = normalize(field, predicted) is not None
        verdict = match(field, expected, predicted)
        if verdict is None:
            self.unlabelled_reads += was_read
            return
        self.labelled += 1
        self.read += was_read
        self.correct += verdict

    @property
    def accuracy(self) -> float | None:
        return ratio(self.correct, self.labelled)

    @property
    def read_rate(self) -> float | None:
        return ratio(self.read, self.labelled)

    @property
    def precision(self) -> float | None:
        return ratio(self.correct, self.read)

    def as_dict(self) -> dict[str, Any]:
        return {
            "labelled": self.labelled,
            "read": self.read,
            "correct": self.correct,
            "unlabelled_reads": self.unlabelled_reads,
            "accuracy": self.accuracy,
            "read_rate": self.read_rate,
            "precision": self.precision,
        }


def ratio(part: int, whole: int) -> float | None:
    """None rather than 0 for an empty group: "not measured" must not read as "always wrong"."""
    return part / whole if whole else None


def pair_up(labels: Sequence[dict], predictions: Sequence[dict]) -> tuple[list[Pair], list[dict]]:
    """(label, prediction) pairs in label order, and the predictions that are load errors.

    Errors are kept out of the field scores: a file that cannot be decoded says nothing about reading.
    """
    by_image = {p["image"]: p for p in predictions}
    pairs: list[Pair] = []
    errors: list[dict] = []
    for label in labels:
        prediction = by_image.get(label["image"])
        if prediction is None:
            continue
        if "error" in prediction:
            errors.append(prediction)
        else:
            pairs.append((label, prediction))
    return pairs, errors


def score_fields(pairs: Iterable[Pair], fields: Sequence[str]) -> dict[str, FieldScore]:
    scores = {field: FieldScore() for field in fields}
    for label, prediction in pairs:
        for field in fields:
            scores[field].add(field, label.get(field), prediction.get(field))
    return scores


def group_order(names: Iterable[str]) -> list[str]:
    """Kinds in their usual order first, anything else alphabetically after them."""
    return sorted(set(names), key=lambda name: (KIND_ORDER.index(name) if name in KIND_ORDER else 99, name))


def score_by(pairs: Sequence[Pair], fields: Sequence[str], key: str) -> dict[str, dict[str, FieldScore]]:
    """Field scores per value of a label key (kind, locale); labels without that key are left out."""
    groups = group_order(str(label[key]) for label, _ in pairs if label.get(key) is not None)
    return {
        group: score_fields([(lab, pred) for lab, pred in pairs if str(lab.get(key)) == group], fields)
        for group in groups
    }


def kind_confusion(pairs: Iterable[Pair]) -> dict[str, dict[str, int]]:
    """Labelled kind (rows) x predicted kind (columns); every row has every column, zeros included."""
    counts: Counter[tuple[str, str]] = Counter()
    for label, prediction in pairs:
        if label.get("kind") is not None:
            counts[label["kind"], prediction.get("kind") or NOTHING_READ] += 1
    rows = group_order(row for row, _ in counts)
    columns = group_order([*rows, *(column for _, column in counts)])
    return {row: {column: counts[row, column] for column in columns} for row in rows}


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default), so small runs still give a figure."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def timing(predictions: Iterable[dict]) -> dict[str, float | None]:
    """Median and p95 of each reading's own total time: the tail is what a participant waits for."""
    times = [p["ms"] for p in predictions if isinstance(p.get("ms"), int | float)]
    return {"images": len(times), "median_ms": percentile(times, 50), "p95_ms": percentile(times, 95)}


@dataclass
class RuleStat:
    """How often a rule fired for a field's chosen value, and how often that value was then right."""

    field: str
    rule: str
    fired: int = 0
    labelled: int = 0
    correct: int = 0

    @property
    def precision(self) -> float | None:
        return ratio(self.correct, self.labelled)

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "rule": self.rule,
            "fired": self.fired,
            "labelled": self.labelled,
            "correct": self.correct,
            "precision": self.precision,
        }


def rule_stats(pairs: Iterable[Pair], fields: Sequence[str]) -> list[RuleStat]:
    """Per (field, rule): a rule that fires often and is often wrong is the one to fix first."""
    stats: dict[tuple[str, str], RuleStat] = {}
    for label, prediction in pairs:
        for field, rules in (prediction.get("rules") or {}).items():
            if field not in fields:
                continue
            verdict = match(field, label.get(field), prediction.get(field))
            for rule in dict.fromkeys(rules):  # a rule named twice fired once
                stat = stats.setdefault((field, rule), RuleStat(field, rule))
                stat.fired += 1
                if verdict is not None:
                    stat.labelled += 1
                    stat.correct += verdict
    order = {field: i for i, field in enumerate(fields)}
    return sorted(stats.values(), key=lambda s: (order[s.field], -s.fired, s.rule))


def image_verdicts(pairs: Iterable[Pair], fields: Sequence[str]) -> list[dict[str, Any]]:
    """Per image: label, prediction and the verdict per field, so two runs can be diffed image by image."""
    return [
        {
            "image": label["image"],
            "label": label,
            "prediction": prediction,
            "correct": {field: match(field, label.get(field), prediction.get(field)) for field in fields},
        }
        for label, prediction in pairs
    ]


# ----------------------------------------------------------------------------------- split and calibration

HALVES = ("tune", "report")


def half_of(image: str) -> str:
    """The half of a labelled set an image belongs to, fixed by its file name: rules and calibration are
    tuned on "tune" and figures reported on "report" (the last hex digit of SHA-1 of the name, even or odd)."""
    return "tune" if int(hashlib.sha1(image.encode("utf-8")).hexdigest()[-1], 16) % 2 == 0 else "report"


def in_half(labels: Sequence[dict[str, Any]], half: str) -> list[dict[str, Any]]:
    """The label lines of one half of a set (`tune` or `report`), or all of them for `all`."""
    return [label for label in labels if half == "all" or half_of(label["image"]) == half]


RELIABILITY_BINS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0001)
CALIBRATED_FIELDS = ("amount", "date", "time", "card_last4", "payment_system", "merchant")


def reliability(pairs: Iterable[Pair], fields: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Per field and confidence bin, among labelled images where something was read: how many, their mean
    confidence and the share that was right. Calibrated, the two agree; a threshold's error rate is read off."""
    table: dict[str, list[list[float]]] = {f: [[0, 0.0, 0] for _ in RELIABILITY_BINS[:-1]] for f in fields}
    for label, prediction in pairs:
        for field in fields:
            verdict = match(field, label.get(field), prediction.get(field))
            confidence = (prediction.get("confidence") or {}).get(field)
            if verdict is None or confidence is None or normalize(field, prediction.get(field)) is None:
                continue
            i = max(j for j, low in enumerate(RELIABILITY_BINS[:-1]) if confidence >= low)
            row = table[field][i]
            row[0], row[1], row[2] = row[0] + 1, row[1] + confidence, row[2] + verdict
    return {
        field: [
            {
                "from": RELIABILITY_BINS[i],
                "to": min(RELIABILITY_BINS[i + 1], 1.0),
                "read": int(n),
                "mean_confidence": round(total / n, 3) if n else None,
                "right": ratio(int(right), int(n)),
            }
            for i, (n, total, right) in enumerate(rows)
            if n
        ]
        for field, rows in table.items()
        if any(row[0] for row in rows)
    }


def render_reliability(table: dict[str, list[dict[str, Any]]]) -> list[str]:
    if not table:
        return []
    out = ["calibration (reliability: among reads in a confidence bin, the share that was right)"]
    out.append(f"  {'field':<16}{'confidence':>14}{'read':>7}{'mean conf':>11}{'right':>9}")
    for field, rows in table.items():
        for row in rows:
            span = f"{row['from']:.2f}-{row['to']:.2f}"
            out.append(
                f"  {field:<16}{span:>14}{row['read']:>7}{row['mean_confidence']:>11.2f}{percent(row['right']):>9}"
            )
    return [*out, ""]


def summarize(
    labels: Sequence[dict],
    predictions: Sequence[dict],
    fields: Sequence[str] = DEFAULT_FIELDS,
    *,
    name: str = "",
    wall_s: float | None = None,
    load_s: float | None = None,
) -> dict[str, Any]:
    """Every figure of the report, JSON-ready (no Decimal, no dataclass)."""
    pairs, errors = pair_up(labels, predictions)

    def as_dicts(scores: dict[str, FieldScore]) -> dict[str, dict[str, Any]]:
        return {field: score.as_dict() for field, score in scores.items()}

    return {
        "set": name,
        "images": len(pairs) + len(errors),
        "scored": len(pairs),
        "errors": [{"image": e["image"], "error": e["error"]} for e in errors],
        "fields": as_dicts(score_fields(pairs, fields)),
        "by_kind": {g: as_dicts(s) for g, s in score_by(pairs, fields, "kind").items()},
        "by_locale": {g: as_dicts(s) for g, s in score_by(pairs, fields, "locale").items()},
        "kind_confusion": kind_confusion(pairs),
        "timing": timing(p for _, p in pairs) | {"wall_s": wall_s, "engine_load_s": load_s},
        "rules": [stat.as_dict() for stat in rule_stats(pairs, fields)],
        # Photos on which a full card number was found and masked (each goes to a moderator for redaction).
        "full_card_numbers": [p["image"] for _, p in pairs if p.get("full_card_number")],
        "reliability": reliability(pairs, [f for f in fields if f in CALIBRATED_FIELDS]),
        "fiscal_qr": score_fiscal(pairs),
    }


# ------------------------------------------------------------------------------------------------- report


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def field_title(field: str) -> str:
    return f"{field} (loose)" if field in LOOSE_FIELDS else field


def _figure(value: float | None, unit: str = "", digits: int = 0) -> str:
    return "—" if value is None else f"{value:.{digits}f}{unit}"


def _cell(score: dict[str, Any]) -> str:
    if not score["labelled"]:
        return "—"
    return f"{score['correct']}/{score['labelled']} {percent(score['accuracy'])}"


def _breakdown(title: str, groups: dict[str, dict[str, dict[str, Any]]], fields: Sequence[str]) -> list[str]:
    """Rows are fields, columns the groups: fields stay readable however many kinds or locales there are.

    A single group would repeat the overall table, and a field no group labels is a row of dashes: both
    are left out so the lines that remain are worth reading.
    """
    if not groups:
        return []
    if len(groups) == 1:
        return [f"{title}: all {next(iter(groups))} (as above)", ""]
    width = 20
    lines = [f"{title:<22}" + "".join(f"{group:>{width}}" for group in groups)]
    for field in fields:
        if not any(scores[field]["labelled"] for scores in groups.values()):
            continue
        lines.append(
            f"  {field_title(field):<20}" + "".join(f"{_cell(s[field]):>{width}}" for s in groups.values())
        )
    return [*lines, ""]


def render_report(summary: dict[str, Any]) -> str:
    """The plain-text report the command prints: overall, per kind and locale, confusion, timing, rules."""
    fields = list(summary["fields"])
    out = [
        f"set {summary['set'] or '?'}: {summary['images']} images, {summary['scored']} scored, "
        f"errors: {len(summary['errors'])}",
    ]
    out += [f"  error {e['image']}: {e['error']}" for e in summary["errors"][:10]]
    out += [
        "",
        f"{'field':<22}{'correct/total':>14}{'accuracy':>10}{'read rate':>11}{'precision':>11}"
        f"{'read, no label':>16}",
    ]
    for field, s in summary["fields"].items():
        out.append(
            f"  {field_title(field):<20}{s['correct']:>8}/{s['labelled']:<5}{percent(s['accuracy']):>10}"
            f"{percent(s['read_rate']):>11}{percent(s['precision']):>11}{s['unlabelled_reads']:>16}"
        )
    out.append("  (precision = correct among images where something was read; a refusal beats a wrong read)")
    out.append("")
    out += _breakdown("accuracy by kind", summary["by_kind"], fields)
    out += _breakdown("accuracy by locale", summary["by_locale"], fields)

    confusion = summary["kind_confusion"]
    if confusion:
        columns = list(next(iter(confusion.values())))
        out.append("kind confusion (rows: label, columns: predicted)")
        out.append(f"  {'':<12}" + "".join(f"{column:>10}" for column in columns))
        for row, counts in confusion.items():
            out.append(f"  {row:<12}" + "".join(f"{counts[column]:>10}" for column in columns))
        out.append("")

    out += render_reliability(summary.get("reliability", {}))
    t = summary["timing"]
    out.append(
        f"timing: median {_figure(t['median_ms'], ' ms')}, p95 {_figure(t['p95_ms'], ' ms')} per image "
        f"({t['images']} timed); wall {_figure(t['wall_s'], ' s', 1)}"
        + (f" (engine load {_figure(t['engine_load_s'], ' s', 1)})" if t.get("engine_load_s") else "")
    )
    flagged = summary.get("full_card_numbers", [])
    out.append(
        f"full card numbers found (sent for redaction): {len(flagged)} images {' '.join(flagged[:10])}"
    )
    out.append("")
    out += render_fiscal(summary.get("fiscal_qr"))

    if summary["rules"]:
        out.append("rules (fired for the chosen value; correct where the field is labelled)")
        out.append(f"  {'field':<20}{'rule':<30}{'fired':>7}{'labelled':>10}{'correct':>9}")
        for r in summary["rules"]:
            out.append(
                f"  {r['field']:<20}{r['rule']:<30}{r['fired']:>7}{r['labelled']:>10}{r['correct']:>9}"
                f"{percent(r['precision']):>8}"
            )
    else:
        out.append("rules: none fired")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------- fiscal QR

# What a fiscal QR gives, each compared exactly: its ids and operation, and the receipt's date, time and total.
FISCAL_KEYS = ("fn", "i", "fp", "operation", "date", "time", "amount")


def fiscal_expected(label: dict[str, Any]) -> dict[str, Any] | None:
    """What the label says the document's QR holds, None where it has none. A label's `fiscal` (beyond the eval
    format; see evaluation.synthetic) has the ids, `n` and `damage`; the date, time and total are the
    document's own."""
    fiscal = label.get("fiscal")
    if not fiscal:
        return None
    return {
        "fn": fiscal["fn"],
        "i": str(int(fiscal["i"])),
        "fp": str(int(fiscal["fp"])),
        "operation": fiscal.get("n", 1),
        "date": label.get("date"),
        "time": label.get("time"),
        "amount": normalize("amount", label.get("amount")),
    }


def fiscal_decoded(prediction: dict[str, Any]) -> dict[str, Any] | None:
    fiscal = prediction.get("fiscal")
    if not fiscal:
        return None
    return {key: fiscal.get(key) for key in FISCAL_KEYS} | {
        "amount": normalize("amount", fiscal.get("amount"))
    }


def score_fiscal(pairs: Sequence[Pair]) -> dict[str, Any] | None:
    """Read rate and exactness on intact codes, decodes of damaged ones (any wrong one is a bug: a QR that passed
    its error correction says what was printed), codes "read" where none was printed, and the time it costs.
    None when no label speaks of a fiscal QR (the key is absent, e.g. a set labelled by hand)."""
    scored = [(label, prediction) for label, prediction in pairs if "fiscal" in label]
    if not scored:
        return None
    intact = read = all_exact = damaged = damaged_read = damaged_wrong = none = read_where_none = 0
    exact: Counter[str] = Counter()
    for label, prediction in scored:
        expected, decoded = fiscal_expected(label), fiscal_decoded(prediction)
        if expected is None:
            none += 1
            read_where_none += decoded is not None
            continue
        right = decoded is not None and all(decoded[key] == expected[key] for key in FISCAL_KEYS)
        if label["fiscal"].get("damage"):
            damaged += 1
            damaged_read += decoded is not None
            damaged_wrong += decoded is not None and not right
            continue
        intact += 1
        if decoded is not None:
            read += 1
            all_exact += right
            exact.update(key for key in FISCAL_KEYS if decoded[key] == expected[key])
    spent = [p["fiscal_ms"] for _, p in scored if isinstance(p.get("fiscal_ms"), int | float)]
    spent_reading = [
        p["fiscal_ms"] for _, p in scored if p.get("fiscal") and isinstance(p.get("fiscal_ms"), int | float)
    ]
    return {
        "intact": intact,
        "read": read,
        "read_rate": ratio(read, intact),
        "all_exact": all_exact,
        "exactness": ratio(all_exact, read),
        "exact": {key: exact[key] for key in FISCAL_KEYS},
        "damaged": damaged,
        "damaged_read": damaged_read,
        "damaged_wrong": damaged_wrong,
        "without_code": none,
        "read_without_code": read_where_none,
        "median_ms": percentile(spent, 50),
        "p95_ms": percentile(spent, 95),
        "median_ms_when_read": percentile(spent_reading, 50),
    }


def render_fiscal(score: dict[str, Any] | None) -> list[str]:
    if score is None:
        return []
    per_key = ", ".join(f"{key} {score['exact'][key]}" for key in FISCAL_KEYS)
    return [
        "fiscal QR (Russian receipts)",
        f"  intact codes read: {score['read']}/{score['intact']} {percent(score['read_rate'])}; "
        f"every field exact: {score['all_exact']}/{score['read']} {percent(score['exactness'])} ({per_key})",
        f"  damaged codes: {score['damaged_read']}/{score['damaged']} decoded, {score['damaged_wrong']} decoded wrong"
        f"; documents without a code read as having one: {score['read_without_code']}/{score['without_code']}",
        f"  time per photo: median {_figure(score['median_ms'], ' ms')}, p95 {_figure(score['p95_ms'], ' ms')}"
        f" (median {_figure(score['median_ms_when_read'], ' ms')} where a code was read)",
        "",
    ]
