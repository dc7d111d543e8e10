"""`manage.py prize_draw announce|run|publish`: the prize draw from the command line (prizes/DRAW.md).

prize_draw announce CAMPAIGN NAME --from 2026-10-01 --to 2026-10-07 --winners 3 [--allow-repeat] [--seed S]
prize_draw run CAMPAIGN NAME [--allow-pending] [--by USERNAME]
prize_draw publish CAMPAIGN NAME [--output FILE]
"""

import json
from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from prizes.draws import DrawRefused, draw_announce, draw_run, published_record
from prizes.models import Draw
from promo.models import Campaign


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {text}") from None


class Command(BaseCommand):
    help = "Announce a prize draw's seed, run the draw once, or print its published record (JSON)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        announce = actions.add_parser(
            "announce", help="create a draw and announce its seed (before the period ends)"
        )
        run = actions.add_parser("run", help="draw the winners (once, after the period ends)")
        publish = actions.add_parser("publish", help="print the record to publish (verify_draw.py reads it)")
        for sub in (announce, run, publish):
            sub.add_argument("campaign", help="the campaign's slug")
            sub.add_argument("name", help="the draw's name")
            sub.add_argument("--by", help="the staff username to record as having done it")
        announce.add_argument("--from", dest="starts_on", required=True, type=iso_date, help="first day")
        announce.add_argument(
            "--to", dest="ends_on", required=True, type=iso_date, help="last day (included)"
        )
        announce.add_argument("--winners", required=True, type=int)
        announce.add_argument(
            "--allow-repeat", action="store_true", help="a participant may win more than once"
        )
        announce.add_argument("--seed", default="", help="empty: a random seed")
        run.add_argument("--allow-pending", action="store_true", help="run although some submissions wait")
        publish.add_argument("--output", help="write to this file instead of standard output")

    def handle(self, *args, action, campaign, name, by=None, **options):
        campaign_row = Campaign.objects.filter(slug=campaign).first()
        if campaign_row is None:
            raise CommandError(f"no campaign {campaign!r}")
        user = None
        if by:
            user = get_user_model().objects.filter(username=by, is_staff=True).first()
            if user is None:
                raise CommandError(f"no staff user {by!r}")
        try:
            if action == "announce":
                draw = draw_announce(
                    campaign=campaign_row,
                    name=name,
                    starts_on=options["starts_on"],
                    ends_on=options["ends_on"],
                    winners_count=options["winners"],
                    allow_repeat=options["allow_repeat"],
                    seed=options["seed"],
                    user=user,
                )
                self.stdout.write(json.dumps(published_record(draw), ensure_ascii=False, indent=1))
                return
            draw = Draw.objects.select_related("campaign").filter(campaign=campaign_row, name=name).first()
            if draw is None:
                raise CommandError(f"no draw {name!r} in {campaign!r}")
            if action == "run":
                draw = draw_run(draw=draw, user=user, allow_pending=options["allow_pending"])
                self.stdout.write(
                    f"{draw.entries_count} entries, {len(draw.published['winners'])} winners: "
                    + ", ".join(draw.published["winners"])
                )
                return
            text = json.dumps(published_record(draw), ensure_ascii=False, indent=1)
            if options["output"]:
                with open(options["output"], "w", encoding="utf-8") as file:
                    file.write(text + "\n")
            else:
                self.stdout.write(text)
        except DrawRefused as refused:
            raise CommandError(refused.message) from None
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
