"""`manage.py export_labels DIR --campaign SLUG`: the photos moderators decided, with what they confirmed, as a
labelled set (docs/eval-format.md) that `evaluate_recognition DIR` scores. The rules are in moderation.labels."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from moderation.labels import LABELS_FILE, labels_export
from promo.models import Campaign


class Command(BaseCommand):
    help = (
        "Write the photos of a campaign's submissions decided by a moderator to DIR as <submission id>.jpg, and "
        "DIR/labels.jsonl (eval format) with only what the moderator confirmed: the amount and card of an "
        "acceptance, the fields a moderator corrected, the kind where the decision settles it; plus the keys "
        "submission, status and campaign. Photos awaiting redaction of a full card number or erased are never "
        "written; a photo whose file is missing is skipped and counted. DIR is created if missing; its "
        "labels.jsonl is replaced. Example: manage.py export_labels var/labels/autumn --campaign autumn"
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", metavar="DIR", help="folder to write (created if missing)")
        parser.add_argument("--campaign", required=True, metavar="SLUG", help="the campaign's slug")

    def handle(self, *args, **options):
        slug = options["campaign"]
        campaign = Campaign.objects.filter(slug=slug).first()
        if campaign is None:
            known = list(Campaign.objects.order_by("slug").values_list("slug", flat=True)[:20])
            raise CommandError(f"no campaign with slug {slug!r} (known: {', '.join(known) or 'none'})")
        folder = Path(options["folder"])
        if folder.exists() and not folder.is_dir():
            raise CommandError(f"{folder} exists and is not a folder")
        result = labels_export(campaign=campaign, folder=folder)
        self.stdout.write(f"{campaign.slug}: {result.summary()} -> {folder / LABELS_FILE}")
