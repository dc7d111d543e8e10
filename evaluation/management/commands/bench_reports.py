"""How long does the campaign report page take on the server for an already-seeded campaign?

    python manage.py bench_reports --campaign SLUG [--runs 5] [--explain]
    python manage.py bench_reports --campaign bench-reports --fill 1000000   # PostgreSQL only: fill first

Renders the report page (reports.views.report_view, through the admin's wrapper) as a superuser with the
campaign's default period, `--runs` times after one warm-up, and prints min/median/max milliseconds and the
number of queries. The page reads the campaign's daily rollups (reports.rollups), refreshed as it renders: time
them fresh (`manage.py reports_rollup --campaign SLUG` first; the warm-up render does it too, rebuilding them after
`--fill`). `--explain` prints each of the page's queries with its EXPLAIN ANALYZE time and plan (to see
which indexes serve). `--fill N` stores N synthetic submissions with readings in bulk SQL (minutes for a
million), for trying the page at scale before `seed_demo_traffic` fills a campaign as people would; the mix
(channels, outcomes, repairs, waits) is plausible, not calibrated.
"""

import statistics
import time
from datetime import timedelta

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from promo.models import Campaign
from reports.models import ReportAccess
from reports.rollups import rollups_mark_stale
from reports.views import report_view

BENCH_USER = "bench-reports"


class Command(BaseCommand):
    help = (
        "Time the campaign report page (server side): min/median/max ms and queries, for a seeded campaign."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True, help="the campaign's slug")
        parser.add_argument("--runs", type=int, default=5)
        parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE each query (PostgreSQL)")
        parser.add_argument(
            "--fill",
            type=int,
            default=0,
            help="first store this many synthetic submissions (PostgreSQL only)",
        )
        parser.add_argument("--days", type=int, default=60, help="the filled campaign's length in days")

    def handle(self, *args, **options):
        user = self._superuser()
        if options["fill"]:
            if connection.vendor != "postgresql":
                raise CommandError("--fill writes PostgreSQL SQL: run it with DATABASE_URL=postgres://...")
            self._fill(options["campaign"], options["fill"], options["days"], user)
        campaign = Campaign.objects.filter(slug=options["campaign"]).first()
        if campaign is None:
            raise CommandError(f"no campaign {options['campaign']!r} (seed it, or use --fill N)")
        model_admin = admin.site._registry[ReportAccess]
        url = reverse("admin:reports_reportaccess_changelist")
        factory = RequestFactory(SERVER_NAME="127.0.0.1")

        def render():
            request = factory.get(url, {"campaign": campaign.pk})
            request.user = user
            response = report_view(model_admin, request)
            response.render()
            if response.status_code != 200:
                raise CommandError(f"the page answered {response.status_code}")
            return response

        render()  # warm-up: caches, connection, first reads from disk
        timings, queries = [], 0
        for _ in range(options["runs"]):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                render()
                timings.append((time.perf_counter() - started) * 1000)
            queries = len(captured)
        total = campaign.submissions.count()
        self.stdout.write(
            f"{campaign.slug}: {total} submissions; report page over {options['runs']} runs: "
            f"min {min(timings):.0f} ms, median {statistics.median(timings):.0f} ms, max {max(timings):.0f} ms; "
            f"{queries} queries"
        )
        if options["explain"]:
            self._explain(captured.captured_queries)

    def _superuser(self):
        user, _created = get_user_model().objects.get_or_create(
            username=BENCH_USER, defaults={"is_staff": True, "is_superuser": True}
        )
        return user

    def _explain(self, captured: list[dict]) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("--explain reads PostgreSQL plans")
        with connection.cursor() as cursor:
            for query in captured:
                sql = query["sql"]
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                plan = [row[0] for row in cursor.fetchall()]
                took = next((line for line in reversed(plan) if line.startswith("Execution Time")), "")
                self.stdout.write(f"\n-- {took}: {sql[:160]}")
                for line in plan:
                    if "Scan" in line or "Aggregate" in line or "Join" in line or "Sort" in line:
                        self.stdout.write(f"   {line.strip()[:150]}")

    def _fill(self, slug: str, n: int, days: int, user) -> None:
        """N submissions over `days` days ending yesterday, with readings; written by PostgreSQL itself."""
        today = timezone.localdate()
        starts_on = today - timedelta(days=days)
        campaign, _created = Campaign.objects.get_or_create(
            slug=slug,
            defaults={"name": f"Bench {slug}", "starts_on": starts_on, "ends_on": today + timedelta(days=30)},
        )
        people = max(1, n // 4)
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT setseed(0.42)")
            cursor.execute(
                """
                INSERT INTO promo_participant (contact, contact_kind, created_at)
                SELECT 'bench-' || %(campaign)s || '-' || g || '-' || (SELECT count(*) FROM promo_participant),
                       'phone', now()
                FROM generate_series(1, %(people)s) g
                RETURNING id
                """,
                {"campaign": campaign.pk, "people": people},
            )
            ids = [row[0] for row in cursor.fetchall()]
            cursor.execute(FILL_SUBMISSIONS, {
                "campaign": campaign.pk, "n": n, "first": min(ids), "people": len(ids),
                "start": starts_on, "days": days, "user": user.pk,
            })  # fmt: skip
            cursor.execute(FILL_RECOGNITIONS, {"campaign": campaign.pk})
        rollups_mark_stale(
            campaign_id=campaign.pk
        )  # rows of the past: the warm-up render rebuilds the rollups
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE promo_submission")
            cursor.execute("ANALYZE promo_recognition")
        self.stdout.write(
            f"filled {campaign.slug} with {n} submissions of {people} participants since {starts_on:%Y-%m-%d} "
            f"in {time.perf_counter() - started:.0f} s (VACUUM ANALYZE promo_submission before timing index-only "
            "scans)"
        )


# One row per submission: created over the period with a daytime peak; channels 70% page, 25% API, 3% batch, 2%
# unknown; the machine accepts 72%, rejects 13%, sends 15% to moderation; people overturn a few of each; the
# repairs at the seed case's rates (date masks 2%, 6/8 3%, card tail 1%, payment system 3% of all submissions);
# a JSON of checks and reasons as wide as real ones.
FILL_SUBMISSIONS = """
INSERT INTO promo_submission (
    id, photo, original, original_format, photo_sha256, typed_amount, typed_card_last4, status, reasons,
    reason_codes, created_at, updated_at, decided_at, attempts, campaign_id, decided_by_id, participant_id, checks,
    needs_redaction, consent_version, consent_at, last_error, waiting_since, auto_decided_at, auto_outcome, channel,
    moderation_wait, repairs, photo_phash, phash_band0, phash_band1, phash_band2, phash_band3
)
SELECT
    gen_random_uuid(),
    'submissions/bench/2026/10/01/' || md5(g::text || 'p') || '.jpg', '', 'JPEG',
    md5(g::text) || md5(g::text || 'x'),
    round((100 + 9900 * power(r_amount, 3))::numeric, 2), lpad((g %% 10000)::text, 4, '0'),
    CASE
        WHEN auto = 'accepted' AND r_person < 0.01 THEN 'revoked'
        WHEN auto = 'accepted' AND r_person < 0.02 THEN 'rejected'
        WHEN auto = 'accepted' THEN 'accepted'
        WHEN auto = 'rejected' AND r_person < 0.05 THEN 'accepted'
        WHEN auto = 'rejected' THEN 'rejected'
        WHEN r_person < 0.02 THEN 'moderation'
        WHEN r_person < 0.62 THEN 'accepted'
        ELSE 'rejected'
    END,
    '[{"code": "slip_matches", "details": {}}]'::jsonb,
    CASE WHEN auto = 'rejected' THEN (ARRAY[' amount_mismatch ', ' card_mismatch ', ' date_after_end ',
        ' duplicate_photo ', ' not_a_slip ', ' amount_mismatch card_mismatch '])[1 + floor(r_repair * 6)::int]
        ELSE '' END,
    created, created + interval '1 minute', created + interval '40 seconds', 1, %(campaign)s,
    CASE WHEN (auto = 'accepted' AND r_person < 0.02) OR (auto = 'rejected' AND r_person < 0.05)
              OR (auto = 'moderation' AND r_person >= 0.02) THEN %(user)s END,
    %(first)s + floor(power(r_who, 1.5) * %(people)s)::int,
    '[{"check": "document", "outcome": "pass", "code": "", "details": {}, "evidence": {"kind": "slip"}},
      {"check": "amount", "outcome": "pass", "code": "", "details": {}, "evidence": {"read": "1234.50"}},
      {"check": "date", "outcome": "pass", "code": "", "details": {}, "evidence": {"read": "2026-10-02"}},
      {"check": "card_last4", "outcome": "pass", "code": "", "details": {}, "evidence": {"read": "4821"}},
      {"check": "duplicates", "outcome": "pass", "code": "", "details": {}, "evidence": {}}]'::jsonb,
    false, '1', created, '',
    CASE WHEN auto = 'moderation' AND r_person < 0.02 THEN now() - r_wait * interval '3 hours' END,
    created + (2 + 20 * power(r_wait, 4)) * interval '1 second',
    auto,
    CASE WHEN r_channel < 0.70 THEN 'page' WHEN r_channel < 0.95 THEN 'api' WHEN r_channel < 0.98 THEN 'batch'
         ELSE '' END,
    CASE WHEN (auto = 'moderation' AND r_person >= 0.02) OR (auto = 'accepted' AND r_person BETWEEN 0.01 AND 0.02)
              OR (auto = 'rejected' AND r_person < 0.05)
         THEN power(r_wait, 2) * interval '4 hours' END,
    CASE WHEN auto <> 'accepted' THEN ''
         WHEN r_repair < 0.028 THEN ' date_mask_repaired '
         WHEN r_repair < 0.070 THEN ' amount_digit_repaired '
         WHEN r_repair < 0.084 THEN ' card_tail_search '
         WHEN r_repair < 0.126 THEN ' payment_system_fuzzy '
         ELSE '' END,
    (random() * 9e18)::bigint, (random() * 65535)::int, (random() * 65535)::int, (random() * 65535)::int,
    (random() * 65535)::int
FROM (
    SELECT g,
        %(start)s::date::timestamptz + floor(r.day * %(days)s) * interval '1 day'
            + (7 + 16 * power(r.hour, 0.8)) * interval '1 hour' AS created,
        r.amount AS r_amount, r.person AS r_person, r.repair AS r_repair, r.wait AS r_wait, r.who AS r_who,
        r.channel AS r_channel,
        CASE WHEN r.outcome < 0.72 THEN 'accepted' WHEN r.outcome < 0.85 THEN 'rejected' ELSE 'moderation' END
            AS auto
    FROM generate_series(1, %(n)s) g,
    LATERAL (SELECT random() AS day, random() AS hour, random() AS channel, random() AS outcome,
                    random() AS person, random() AS repair, random() AS wait, random() AS who,
                    random() AS amount, g AS seed) r
) s
"""

# A reading for each submission: its amount, a payment system and one of 300 merchants (a few big ones), and
# the lines' text as long as a slip's.
FILL_RECOGNITIONS = """
INSERT INTO promo_recognition (
    submission_id, campaign_id, engine, kind, kind_confidence, amount, date, time, card_last4, payment_system,
    merchant, rrn, auth_code, terminal_id, fiscal_fn, fiscal_i, fiscal_fp, fields, lines, full_text, timings_ms,
    quality, error, created_at
)
SELECT s.id, s.campaign_id, 'bench', 'slip', 0.95, s.typed_amount, s.created_at::date, '12:00', s.typed_card_last4,
    (ARRAY['visa', 'mastercard', 'mir', 'mir', 'mir', 'unionpay', ''])[1 + floor(random() * 7)::int],
    'Магазин ' || floor(power(random(), 3) * 300)::int, '', '', '', '', '', '',
    '{"amount": {"value": "1234.50", "confidence": 0.93, "rules": []}}'::jsonb, '[]'::jsonb,
    repeat('ООО РОМАШКА ИНН 7700000000 ОПЛАТА КАРТОЙ ', 8), '{}'::jsonb, '{}'::jsonb, '', s.created_at
FROM promo_submission s
WHERE s.campaign_id = %(campaign)s
  AND NOT EXISTS (SELECT 1 FROM promo_recognition r WHERE r.submission_id = s.id)
"""
