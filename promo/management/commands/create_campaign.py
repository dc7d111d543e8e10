"""`manage.py create_campaign SLUG --name NAME --starts YYYY-MM-DD --ends YYYY-MM-DD ...`, idempotent."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from promo.campaigns import campaign_create_or_update
from promo.decision import MIN_FIELD_CONFIDENCE, REJECT_CONFIDENCE
from promo.documents import DOCUMENTS, parse_documents


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {text}") from None


class Command(BaseCommand):
    help = "Create a campaign, or update it to these values if the slug exists."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--starts", required=True, type=iso_date, help="first day, YYYY-MM-DD")
        parser.add_argument("--ends", required=True, type=iso_date, help="last day (included), YYYY-MM-DD")
        parser.add_argument("--min-amount", default="0", help="minimum purchase amount, e.g. 500 or 499.99")
        parser.add_argument(
            "--payment-systems", default="", help="comma-separated, e.g. VISA,MASTERCARD; empty: any"
        )
        parser.add_argument("--timezone", default="Europe/Moscow")
        parser.add_argument("--currency", default="RUB")
        parser.add_argument(
            "--min-confidence", type=float, default=MIN_FIELD_CONFIDENCE, help="operating point, 0..1"
        )
        parser.add_argument(
            "--reject-confidence",
            type=float,
            default=REJECT_CONFIDENCE,
            help="a mismatching amount or card refuses only at this confidence or above, 0..1",
        )
        parser.add_argument("--max-per-day", type=int, help="accepted slips per participant per day")
        parser.add_argument("--max-per-campaign", type=int, help="accepted slips per participant")
        parser.add_argument(
            "--documents",
            help=f"comma-separated, any of {','.join(DOCUMENTS)} (default for a new campaign: slip; "
            "an existing one keeps its documents when this is left out)",
        )
        parser.add_argument(
            "--on-failure",
            default="",
            help="comma-separated code=reject|moderation over the defaults, e.g. amount_mismatch=moderation",
        )

    def handle(self, *args, **options):
        try:
            min_amount = Decimal(options["min_amount"].replace(",", "."))
        except InvalidOperation:
            raise CommandError(f"not an amount: {options['min_amount']}") from None
        systems = [s.strip().upper() for s in options["payment_systems"].split(",") if s.strip()]
        try:
            policy = dict(
                item.strip().split("=", 1) for item in options["on_failure"].split(",") if item.strip()
            )
        except ValueError:
            raise CommandError(
                f"--on-failure: expected code=action pairs, got {options['on_failure']}"
            ) from None
        documents = None
        if options["documents"] is not None:
            try:
                documents = parse_documents(options["documents"])
            except ValueError as error:
                raise CommandError(f"--documents: {error}") from None
        try:
            campaign, created = campaign_create_or_update(
                slug=options["slug"],
                name=options["name"],
                starts_on=options["starts"],
                ends_on=options["ends"],
                timezone=options["timezone"],
                min_amount=min_amount,
                payment_systems=systems,
                currency=options["currency"].upper(),
                min_confidence=options["min_confidence"],
                reject_confidence=options["reject_confidence"],
                max_accepted_per_day=options["max_per_day"],
                max_accepted_per_campaign=options["max_per_campaign"],
                failure_policy=policy,
                documents=documents,
            )
        except ValidationError as error:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
            ) from None
        verb = "created" if created else "updated"
        self.stdout.write(
            f"campaign {campaign.slug} {verb}: {campaign.starts_on} to {campaign.ends_on} ({campaign.timezone}), "
            f"documents {','.join(campaign.documents)}"
        )
