"""How fast are the duplicate lookups with N stored slips, and do they find the copies?

    python manage.py bench_dedupe --n 1000000

Stores N accepted submissions in a throwaway campaign of the configured database (use PostgreSQL for the
production figure: `make bench-dedupe`), each with a random 64-bit photo hash and a reading (date in a quarter,
amounts crowded on round figures, minute, card, RRN). Then times `promo.duplicates.similar_photos` for hashes
within PHASH_MAX_DISTANCE of stored ones (recall) and for absent hashes, and the whole lookup a decision makes
(`promo.decisions.duplicates_of`: the same file, photo and slip) for copies of stored slips and for new ones,
with the comparison locks it takes first (promo.locks); then deletes what it stored.
"""

import random
import statistics
import time
import uuid
from datetime import date, timedelta
from datetime import time as dtime
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from promo.decisions import duplicates_of
from promo.duplicates import PHASH_MAX_DISTANCE, comparison_keys, hash_columns, similar_photos
from promo.locks import comparison_lock
from promo.models import Campaign, Participant, Recognition, Submission


class Command(BaseCommand):
    help = "Benchmark the indexed perceptual-hash lookup: p50/p95 time and recall with N stored hashes."

    def add_arguments(self, parser):
        parser.add_argument("--n", type=int, default=100_000, help="stored hashes (default 100000)")
        parser.add_argument("--queries", type=int, default=1000, help="lookups of each kind (default 1000)")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--batch", type=int, default=20_000)
        parser.add_argument("--keep", action="store_true", help="leave the stored rows (for repeated runs)")
        parser.add_argument(
            "--distribution",
            choices=("skewed", "uniform"),
            default="skewed",
            help="skewed (default): bits biased as measured on photos, which lengthens candidate lists",
        )

    def handle(self, *args, n, queries, seed, batch, keep, distribution, **options):
        rng = random.Random(seed)
        draw = _skewed_hash if distribution == "skewed" else lambda r: r.getrandbits(64)
        campaign, participant = self._fixtures()
        stored: list[tuple[uuid.UUID, int]] = []
        existing = Submission.objects.filter(campaign=campaign).count()
        started = time.perf_counter()
        with tqdm(total=n, desc="storing hashes", unit="row", disable=options["verbosity"] < 1) as bar:
            while existing + len(stored) < n:
                rows, readings = [], []
                for _ in range(min(batch, n - existing - len(stored))):
                    value = draw(rng)
                    row = Submission(
                        campaign=campaign,
                        participant=participant,
                        photo="bench/none.jpg",
                        photo_sha256=f"{rng.getrandbits(256):064x}",
                        typed_amount=Decimal("100.00"),
                        typed_card_last4="0000",
                        status=Submission.Status.ACCEPTED,
                        **hash_columns(value),
                    )
                    rows.append(row)
                    readings.append(Recognition(submission=row, campaign=campaign, **_slip_values(rng)))
                    stored.append((row.pk, value))
                with transaction.atomic():
                    Submission.objects.bulk_create(rows, batch_size=5000)
                    Recognition.objects.bulk_create(readings, batch_size=5000)
                bar.update(len(rows))
        if stored:
            self.stdout.write(f"stored {len(stored)} rows in {time.perf_counter() - started:.0f} s")
        if connection.vendor == "postgresql":
            # What autovacuum does after a bulk of inserts: statistics, and the visibility map that lets the
            # lookups read the band indexes alone.
            # (VACUUM cannot run inside a transaction, e.g. a test's: statistics alone there.)
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            with connection.cursor() as cursor:
                cursor.execute(f"{command} {Submission._meta.db_table}")
                cursor.execute(f"{command} {Recognition._meta.db_table}")
        if not stored:  # rows of an earlier --keep run: sample them
            sample = Submission.objects.filter(campaign=campaign).order_by("?")[:queries]
            stored = [(pk, h) for pk, h in sample.values_list("pk", "photo_phash")]

        # The lookups draw from a generator of their own: with --keep nothing is stored this run, and the storing
        # generator would replay the stored slips as "new" ones.
        rng = random.Random(f"{seed}-lookups")
        near_times, found, candidates_seen = [], 0, []
        for pk, value in tqdm(
            rng.sample(stored, min(queries, len(stored))),
            desc="near copies",
            disable=options["verbosity"] < 1,
        ):
            value %= 1 << 64
            flips = rng.randint(0, PHASH_MAX_DISTANCE)
            for bit in rng.sample(range(64), flips):
                value ^= 1 << bit
            t = time.perf_counter()
            matches = similar_photos(campaign.pk, value)
            near_times.append((time.perf_counter() - t) * 1000)
            found += any(match == pk for match, _ in matches)
            candidates_seen.append(len(matches))
        absent_times = []
        for _ in range(queries):
            t = time.perf_counter()
            similar_photos(campaign.pk, draw(rng))
            absent_times.append((time.perf_counter() - t) * 1000)

        copy_times, new_times, lock_times, caught, false_matches = [], [], [], 0, 0
        other = Participant.objects.get_or_create(contact="bench-dedupe-2@example.invalid", defaults={"contact_kind": "email"})[0]  # fmt: skip
        sampled = rng.sample(stored, min(queries, len(stored)))
        originals = Recognition.objects.in_bulk([pk for pk, _ in sampled], field_name="submission_id")
        for pk, value in tqdm(sampled, desc="decisions", disable=options["verbosity"] < 1):
            original = originals[pk]
            copy = _probe(campaign, other, rng, value % (1 << 64))
            reading = Recognition(
                campaign=campaign, fields=original.fields,
                **{name: getattr(original, name) for name in ("amount", "date", "time", "card_last4", "rrn", "auth_code")},
            )  # fmt: skip
            elapsed, matches = _timed_decision_lookup(copy, reading, lock_times)
            copy_times.append(elapsed)
            caught += any(match.certain for match in matches)  # the sampled row, or a slip stored twice
            fresh = _probe(campaign, other, rng, draw(rng))
            elapsed, matches = _timed_decision_lookup(
                fresh, Recognition(campaign=campaign, **_slip_values(rng)), lock_times
            )
            new_times.append(elapsed)
            false_matches += any(match.certain for match in matches)

        total = Submission.objects.filter(campaign=campaign).count()
        self.stdout.write(f"database: {connection.vendor}, stored hashes in the campaign: {total}")
        self.stdout.write(f"near copies (0..{PHASH_MAX_DISTANCE} bits flipped): {_summary(near_times)}")
        self.stdout.write(f"absent hashes: {_summary(absent_times)}")
        self.stdout.write(
            f"recall on near copies: {found}/{len(near_times)} = {found / max(len(near_times), 1):.1%}"
        )
        self.stdout.write(
            f"matches returned per near-copy lookup: median {statistics.median(candidates_seen or [0])}, "
            f"max {max(candidates_seen or [0])}"
        )
        self.stdout.write(
            f"decision lookup (same file, photo and slip), copies of stored slips: {_summary(copy_times)}"
        )
        self.stdout.write(f"decision lookup, new slips: {_summary(new_times)}")
        self.stdout.write(f"comparison locks taken and released: {_summary(lock_times)}")
        self.stdout.write(
            f"copies caught: {caught}/{len(copy_times)} = {caught / max(len(copy_times), 1):.1%}"
        )
        self.stdout.write(f"new slips taken for copies: {false_matches}/{len(new_times)}")
        if not keep:
            Recognition.objects.filter(campaign=campaign)._raw_delete(Recognition.objects.db)
            deleted = Submission.objects.filter(campaign=campaign)._raw_delete(Submission.objects.db)
            campaign.delete()
            self.stdout.write(f"deleted {deleted} rows")

    def _fixtures(self) -> tuple[Campaign, Participant]:
        campaign, _ = Campaign.objects.get_or_create(
            slug="bench-dedupe",
            defaults={
                "name": "bench_dedupe (throwaway)",
                "starts_on": "2026-01-01",
                "ends_on": "2026-12-31",
                "is_active": False,
            },
        )
        participant, _ = Participant.objects.get_or_create(
            contact="bench-dedupe@example.invalid", defaults={"contact_kind": "email"}
        )
        return campaign, participant


# Photo phashes are not uniform: on generated slip photos 2-3 bits of every 16-bit band took one value in >= 90%
# of photos, which made band candidate lists ~30x longer than for uniform bits. Three bits per band biased 92/8.
_BIASED_BITS = {
    bit: 0.92 if bit % 2 else 0.08
    for band in range(4)
    for bit in (band * 16 + 3, band * 16 + 8, band * 16 + 13)
}


def _skewed_hash(rng: random.Random) -> int:
    value = 0
    for bit in range(64):
        if rng.random() < _BIASED_BITS.get(bit, 0.5):
            value |= 1 << bit
    return value


# Amounts crowd on round figures (a coffee, a fuel fill-up): half of the slips take one of 200 of them, which is
# what makes the same-day-and-amount probe return many candidates.
_ROUND_AMOUNTS = [Decimal(f"{n * 50}.00") for n in range(1, 201)]
_COMPARED = ("date", "time", "amount", "card_last4", "rrn", "auth_code")


def _slip_values(rng: random.Random) -> dict:
    amount = (
        rng.choice(_ROUND_AMOUNTS) if rng.random() < 0.5 else Decimal(rng.randrange(100, 2_000_000)) / 100
    )
    return {
        "engine": "bench",
        "kind": "slip",
        "date": date(2026, 1, 1) + timedelta(days=rng.randrange(90)),
        "time": dtime(rng.randrange(8, 23), rng.randrange(60)),
        "amount": amount,
        "card_last4": f"{rng.randrange(10_000):04}",
        "rrn": f"{rng.randrange(10**12):012}",
        "auth_code": f"{rng.randrange(10**6):06}",
        "fields": {name: {"confidence": 0.95} for name in _COMPARED},
    }


def _probe(campaign: Campaign, participant: Participant, rng: random.Random, value: int) -> Submission:
    """An upload being decided (not stored: the lookup only reads), with its photo hash a few bits from `value`."""
    for bit in rng.sample(range(64), rng.randint(0, PHASH_MAX_DISTANCE)):
        value ^= 1 << bit
    submission = Submission(
        id=uuid.uuid4(), campaign=campaign, participant=participant, photo_sha256=f"{rng.getrandbits(256):064x}",
        typed_amount=Decimal("1"), typed_card_last4="0000", status=Submission.Status.PROCESSING, **hash_columns(value),
    )  # fmt: skip
    submission.created_at = timezone.now()
    return submission


def _timed_decision_lookup(submission: Submission, reading: Recognition, lock_times: list[float]):
    """Milliseconds of the comparison locks plus the lookup a decision makes under them, and what it found."""
    started = time.perf_counter()
    with comparison_lock(comparison_keys(submission, reading)):
        lock_times.append((time.perf_counter() - started) * 1000)
        matches = duplicates_of(submission=submission, recognition=reading)
    return (time.perf_counter() - started) * 1000, matches


def _summary(times: list[float]) -> str:
    if not times:
        return "no lookups"
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"p50 {statistics.median(ordered):.2f} ms, p95 {p95:.2f} ms, max {ordered[-1]:.2f} ms ({len(ordered)} lookups)"
