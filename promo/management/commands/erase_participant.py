"""`manage.py erase_participant CONTACT [--note TEXT]`: a participant asked for their data to be erased.

Deletes every photo of theirs from storage, scrubs card digits and OCR text, anonymises the contact and leaves an
audit line (promo.models.Erasure) that names neither the contact nor anything read from the photos.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from promo.privacy import participant_erase


class Command(BaseCommand):
    help = "Erase a participant's photos and contact on their request (an audit line is kept)."

    def add_arguments(self, parser):
        parser.add_argument("contact", help="phone number or e-mail, as the participant gave it")
        parser.add_argument("--note", default="", help="e.g. the request's ticket number")
        parser.add_argument("--actor", default="erase_participant", help="who ran it, for the audit line")

    def handle(self, *args, **options):
        try:
            erasure = participant_erase(
                contact=options["contact"], actor=options["actor"], note=options["note"]
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if erasure is None:
            raise CommandError("no participant with this contact")
        self.stdout.write(
            f"erased: {erasure.submissions} submissions, {erasure.files_deleted} files deleted (erasure {erasure.pk})"
        )
