"""False-accept rate and honest auto-acceptance of the real decision service on a labelled folder.

    python manage.py evaluate_decisions DIR [--limit N] [--half tune|report] [--documents slip,card_receipt,receipt] [--sweep] [--json OUT]

Honest and dishonest submissions (evaluation.decision_scenarios) go through `submission_create` and `submission_process` in
one database transaction that is rolled back at the end, with photos in a temporary folder: nothing is left
behind. Each dishonest variant of a slip runs in a savepoint rolled back after it, so variants do not see each
other as duplicates; honest slips stay, so copies are checked against them and honest slips against each
other. A photo's reading is computed once and reused by the variants that send the same bytes.
`--sweep` re-decides the same facts at other confidence thresholds (the campaign's operating point).
"""

import argparse
import hashlib
import json
import random
import tempfile
import uuid
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from unittest import mock

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from tqdm import tqdm

from evaluation.decision_scenarios import (
    Outcome,
    Report,
    copy_photo,
    outside_period_of,
    render_figures,
    scenarios_for,
)
from evaluation.recognition_scores import HALVES, in_half
from promo import processing, submissions
from promo.checks import run_checks
from promo.decision import decide
from promo.documents import SLIP, parse_documents
from promo.intake import photo_intake
from promo.models import Campaign, Submission

SWEEP = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


class Command(BaseCommand):
    help = "Run honest and dishonest submissions built from a labelled folder through the decision service."

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)
        parser.add_argument("--limit", type=int, help="use the first N labelled images")
        parser.add_argument(
            "--half",
            choices=(*HALVES, "all"),
            default="all",
            help="only one half of the set (evaluation.recognition_scores.half_of): report figures on 'report'",
        )
        parser.add_argument(
            "--seed", type=int, default=20261121, help="for the dishonest variants and copies"
        )
        parser.add_argument(
            "--sweep", action="store_true", help="also print the figures per confidence threshold"
        )
        parser.add_argument("--json", dest="json_out", type=Path, help="write the figures as JSON")
        parser.add_argument(
            "--documents",
            type=_documents,
            default=[SLIP],
            help="what the campaign accepts, comma-separated: slip, card_receipt, receipt (default: slip)",
        )

    def handle(self, *args, folder, limit, seed, sweep, json_out, documents, half, **options):
        labels = in_half(_labels(folder), half)[:limit]
        dated = [date.fromisoformat(label["date"]) for label in labels if label.get("date")]
        if not dated:
            raise CommandError(f"{folder}: no labelled dates, cannot set a campaign period")
        rng = random.Random(seed)
        plan = [(label, scenarios_for(label, rng, tuple(documents))) for label in labels]
        total = sum(len(scenarios) for _, scenarios in plan)
        today = max(timezone.now().date(), max(dated))
        report = Report()
        captured: list = []
        readings: dict[str, object] = {}
        real_recognize, real_run_checks = processing.recognize, run_checks

        def recognize_once(photo: bytes, **options):
            key = hashlib.sha256(photo).hexdigest() + repr(sorted(options.get("years", ())))
            if key not in readings:
                readings[key] = real_recognize(photo, **options)
            return readings[key]

        def run_checks_recorded(facts, rules):
            captured.append((facts, rules))
            return real_run_checks(facts, rules)

        with (
            tempfile.TemporaryDirectory() as media,
            override_settings(MEDIA_ROOT=media),
            mock.patch.object(Campaign, "today", lambda self: today),
            mock.patch("promo.processing.recognize", recognize_once),
            mock.patch("promo.decisions.run_checks", run_checks_recorded),
            transaction.atomic(),
        ):
            campaign = Campaign.objects.create(
                slug=f"eval-{uuid.uuid4().hex[:8]}",
                name="evaluate_decisions",
                starts_on=min(dated),
                ends_on=max(dated),
                documents=documents,
            )
            with tqdm(total=total, desc="submissions", unit="sub", disable=options["verbosity"] < 1) as bar:
                for label, scenarios in plan:
                    photo = (folder / label["image"]).read_bytes()
                    for number, scenario in enumerate(scenarios):
                        keep = scenario.honest
                        savepoint = None if keep else transaction.savepoint()
                        target = campaign
                        if scenario.outside_period:
                            starts, ends = outside_period_of(date.fromisoformat(label["date"]))
                            target = Campaign.objects.create(
                                slug=f"eval-out-{uuid.uuid4().hex[:8]}",
                                name="outside",
                                starts_on=starts,
                                ends_on=ends,
                                documents=documents,
                            )
                        sent = copy_photo(photo, scenario.transform, rng) if scenario.transform else photo
                        captured.clear()
                        submission = submissions.submission_create(
                            campaign=target,
                            contact=f"eval-{label['image']}-{number}@example.invalid",
                            photo=photo_intake(sent),
                            typed_amount=scenario.typed_amount,
                            typed_card_last4=scenario.typed_card_last4,
                            consent_version=target.rules_version,
                            channel=Submission.Channel.BATCH,
                        )
                        processing.submission_process(submission_id=submission.pk)
                        submission.refresh_from_db()
                        report.outcomes.append(
                            Outcome(
                                scenario,
                                submission.status,
                                [r["code"] for r in submission.reasons],
                                captured[-1] if captured else None,
                                [
                                    f"{c['check']}:{c['outcome']}"
                                    for c in submission.checks
                                    if c["outcome"] in ("fail", "unsure")
                                ],
                            )
                        )
                        if savepoint is not None:
                            transaction.savepoint_rollback(savepoint)
                        bar.update()
            transaction.set_rollback(True)

        figures = report.figures()
        self.stdout.write(f"documents accepted: {','.join(documents)}")
        self.stdout.write(render_figures(figures))
        result = {
            "folder": str(folder),
            "documents": documents,
            "figures": figures,
            "submissions": [
                {
                    "image": o.scenario.image,
                    "variant": o.scenario.variant,
                    "status": o.status,
                    "reasons": o.codes,
                    "not_passed": o.not_passed,
                }
                for o in report.outcomes
            ],
        }
        if sweep:
            result["sweep"] = self._sweep(report)
        if json_out:
            json_out.write_text(_dumps(result))
            self.stdout.write(f"\nwrote {json_out}")

    def _sweep(self, report: Report) -> list[dict]:
        self.stdout.write("\nconfidence threshold sweep (same readings, re-decided)")
        self.stdout.write(
            "  threshold  false-accept  honest accepted  honest to moderation  all to moderation"
        )
        rows = []
        for threshold in SWEEP:
            outcomes = []
            for outcome in report.outcomes:
                if outcome.facts is None:
                    outcomes.append(outcome)
                    continue
                facts, rules = outcome.facts
                rules = replace(rules, min_confidence=threshold)
                decision = decide(run_checks(facts, rules), rules)
                outcomes.append(
                    replace(outcome, status=decision.status, codes=[r["code"] for r in decision.reasons])
                )
            figures = Report(outcomes).figures()
            rows.append(
                {"threshold": threshold}
                | {
                    k: figures[k]
                    for k in ("false_accept_rate", "honest_accepted", "honest_moderation", "moderation_share")
                }
            )
            self.stdout.write(
                f"  {threshold:>9.2f}  {_pct(figures['false_accept_rate']):>12}  {_pct(figures['honest_accepted']):>15}"
                f"  {_pct(figures['honest_moderation']):>20}  {_pct(figures['moderation_share']):>17}"
            )
        return rows


def _documents(text: str) -> list[str]:
    try:
        return parse_documents(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _labels(folder: Path) -> list[dict]:
    path = folder / "labels.jsonl"
    if not path.exists():
        raise CommandError(f"{path} not found (see docs/eval-format.md)")
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _dumps(value) -> str:
    return json.dumps(
        value, indent=2, ensure_ascii=False, default=lambda v: str(v) if isinstance(v, Decimal) else repr(v)
    )
