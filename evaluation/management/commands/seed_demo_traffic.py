"""`manage.py seed_demo_traffic --campaign SLUG --n 100000 [--seed S] [--days D] [--batch B] [--clear]`

Fills a campaign with demo submissions as the real code would have written them (evaluation.demo_traffic), so
the reports and the admin can be tried on a campaign's worth of figures. `--clear` first deletes the campaign's
demo rows, and only those.
"""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from evaluation.demo_traffic import (
    DEFAULT_BATCH,
    DemoTrafficError,
    demo_submissions,
    demo_traffic_clear,
    demo_traffic_seed,
)
from promo.models import Campaign
from reports.rollups import rollups_refresh


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


def not_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError(text)
    return value


class Command(BaseCommand):
    help = "Fill a campaign with realistic demo submissions in bulk (demo data: --clear removes it)."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True, help="the campaign's slug")
        parser.add_argument(
            "--n", type=not_negative, default=10_000, help="submissions to add (default 10000)"
        )
        parser.add_argument("--seed", type=int, default=1, help="the same seed gives the same rows")
        parser.add_argument(
            "--days",
            type=positive,
            default=None,
            help="spread over the last D days (default: the whole period)",
        )
        parser.add_argument("--batch", type=positive, default=DEFAULT_BATCH, help="rows per transaction")
        parser.add_argument(
            "--clear", action="store_true", help="delete the campaign's demo submissions first (only those)"
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the campaign already holds demo submissions (setup_demo seeds once)",
        )

    def handle(self, *args, campaign, n, seed, days, batch, clear, if_empty, verbosity, **options):
        found = Campaign.objects.filter(slug=campaign).first()
        if found is None:
            known = ", ".join(Campaign.objects.order_by("slug").values_list("slug", flat=True)[:20]) or "none"
            raise CommandError(f"no campaign with the slug {campaign!r} (campaigns: {known})")
        if clear:
            deleted = demo_traffic_clear(campaign=found, batch=batch)
            self.stdout.write(
                f"deleted {deleted} demo submissions of {found.slug} (report rollups: rebuilt when next read)"
            )
        if if_empty and demo_submissions(found).exists():
            self.stdout.write(f"{found.slug} already holds demo submissions: nothing added")
            return
        if not n:
            return
        with tqdm(
            total=n,
            desc=f"seeding {found.slug}",
            unit="row",
            disable=verbosity < 1 or not n,
            file=_raw(self.stderr),
        ) as bar:
            try:
                report = demo_traffic_seed(
                    campaign=found, n=n, seed=seed, days=days, batch=batch, progress=bar.update
                )
            except DemoTrafficError as error:
                raise CommandError(str(error)) from None
        self.stdout.write(
            f"{report.rows} submissions ({report.participants} new participants, {report.transitions} status "
            f"changes) in {report.seconds:.1f} s: {report.rows_per_second:,.0f} rows/s"
        )
        self.stdout.write("now: " + _counts(report.statuses))
        self.stdout.write("automatic decisions: " + _counts(report.auto_outcomes))
        # The rows carry times of the past, which the report's watermark does not see: rebuilt here, so the
        # first view of the report does not wait for it.
        rebuilt = rollups_refresh(campaign=found, rebuild=True)
        self.stdout.write(f"report rollups rebuilt in {rebuilt.seconds:.1f} s")


def _raw(stream):
    """The stream under Django's OutputWrapper(s), which would end every redraw of the bar with a newline."""
    while hasattr(stream, "_out"):
        stream = stream._out
    return stream


def _counts(counter) -> str:
    total = sum(counter.values()) or 1
    return ", ".join(f"{name} {count} ({count / total:.1%})" for name, count in counter.most_common())
