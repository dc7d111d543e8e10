"""Personal data has an end: photos and contacts are erased when a campaign's retention period is over, or when
a participant asks. Decisions, reason codes and the figures reports need (amount, date, payment system,
merchant, hashes a copy is still recognised by) are kept; every erasure leaves an audit line.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from promo.contacts import normalize_contact
from promo.models import Campaign, Erasure, Participant, Recognition, Submission
from promo.signals import submission_erased
from promo.submissions import submission_delete_files

logger = logging.getLogger(__name__)

# Said when a participant did not accept the rules, on the page and in the API.
CONSENT_REQUIRED = gettext_lazy("Accept the campaign rules and the processing of your data to take part.")
# Read fields that identify a card or a payment: erased with the photo.
IDENTIFYING_FIELDS = ("card_last4", "rrn", "auth_code", "terminal_id")
# One batch of the retention task: a campaign of a million submissions is erased over several runs.
RETENTION_BATCH = 500


def submission_erase(*, submission: Submission) -> int:
    """Deletes the photos and scrubs what identifies the card or the person; returns the files deleted."""
    deleted = submission_delete_files(submission=submission)
    Submission.objects.filter(pk=submission.pk).update(
        photo="",
        original="",
        typed_card_last4="",
        owner_hash="",  # which browser sent it (promo.owners): it links the person's uploads
        erased_at=timezone.now(),
        checks=[_scrubbed_check(check) for check in submission.checks],
        reasons=[_scrubbed_reason(stored) for stored in submission.reasons],
    )
    recognition = Recognition.objects.filter(submission=submission).first()
    if recognition is not None:
        recognition.fields = {
            name: field for name, field in recognition.fields.items() if name not in IDENTIFYING_FIELDS
        }
        recognition.lines = []
        recognition.full_text = ""
        for name in IDENTIFYING_FIELDS:
            setattr(recognition, name, "")
        recognition.save(update_fields=["fields", "lines", "full_text", *IDENTIFYING_FIELDS])
    submission_erased.send(sender=Submission, submission=submission)
    return deleted


def _scrubbed_check(check: dict[str, Any]) -> dict[str, Any]:
    """The check, its outcome and code stay; what it read and compared (card digits, contacts) goes."""
    return {key: check[key] for key in ("check", "outcome", "code") if key in check}


def identifies_a_card(reason_code: str) -> bool:
    """A reason about the card: what it says (the digits read and typed) goes with the personal data."""
    return reason_code.startswith("card")


def _scrubbed_reason(stored: dict[str, Any]) -> dict[str, Any]:
    code = stored.get("code", "")
    return {"code": code, "details": {} if identifies_a_card(code) else stored.get("details", {})}


def participant_anonymise(*, participant: Participant) -> None:
    """The contact becomes a token nobody can reach; the row stays, so limits and decisions still add up."""
    Participant.objects.filter(pk=participant.pk).update(
        contact=f"erased-{participant.pk}", erased_at=timezone.now()
    )


def participant_erase(*, contact: str, actor: str, user: Any = None, note: str = "") -> Erasure | None:
    """A participant's request: every submission's photos and card digits erased, the contact anonymised.

    None when no participant has this contact (nothing to erase, and nothing about the request is stored).
    """
    _, normalized = normalize_contact(contact)
    participant = Participant.objects.filter(contact=normalized).first()
    if participant is None:
        return None
    return participant_erase_by_id(participant=participant, actor=actor, user=user, note=note)


def participant_erase_by_id(
    *, participant: Participant, actor: str, user: Any = None, note: str = ""
) -> Erasure:
    submissions, files = 0, 0
    for submission in Submission.objects.filter(participant=participant, erased_at__isnull=True).iterator():
        files += submission_erase(submission=submission)
        submissions += 1
    with transaction.atomic():
        participant_anonymise(participant=participant)
        erasure = Erasure.objects.create(
            why=Erasure.Why.REQUEST,
            participant=participant,
            submissions=submissions,
            files_deleted=files,
            actor=actor,
            user=user,
            note=note,
        )
    logger.info(
        "erased participant %s on request: %d submissions, %d files", participant.pk, submissions, files
    )
    return erasure


def campaigns_due_for_retention(*, today: date | None = None) -> QuerySet[Campaign]:
    """Campaigns whose last day plus their retention period is past and that still hold personal data."""
    today = today or timezone.localdate()
    due = []
    for campaign in Campaign.objects.filter(personal_data_purged_at__isnull=True, ends_on__lt=today):
        if campaign.retention_ends_on < today:
            due.append(campaign.pk)
    return Campaign.objects.filter(pk__in=due)


def campaign_apply_retention(*, campaign: Campaign, batch: int = RETENTION_BATCH) -> int:
    """Erases up to `batch` submissions of a campaign past retention; marks it purged when none is left.

    Participants left with no unerased submission anywhere are anonymised. Returns the submissions erased.
    """
    pending = Submission.objects.filter(campaign=campaign, erased_at__isnull=True).order_by("created_at")
    submissions, files, participants = 0, 0, set()
    for submission in pending[:batch]:
        files += submission_erase(submission=submission)
        submissions += 1
        participants.add(submission.participant_id)
    for participant in Participant.objects.filter(pk__in=participants, erased_at__isnull=True):
        if not participant.submissions.filter(erased_at__isnull=True).exists():
            participant_anonymise(participant=participant)
    if submissions:
        Erasure.objects.create(
            why=Erasure.Why.RETENTION,
            campaign=campaign,
            submissions=submissions,
            files_deleted=files,
            actor="retention",
        )
    if not Submission.objects.filter(campaign=campaign, erased_at__isnull=True).exists():
        Campaign.objects.filter(pk=campaign.pk).update(personal_data_purged_at=timezone.now())
    return submissions


def retention_apply(*, today: date | None = None, batch: int = RETENTION_BATCH) -> int:
    """The periodic task's work: one batch per due campaign; the next run takes the next batch."""
    erased = 0
    for campaign in campaigns_due_for_retention(today=today):
        erased += campaign_apply_retention(campaign=campaign, batch=batch)
    if erased:
        logger.info("retention erased %d submissions", erased)
    return erased
