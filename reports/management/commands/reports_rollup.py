"""`manage.py reports_rollup [--campaign SLUG] [--rebuild]`: brings the campaign report's daily rollups up to date.

Without --campaign, every campaign. A refresh recomputes only the days whose submissions changed since the last
one (reports.rollups); --rebuild recomputes every day (after a bulk load that bypassed the watermark, say). The
page and the periodic task refresh by themselves: this is for operators and benchmarks. Prints what it did and
how long it took.
"""

from django.core.management.base import BaseCommand, CommandError

from promo.models import Campaign
from reports.rollups import rollups_refresh


class Command(BaseCommand):
    help = "Refresh (or --rebuild) the campaign report's daily rollups of one campaign or all."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", help="the campaign's slug (default: every campaign)")
        parser.add_argument(
            "--rebuild", action="store_true", help="recompute every day, not just changed ones"
        )

    def handle(self, *args, campaign, rebuild, **options):
        campaigns = Campaign.objects.order_by("pk")
        if campaign:
            campaigns = campaigns.filter(slug=campaign)
            if not campaigns.exists():
                raise CommandError(f"no campaign with the slug {campaign!r}")
        for found in campaigns:
            done = rollups_refresh(campaign=found, rebuild=rebuild)
            what = (
                "rebuilt" if done.rebuilt else f"{done.sent_days} days sent, {done.decided_days} days decided"
            )
            self.stdout.write(f"{found.slug}: {what} in {done.seconds:.2f} s")
