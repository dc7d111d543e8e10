"""`manage.py evaluate_recognition DIR [--limit N] [--half tune|report] [--lines-cache DIR] [--raw] [--json OUT]
[--chart PNG] [--years Y] [--floor] [--fields a,b]`: how well
Slipcheck reads a labelled folder (docs/eval-format.md). Scoring lives in evaluation.recognition_scores."""

import json
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from evaluation.lines_cache import engine_lines
from evaluation.recognition_scores import (
    DEFAULT_FIELDS,
    HALVES,
    SCORABLE_FIELDS,
    field_title,
    image_verdicts,
    in_half,
    pair_up,
    percentile,
    render_report,
    summarize,
)
from recognition.calibration import RAW
from recognition.engines import get_rapid_engine
from recognition.engines.tesseract import get_tesseract_reader
from recognition.images import UnreadableImage, load_photo
from recognition.pipeline import read_lines, recognize
from recognition.serialize import reading_to_eval_dict


def field_list(text: str) -> tuple[str, ...]:
    """`amount,date` -> ("amount", "date"), refusing names the labels cannot have."""
    fields = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in fields if name not in SCORABLE_FIELDS]
    if unknown or not fields:
        raise CommandError(f"unknown fields {unknown}; known: {', '.join(SCORABLE_FIELDS)}")
    return fields


def read_labels(folder: Path) -> list[dict[str, Any]]:
    path = folder / "labels.jsonl"
    if not path.is_file():
        raise CommandError(f"{path} not found: DIR must be a labelled folder (docs/eval-format.md)")
    labels = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return labels


def stage_report(timings: list[dict[str, float]]) -> str:
    """Median and p95 per pipeline stage (Reading.timings_ms): where the time goes, not only how much."""
    stages = list(dict.fromkeys(stage for timing in timings for stage in timing))
    parts = []
    for stage in stages:
        values = [timing.get(stage, 0.0) for timing in timings]
        parts.append(f"{stage} {percentile(values, 50):.0f}/{percentile(values, 95):.0f}")
    return "stages, median/p95 ms (0 where a stage did not run): " + ", ".join(parts) + "\n"


def write_chart(summary: dict[str, Any], path: Path) -> None:
    """Accuracy and read rate side by side per field: the gap between them is the wrong reads."""
    # Imported here: matplotlib is a tool of this report only, not of the site or the workers.
    from matplotlib.figure import Figure

    fields = [f for f, s in summary["fields"].items() if s["labelled"]]
    accuracy = [summary["fields"][f]["accuracy"] * 100 for f in fields]
    read_rate = [summary["fields"][f]["read_rate"] * 100 for f in fields]
    positions = range(len(fields))
    width = 0.4

    figure = Figure(figsize=(max(7.0, 1.4 * len(fields) + 2), 5.2), dpi=110)
    axes = figure.add_subplot()
    for offset, values, label, color in (
        (-width / 2, accuracy, "accuracy (correct / labelled)", "#2b7bba"),
        (width / 2, read_rate, "read rate (something read / labelled)", "#bcbcbc"),
    ):
        bars = axes.bar([p + offset for p in positions], values, width, label=label, color=color)
        axes.bar_label(bars, labels=[f"{v:.0f}%" for v in values], padding=2, fontsize=9)
    axes.set_xticks(
        list(positions),
        [f"{field_title(f)}\nn={summary['fields'][f]['labelled']}" for f in fields],
        fontsize=9,
    )
    axes.set_ylim(0, 112)  # room for the labels above a 100% bar
    axes.set_yticks(range(0, 101, 20), [f"{v}%" for v in range(0, 101, 20)])
    axes.grid(axis="y", alpha=0.3)
    axes.set_axisbelow(True)
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False, fontsize=9)
    errors = f", {len(summary['errors'])} errors" if summary["errors"] else ""
    axes.set_title(f"{summary['set']}: recognition per field (n={summary['scored']} images{errors})")
    figure.tight_layout()
    figure.savefig(path)


class Command(BaseCommand):
    help = (
        "Score recognition on a labelled folder: accuracy, read rate and precision per field, timing, rules."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="labelled folder: labels.jsonl + images")
        parser.add_argument("--limit", type=int, help="only the first N label lines")
        parser.add_argument("--json", dest="json_out", help="write predictions + summary to this file")
        parser.add_argument("--chart", help="write a bar chart (PNG) of accuracy and read rate per field")
        parser.add_argument(
            "--years",
            type=lambda text: tuple(int(y) for y in text.split(",")),
            default=(),
            help="campaign years, e.g. 2026: lets a date whose year the OCR broke be repaired (as in production)",
        )
        parser.add_argument(
            "--floor",
            action="store_true",
            help="also time one bare PP-OCR pass per photo: the floor the whole recognition is compared with",
        )
        parser.add_argument(
            "--half",
            choices=(*HALVES, "all"),
            default="all",
            help="only one half of the set (evaluation.recognition_scores.half_of): tune on 'tune', report 'report'",
        )
        parser.add_argument(
            "--lines-cache",
            type=Path,
            help="reuse the engines' lines cached here (extraction and calibration only; timings then cover "
            "extraction alone)",
        )
        parser.add_argument(
            "--raw",
            action="store_true",
            help="raw confidences, without the shipped calibration (to compare, or to fit one)",
        )
        parser.add_argument(
            "--fields",
            type=field_list,
            default=DEFAULT_FIELDS,
            help=f"comma-separated, default {','.join(DEFAULT_FIELDS)}; known: {','.join(SCORABLE_FIELDS)}",
        )

    def handle(self, *args, **options):
        folder = Path(options["folder"])
        labels = in_half(read_labels(folder), options["half"])[: options["limit"]]
        calibration = RAW if options["raw"] else None  # None: the shipped curves
        cache = options["lines_cache"]
        reader = get_tesseract_reader() if cache else None
        fields = options["fields"]
        if options["chart"]:
            try:  # fail before a long run, not after it
                import matplotlib  # noqa: F401
            except ImportError as error:
                raise CommandError("--chart needs matplotlib (pip install matplotlib)") from error

        started = time.perf_counter()
        engine = get_rapid_engine(settings.SLIPCHECK_OCR_THREADS)
        loaded = time.perf_counter()
        predictions, floor_ms, tuned_ms, stage_ms = [], [], [], []
        bare = bare_ppocr(settings.SLIPCHECK_OCR_THREADS) if options["floor"] else None
        for label in tqdm(labels, desc=folder.name, unit="img", file=sys.stderr, mininterval=1.0):
            try:
                photo = (folder / label["image"]).read_bytes()
                if cache:
                    extract_started = time.perf_counter()
                    lines = engine_lines(photo, engine, reader, cache)
                    reading, _ = read_lines(
                        lines,
                        second_engine=reader is not None,
                        years=options["years"],
                        calibration=calibration,
                    )
                    reading.timings_ms["total"] = round((time.perf_counter() - extract_started) * 1000, 1)
                else:
                    reading = recognize(photo, engine=engine, years=options["years"], calibration=calibration)
                if bare is not None:
                    bare_started = time.perf_counter()
                    bare(load_photo(photo))
                    floor_ms.append((time.perf_counter() - bare_started) * 1000)
                    tuned_started = time.perf_counter()
                    engine.read(load_photo(photo))
                    tuned_ms.append((time.perf_counter() - tuned_started) * 1000)
            except (OSError, UnreadableImage) as error:
                predictions.append({"image": label["image"], "error": str(error)})
                continue
            predictions.append(reading_to_eval_dict(reading, label["image"]))
            stage_ms.append(reading.timings_ms)
        done = time.perf_counter()

        summary = summarize(
            labels,
            predictions,
            fields,
            name=folder.resolve().name + ("" if options["half"] == "all" else f" ({options['half']} half)"),
            wall_s=done - started,
            load_s=loaded - started,
        )
        self.stdout.write(render_report(summary), ending="")
        if stage_ms:
            self.stdout.write(stage_report(stage_ms))
        if floor_ms:
            self.stdout.write(
                "floor, one bare PP-OCR pass with RapidOCR's defaults (load + detect + classify + read; no second "
                f"engine, no extraction): median {percentile(floor_ms, 50):.0f} ms, "
                f"p95 {percentile(floor_ms, 95):.0f} ms\n"
                "one PP-OCR pass as configured here (detection at 640 px short side, 1280 px long side; unbatched "
                "lines; onnxruntime threads that sleep): "
                f"median {percentile(tuned_ms, 50):.0f} ms, p95 {percentile(tuned_ms, 95):.0f} ms\n"
            )

        if options["json_out"]:
            pairs, _ = pair_up(labels, predictions)
            document = {"folder": str(folder), "summary": summary, "images": image_verdicts(pairs, fields)}
            Path(options["json_out"]).write_text(json.dumps(document, ensure_ascii=False, indent=1), "utf-8")
        if options["chart"]:
            write_chart(summary, Path(options["chart"]))


def bare_ppocr(threads: int):
    """RapidOCR as it comes, on the same threads as the engine: the floor to compare the recognition with."""
    from rapidocr import RapidOCR

    params: dict[str, object] = {"Global.log_level": "error"}
    if threads > 0:
        params["EngineConfig.onnxruntime.intra_op_num_threads"] = threads
        params["EngineConfig.onnxruntime.inter_op_num_threads"] = 1
    return RapidOCR(params=params)
