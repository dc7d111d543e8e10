"""How long does a submission export of a whole campaign take, and how much memory does it hold?

    python manage.py bench_exports --n 1000000 --fill

With --fill, stores submissions (with their readings) in a campaign of its own until it holds N, in bulk
batches, with the values a campaign has: most accepted, the rest rejected or waiting with their reasons, read
amounts near the typed ones, merchants, a few moderators, a participant for every five uploads. Then writes a
CSV and an XLSX export of every row to a temporary file, each in a child process of its own, and prints rows,
seconds and the child's peak resident memory over what it held before the export started (VmHWM is per
process: measured in the parent, the second export would inherit the first one's peak). Use PostgreSQL for
the production figure (`make bench-exports`); the rows are kept for the next run.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from tqdm import tqdm

from promo.models import Campaign, Participant, Recognition, Submission
from promo.reasons import reason
from promo.transitions import codes_column

BENCH_SLUG = "bench-exports"
Status = Submission.Status
MERCHANTS = (
    "PYATEROCHKA 1432",
    "MAGNIT MM ZVEZDA",
    "LENTA-112",
    'ООО "Ромашка"',
    "AUCHAN KHIMKI",
    "VKUSVILL 0217",
    "PEREKRESTOK",
    "DIXY 77051",
)
PAYMENT_SYSTEMS = ("VISA", "MASTERCARD", "MIR", "")


class Command(BaseCommand):
    help = "Benchmark submission exports (CSV and XLSX) of N rows: seconds and peak memory growth."

    def add_arguments(self, parser):
        parser.add_argument(
            "--n", type=int, default=100_000, help="rows in the bench campaign (default 100000)"
        )
        parser.add_argument("--fill", action="store_true", help="store rows until the bench campaign holds N")
        parser.add_argument("--batch", type=int, default=10_000)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument(
            "--formats", default="csv,xlsx", help="which exports to time, comma-separated (default csv,xlsx)"
        )
        parser.add_argument(
            "--campaign",
            help="export this campaign as it is (e.g. one seed_demo_traffic filled) instead of the bench campaign",
        )
        # Internal: the child process that runs one export and reports on stdout as JSON.
        parser.add_argument("--child", choices=("csv", "xlsx"), help="(internal) run one export and report")

    def handle(self, *args, n, fill, batch, seed, formats, child, campaign, **options):
        slug = campaign or BENCH_SLUG
        if child:
            self.stdout.write(json.dumps(_run_one(child, slug)))
            return
        if campaign and fill:
            raise CommandError("--fill stores rows in the bench campaign only: drop --campaign or --fill")
        campaign = Campaign.objects.filter(slug=slug).first() if campaign else _bench_campaign()
        if campaign is None:
            raise CommandError(f"no campaign {slug!r}")
        if fill:
            started = time.perf_counter()
            stored = _fill(campaign, n=n, batch=batch, seed=seed, progress=options["verbosity"] >= 1)
            seconds = time.perf_counter() - started
            self.stdout.write(f"fill: stored {stored} rows in {seconds:.1f} s")
        total = Submission.objects.filter(campaign=campaign).count()
        self.stdout.write(f"database: {connection.vendor}, rows in campaign {slug}: {total}")
        if total < n and slug == BENCH_SLUG:
            self.stdout.write(self.style.WARNING(f"the campaign holds {total} < {n} rows: run with --fill"))
        for name in [f.strip() for f in formats.split(",") if f.strip()]:
            if name not in ("csv", "xlsx"):
                raise CommandError(f"unknown format {name!r}")
            report = _in_child(name, slug)
            self.stdout.write(
                f"{name}: {report['rows']} rows in {report['seconds']:.1f} s "
                f"({report['rows'] / max(report['seconds'], 1e-9):,.0f} rows/s), "
                f"file {report['bytes'] / 1e6:.1f} MB, peak RSS growth {report['peak_growth_kb'] / 1024:.1f} MB "
                f"(RSS before {report['rss_before_kb'] / 1024:.1f} MB, peak {report['peak_kb'] / 1024:.1f} MB)"
            )


def _bench_campaign() -> Campaign:
    campaign, _ = Campaign.objects.get_or_create(
        slug=BENCH_SLUG,
        defaults={
            "name": "Bench exports",
            "starts_on": date(2026, 9, 1),
            "ends_on": date(2026, 11, 30),
            "timezone": "Asia/Yekaterinburg",
            "min_amount": Decimal("500.00"),
        },
    )
    return campaign


@contextmanager
def _created_at_settable():
    """bulk_create would stamp every row with now (auto_now_add); a campaign's uploads are spread over months."""
    field = Submission._meta.get_field("created_at")
    field.auto_now_add = False
    try:
        yield
    finally:
        field.auto_now_add = True


def _fill(campaign: Campaign, *, n: int, batch: int, seed: int, progress: bool) -> int:
    existing = Submission.objects.filter(campaign=campaign).count()
    if existing >= n:
        return 0
    rng = random.Random(f"{seed}-{existing}")
    moderators = [
        get_user_model().objects.get_or_create(username=f"bench-moderator-{i}", defaults={"is_staff": True})[
            0
        ]
        for i in range(5)
    ]
    starts = datetime.combine(campaign.starts_on, dtime.min, tzinfo=campaign.tz)
    seconds_span = int((campaign.ends_at - campaign.starts_at).total_seconds())
    stored = 0
    with (
        _created_at_settable(),
        tqdm(total=n - existing, desc="storing submissions", unit="row", disable=not progress) as bar,
    ):
        while existing + stored < n:
            size = min(batch, n - existing - stored)
            # A participant for about every five uploads; contacts are unique across the database.
            people = [
                Participant(
                    contact=f"+7{rng.randrange(900_000_0000, 999_999_9999)}"
                    if rng.random() < 0.8
                    else f"bench{existing + stored + i}.{rng.getrandbits(32):x}@example.com",
                    contact_kind="phone",
                )
                for i in range(max(1, size // 5))
            ]
            for person in people:
                person.contact_kind = "email" if "@" in person.contact else "phone"
            with transaction.atomic():
                people = Participant.objects.bulk_create(people, batch_size=5000, ignore_conflicts=True)
                people = list(
                    Participant.objects.filter(contact__in=[p.contact for p in people]).only("pk")
                )  # ignore_conflicts leaves pks unset
                rows, readings = [], []
                for _ in range(size):
                    sent = starts + timedelta(seconds=rng.randrange(seconds_span))
                    row, reading = _row(campaign, rng, rng.choice(people), sent, moderators)
                    rows.append(row)
                    readings.append(reading)
                Submission.objects.bulk_create(rows, batch_size=5000)
                Recognition.objects.bulk_create(readings, batch_size=5000)
            stored += size
            bar.update(size)
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            for model in (Participant, Submission, Recognition):
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    return stored


def _row(
    campaign: Campaign, rng: random.Random, person: Participant, sent: datetime, moderators: list[Any]
) -> tuple[Submission, Recognition]:
    typed = (
        Decimal(rng.choice((rng.randrange(500, 5000), rng.randrange(500, 200_000))))
        + Decimal(rng.randrange(100)) / 100
    )
    read = typed
    typed_card = f"{rng.randrange(10_000):04d}"
    read_card = typed_card
    slip_day = sent.astimezone(campaign.tz).date() - timedelta(days=rng.choice((0, 0, 0, 1, 2)))
    roll = rng.random()
    decided_by = None
    decided_at = sent + timedelta(seconds=rng.randrange(5, 90))
    if roll < 0.70:
        status, reasons = Status.ACCEPTED, [reason("slip_matches")]
    elif roll < 0.78:
        status = Status.REJECTED
        read = typed + rng.choice((Decimal("200.00"), Decimal("-100.00"), Decimal("2.00")))
        reasons = [reason("amount_mismatch", read=read, typed=typed)]
    elif roll < 0.83:
        status = Status.REJECTED
        read_card = f"{(int(typed_card) + 1) % 10_000:04d}"
        reasons = [reason("card_mismatch", read=read_card, typed=typed_card)]
    elif roll < 0.87:
        status, reasons = Status.REJECTED, [reason("duplicate_photo")]
    elif roll < 0.93:
        status = rng.choice((Status.ACCEPTED, Status.REJECTED))
        decided_by = rng.choice(moderators)
        decided_at = sent + timedelta(minutes=rng.randrange(5, 480))
        if status == Status.ACCEPTED:
            reasons = [reason("moderator_accepted"), reason("low_confidence", field="amount")]
        else:
            reasons = [
                reason("moderator_rejected", note="не тот чек"),
                reason("low_confidence", field="date"),
            ]
    elif roll < 0.99:
        status, decided_at = Status.MODERATION, None
        reasons = [reason("low_confidence", field=rng.choice(("amount", "date", "card_last4")))]
    else:
        status = Status.REVOKED
        decided_by = rng.choice(moderators)
        decided_at = sent + timedelta(days=rng.randrange(1, 20))
        reasons = [reason("moderator_revoked", note="fraud")]
    row = Submission(
        campaign=campaign,
        participant_id=person.pk,
        photo="bench/none.jpg",
        photo_sha256=f"{rng.getrandbits(256):064x}",
        typed_amount=typed,
        typed_card_last4=typed_card,
        status=status,
        reasons=reasons,
        reason_codes=codes_column(reasons),
        created_at=sent,
        decided_at=decided_at,
        decided_by=decided_by,
        consent_version="1",
        consent_at=sent,
    )
    reading = Recognition(
        submission=row,
        campaign=campaign,
        engine="bench",
        kind="slip",
        kind_confidence=0.95,
        amount=read,
        date=slip_day,
        time=dtime(rng.randrange(8, 23), rng.randrange(60)),
        card_last4=read_card,
        payment_system=rng.choice(PAYMENT_SYSTEMS),
        merchant=rng.choice(MERCHANTS),
        rrn=f"{rng.randrange(10**12):012d}",
        fields={},
    )
    return row, reading


def _in_child(name: str, slug: str) -> dict[str, Any]:
    """One export in a fresh process: its VmHWM starts at what Django and the imports take, not at the
    parent's (or a previous export's) peak."""
    result = subprocess.run(
        [
            sys.executable,
            str(settings.BASE_DIR / "manage.py"),
            "bench_exports",
            "--child",
            name,
            "--campaign",
            slug,
        ],
        capture_output=True,
        text=True,
        check=False,
        env=os.environ.copy(),
    )
    if result.returncode != 0:
        raise CommandError(f"the {name} export failed:\n{result.stderr[-4000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise CommandError(f"/proc/self/status has no {field} (Linux only)")


def _reset_peak() -> None:
    """Resets VmHWM to the current RSS (Linux 4.0+), so the peak read afterwards is the export's alone."""
    # Without it the peak may include what the imports took; still one process per export.
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _run_one(name: str, slug: str) -> dict[str, Any]:
    from reports.exports import ExportFilters, export_write

    campaign = Campaign.objects.get(slug=slug)
    filters = ExportFilters(campaign=campaign)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export.{name}"
        _reset_peak()
        rss_before = _status_kb("VmRSS")
        started = time.perf_counter()
        with path.open("wb") as handle:
            rows = export_write(filters=filters, fmt=name, out=handle)
        seconds = time.perf_counter() - started
        peak = _status_kb("VmHWM")
        size = path.stat().st_size
    return {
        "rows": rows,
        "seconds": seconds,
        "bytes": size,
        "rss_before_kb": rss_before,
        "peak_kb": peak,
        "peak_growth_kb": peak - rss_before,
    }
