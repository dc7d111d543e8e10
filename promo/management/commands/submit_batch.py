"""`manage.py submit_batch --campaign SLUG FILE.jsonl`: offline promotions and bulk checks.

Each line becomes a real submission through the same intake, validation and service as the API (the line's
`"consent": true` says the participant accepted the rules, e.g. on a paper form); one JSON line is printed per
input once it is decided (or sent to moderation).
"""

import json
import time
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from promo import submissions
from promo.models import Campaign, Submission
from promo.reasons import render
from promo.serializers import SubmissionCreateSerializer

SETTLED = Submission.FINAL | {Submission.Status.MODERATION}


class Command(BaseCommand):
    help = 'Submit {"image", "amount", "card_last4", "contact"} lines; prints {"image", "id", "status", "reasons", "seconds"}.'

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True, help="campaign slug")
        parser.add_argument("file", help="JSONL file; image paths are relative to the file's folder")
        parser.add_argument(
            "--timeout", type=float, default=300, help="seconds to wait for each decision (workers)"
        )

    def handle(self, *args, **options):
        campaign = Campaign.objects.filter(slug=options["campaign"]).first()
        if campaign is None:
            raise CommandError(f"no campaign {options['campaign']!r}")
        batch = Path(options["file"])
        failures = 0
        for number, raw in enumerate(batch.read_text(encoding="utf-8").splitlines(), start=1):
            if not raw.strip():
                continue
            result = self.submit_line(campaign, batch.parent, number, raw, options["timeout"])
            failures += "error" in result
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        if failures:
            raise CommandError(f"{failures} line(s) were not submitted")

    def submit_line(self, campaign: Campaign, folder: Path, number: int, raw: str, timeout: float) -> dict:
        try:
            item = json.loads(raw)
            image = str(item["image"])
        except (ValueError, KeyError, TypeError):
            return {"line": number, "error": "not a JSON object with an 'image' key"}
        path = Path(image) if Path(image).is_absolute() else folder / image
        if not path.is_file():
            return {"image": image, "error": f"no such file: {path}"}
        with path.open("rb") as handle:
            data = {key: item.get(key) for key in ("amount", "card_last4", "contact", "consent")}
            serializer = SubmissionCreateSerializer(data={**data, "photo": File(handle, name=path.name)})
            if not serializer.is_valid():
                return {"image": image, "error": serializer.errors}
            submission = submissions.submission_create_from_input(
                campaign=campaign, data=serializer.validated_data, channel=Submission.Channel.BATCH
            )
        submission = self.wait_for_decision(submission, timeout)
        seconds = (
            (submission.decided_at - submission.created_at).total_seconds() if submission.decided_at else None
        )
        return {
            "image": image,
            "id": str(submission.pk),
            "status": submission.status,
            "reasons": [render(stored) for stored in submission.reasons],
            "seconds": round(seconds, 3) if seconds is not None else None,
        }

    @staticmethod
    def wait_for_decision(submission: Submission, timeout: float) -> Submission:
        """Eager tasks have decided already; with workers, poll the database (the source of truth)."""
        deadline = time.monotonic() + timeout
        submission.refresh_from_db()
        while submission.status not in SETTLED and time.monotonic() < deadline:
            time.sleep(0.2)
            submission.refresh_from_db()
        return submission
