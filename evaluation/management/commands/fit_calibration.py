"""`manage.py fit_calibration DIR [DIR ...] [--half tune] [--lines-cache DIR] [--out FILE]`: fits each field's
confidence curve (recognition.calibration) on the tuning halves of labelled folders and prints the reliability
before and after, on the data it was fitted on (the report halves are for `evaluate_recognition --half report`)."""

import json
import sys
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from tqdm import tqdm

from evaluation.lines_cache import engine_lines
from evaluation.management.commands.evaluate_recognition import read_labels
from evaluation.recognition_scores import (
    CALIBRATED_FIELDS,
    HALVES,
    in_half,
    match,
    normalize,
    reliability,
    render_reliability,
)
from recognition.calibration import CALIBRATION_FILE, RAW, Calibration, fit_isotonic, fit_logistic
from recognition.engines import get_rapid_engine
from recognition.engines.tesseract import get_tesseract_reader
from recognition.pipeline import read_lines, recognize
from recognition.serialize import reading_to_eval_dict


class Command(BaseCommand):
    help = "Fit the per-field confidence calibration on the tuning halves of labelled folders."

    def add_arguments(self, parser):
        parser.add_argument("folders", nargs="+", type=Path, help="labelled folders of real photos")
        parser.add_argument(
            "--generated",
            nargs="*",
            type=Path,
            default=[],
            help="generated folders, counted only for --generated-fields (fields real receipts rarely print)",
        )
        parser.add_argument(
            "--generated-fields",
            type=lambda t: tuple(t.split(",")),
            default=("time", "card_last4", "payment_system"),
        )
        parser.add_argument("--half", choices=(*HALVES, "all"), default="tune")
        parser.add_argument(
            "--lines-cache",
            type=Path,
            help="reuse the engines' lines cached here (fast, without recognize()'s closer look); by default every "
            "photo is read by the whole pipeline",
        )
        parser.add_argument("--years", type=lambda t: tuple(int(y) for y in t.split(",")), default=())
        parser.add_argument("--out", type=Path, default=CALIBRATION_FILE)
        parser.add_argument(
            "--fields",
            type=lambda t: tuple(t.split(",")),
            default=CALIBRATED_FIELDS,
            help="fit only these; with --merge the other curves of --out are kept (fields a set lacks, such as the "
            "card on real receipts, fitted on other folders)",
        )
        parser.add_argument(
            "--merge", action="store_true", help="keep the curves of --out this run does not fit"
        )
        parser.add_argument("--method", choices=("logistic", "isotonic"), default="logistic")
        parser.add_argument("--min-block", type=int, default=20, help="isotonic: fewest readings per step")

    def handle(self, *args, **options):
        engine = get_rapid_engine(settings.SLIPCHECK_OCR_THREADS)
        reader = get_tesseract_reader()
        pairs = []
        generated = set(options["generated"])
        for folder in [*options["folders"], *options["generated"]]:
            labels = in_half(read_labels(folder), options["half"])
            for label in tqdm(labels, desc=folder.name, unit="img", file=sys.stderr, mininterval=1.0):
                photo = (folder / label["image"]).read_bytes()
                if options["lines_cache"]:
                    lines = engine_lines(photo, engine, reader, options["lines_cache"])
                    reading, _ = read_lines(
                        lines, second_engine=True, years=options["years"], calibration=RAW
                    )
                else:  # the whole pipeline, as production reads, with raw confidences
                    reading = recognize(photo, engine=engine, years=options["years"], calibration=RAW)
                if folder in generated:  # only the fields real photos rarely label
                    label = {
                        key: value
                        for key, value in label.items()
                        if key not in CALIBRATED_FIELDS or key in options["generated_fields"]
                    }
                pairs.append((label, reading_to_eval_dict(reading, label["image"])))

        curves = {}
        for field in options["fields"]:
            samples = [
                (prediction["confidence"][field], bool(match(field, label.get(field), prediction.get(field))))
                for label, prediction in pairs
                if label.get(field) is not None and normalize(field, prediction.get(field)) is not None
            ]
            if len(samples) >= 2 * options["min_block"]:
                if options["method"] == "isotonic":
                    curves[field] = fit_isotonic(samples, min_block=options["min_block"])
                else:
                    curves[field] = fit_logistic(samples)
                self.stdout.write(f"{field}: {len(samples)} readings, curve {list(curves[field].points)}")
        calibration = Calibration(curves)
        calibrated = []
        for label, prediction in pairs:
            confidences = dict(prediction["confidence"])
            for field, curve in curves.items():
                if prediction.get(field) is not None:
                    confidences[field] = round(curve(confidences[field]), 4)
            calibrated.append((label, prediction | {"confidence": confidences}))
        self.stdout.write("\nbefore (raw), on the fitting data:")
        self.stdout.write("\n".join(render_reliability(reliability(pairs, CALIBRATED_FIELDS))))
        self.stdout.write("after (calibrated), on the fitting data:")
        self.stdout.write("\n".join(render_reliability(reliability(calibrated, CALIBRATED_FIELDS))))
        fitted = {
            "fitted": date.today().isoformat(),
            "on": [f"{folder.resolve().name} ({options['half']} half)" for folder in options["folders"]]
            + [
                f"{folder.resolve().name} ({options['half']} half; {', '.join(options['generated_fields'])} only)"
                for folder in options["generated"]
            ],
            "images": len(pairs),
            "method": options["method"],
        }
        document = {"curves": calibration.as_json(), "fits": {field: fitted for field in curves}}
        if options["merge"] and options["out"].is_file():
            kept = json.loads(options["out"].read_text("utf-8"))
            document["curves"] = kept["curves"] | document["curves"]
            document["fits"] = kept.get("fits", {}) | document["fits"]
        options["out"].write_text(json.dumps(document, indent=1) + "\n", "utf-8")
        self.stdout.write(f"wrote {options['out']}")
