"""`manage.py generate_slips OUT --n N --seed S [--kinds ...] [--locales de=1,fr=1]`: a labelled folder of generated slip photos (eval format),
plus `submissions.jsonl` ready for `submit_batch` (typed values = the truth, i.e. honest participants)."""

import json
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from evaluation.synthetic import KINDS, LOCALES, write_eval_set


def kind_mix(text: str) -> dict[str, float]:
    """`slip=0.8,receipt=0.1,other=0.1` -> weights."""
    return _mix(text, KINDS, "kind")


def locale_mix(text: str) -> dict[str, float]:
    """`de=1,fr=1,gb=2` -> weights of the locales of slips and receipts."""
    return _mix(text, LOCALES, "locale")


def _mix(text: str, known: tuple[str, ...], what: str) -> dict[str, float]:
    mix = {}
    for part in text.split(","):
        name, _, weight = part.partition("=")
        if name not in known:
            raise CommandError(f"unknown {what} {name!r}; known: {', '.join(known)}")
        mix[name] = float(weight or 1)
    return mix


class Command(BaseCommand):
    help = "Render synthetic slips (and receipts, non-documents) photographed badly, with exact labels."

    def add_arguments(self, parser):
        parser.add_argument("out", help="folder to write (images, labels.jsonl, submissions.jsonl)")
        parser.add_argument("--n", type=int, default=20)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--kinds", type=kind_mix, default={"slip": 1.0}, help="e.g. slip=0.8,receipt=0.1,other=0.1"
        )
        parser.add_argument(
            "--locales",
            type=locale_mix,
            default=None,
            help=f"e.g. de=1,fr=1 (known: {','.join(LOCALES)}); unset: 60%% ru, 40%% en, as always",
        )
        parser.add_argument("--strength", type=float, default=0.5, help="photo damage, 0 (clean) to 1 (hard)")
        parser.add_argument("--starts", type=date.fromisoformat, default=date(2026, 1, 1))
        parser.add_argument("--ends", type=date.fromisoformat, default=date(2026, 12, 31))

    def handle(self, *args, **options):
        out = Path(options["out"])
        labels = write_eval_set(
            out, options["n"], seed=options["seed"], kinds=options["kinds"], start=options["starts"],
            end=options["ends"], strength=options["strength"], locales=options["locales"],
        )  # fmt: skip
        submissions = out / "submissions.jsonl"
        with labels.open(encoding="utf-8") as source, submissions.open("w", encoding="utf-8") as target:
            for number, raw in enumerate(source):
                label = json.loads(raw)
                typed = {
                    "image": label["image"],
                    "amount": f"{label['amount']:.2f}" if label["amount"] is not None else "100.00",
                    "card_last4": label["card_last4"] or "0000",
                    "contact": f"+7999{number:07d}",
                    "consent": True,  # synthetic participants accepted the rules
                }
                target.write(json.dumps(typed) + "\n")
        self.stdout.write(f"{options['n']} images, {labels}, {submissions}")
