"""`manage.py setup_demo`: the demo campaign and an admin user, so `make run` shows a working site; the first time,
a few thousand demo submissions too, so the reports and the queue have something to show."""

import secrets
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from promo.campaigns import campaign_create_or_update

DEMO_SLUG = "demo"
# Demo submissions seeded once (evaluation's seed_demo_traffic, called by name: promo does not import tooling).
# Measured on SQLite: about 2 s for 3,000 (setup_demo: 5 s instead of 3.4 s the first time).
DEMO_TRAFFIC = 3_000


class Command(BaseCommand):
    help = "Create (or refresh) the demo campaign around today and an admin user; print the credentials."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument(
            "--traffic",
            type=int,
            default=DEMO_TRAFFIC,
            help=f"demo submissions to seed when the campaign has none yet (default {DEMO_TRAFFIC})",
        )
        parser.add_argument("--no-traffic", action="store_true", help="seed no demo submissions")

    def handle(self, *args, **options):
        today = timezone.localdate()
        campaign, _ = campaign_create_or_update(
            slug=DEMO_SLUG,
            name="Slipcheck demo",
            starts_on=today - timedelta(days=90),
            ends_on=today + timedelta(days=90),
        )
        password = self.ensure_admin(options["username"])
        if options["traffic"] > 0 and not options["no_traffic"]:
            call_command(
                "seed_demo_traffic",
                campaign=campaign.slug,
                n=options["traffic"],
                if_empty=True,
                verbosity=options["verbosity"],
                stdout=self.stdout,
                stderr=self.stderr,
            )
        self.stdout.write(
            f"Demo campaign: {campaign.name} ({campaign.starts_on} to {campaign.ends_on}), /c/{campaign.slug}/"
        )
        self.stdout.write(
            f"Admin: http://127.0.0.1:8000/admin/  user: {options['username']}  password: {password}"
        )

    def ensure_admin(self, username: str) -> str:
        """A password is made once and kept in var/ (not in git); a password the user changed is not touched."""
        credentials = Path(settings.VAR_DIR) / "admin-password.txt"
        user_model = get_user_model()
        user = user_model.objects.filter(username=username).first()
        if user is None:
            password = secrets.token_urlsafe(12)
            user_model.objects.create_superuser(username=username, email="", password=password)
            credentials.parent.mkdir(parents=True, exist_ok=True)
            credentials.write_text(password)
            credentials.chmod(0o600)
            return password
        if credentials.exists() and user.check_password(credentials.read_text().strip()):
            return credentials.read_text().strip()
        return f"(changed by you; reset with: python manage.py changepassword {username})"
