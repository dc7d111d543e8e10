"""Storing an upload that passed intake: the participant, the submission row with its files, the first audit
line, and its job. The row is committed first and the job sent after, so a broker that is down loses nothing:
the upload is answered and the sweep sends the job later (promo.jobs)."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from promo.contacts import normalize_contact
from promo.idempotency import IdempotencyKeyReused, submission_for_key
from promo.intake import IntakePhoto
from promo.jobs import job_enqueue
from promo.models import Campaign, Participant, StatusTransition, Submission


def participant_get_or_create(*, contact: str) -> Participant:
    kind, normalized = normalize_contact(contact)
    participant, _ = Participant.objects.get_or_create(contact=normalized, defaults={"contact_kind": kind})
    return participant


def submission_create(
    *,
    campaign: Campaign,
    contact: str,
    photo: IntakePhoto,
    typed_amount: Decimal,
    typed_card_last4: str,
    consent_version: str,
    channel: str,
    idempotency_key: str = "",
    owner_hash: str = "",
) -> Submission:
    """Stores a photo that passed intake (working copy and stripped original under server-chosen names) and
    enqueues its processing once the row is committed (a worker must see it). An idempotency key already stored
    for the campaign raises IntegrityError, with this request's files deleted (see submission_create_once)."""
    participant = participant_get_or_create(contact=contact)
    submission = Submission(
        campaign=campaign,
        participant=participant,
        photo_sha256=photo.sha256,
        original_format=photo.original_format,
        typed_amount=typed_amount,
        typed_card_last4=typed_card_last4,
        consent_version=consent_version,
        consent_at=timezone.now(),
        channel=channel,
        idempotency_key=idempotency_key,
        owner_hash=owner_hash,
    )
    submission.photo.save(f"{submission.pk}.jpg", ContentFile(photo.working), save=False)
    if photo.original is not None:
        submission.original.save(
            f"{submission.pk}.{photo.original_extension}", ContentFile(photo.original), save=False
        )
    try:
        with transaction.atomic():
            submission.save(force_insert=True)
            StatusTransition.objects.create(
                submission=submission,
                from_status="",
                to_status=Submission.Status.RECEIVED,
                actor="participant",
            )
            transaction.on_commit(lambda: job_enqueue(submission_id=submission.id))
    except BaseException:
        submission_delete_files(submission=submission)  # no row points at them: nothing else would
        raise
    return submission


def submission_create_from_input(
    *,
    campaign: Campaign,
    data: Mapping[str, Any],
    channel: str,
    idempotency_key: str = "",
    owner_hash: str = "",
) -> Submission:
    """For validated input of the API, the upload page and submit_batch, which all name the fields alike."""
    return submission_create(
        campaign=campaign,
        contact=data["contact"],
        photo=data["photo"],
        typed_amount=data["amount"],
        typed_card_last4=data["card_last4"],
        consent_version=campaign.rules_version,
        channel=channel,
        idempotency_key=idempotency_key,
        owner_hash=owner_hash,
    )


def submission_delete_files(*, submission: Submission) -> int:
    """Deletes the working copy and the original from storage; how many files were there."""
    deleted = 0
    for field in (submission.photo, submission.original):
        if field.name:
            if field.storage.exists(field.name):
                field.storage.delete(field.name)
                deleted += 1
            field.name = ""
    return deleted


def submission_create_once(
    *, campaign: Campaign, data: Mapping[str, Any], channel: str, idempotency_key: str, owner_hash: str = ""
) -> tuple[Submission, bool]:
    """Like submission_create_from_input, for a request with an idempotency key (promo.idempotency):
    (submission, created). A simultaneous request that stored the key first wins the unique index; this one then
    answers with its submission when the input is the same, and raises IdempotencyKeyReused otherwise."""
    try:
        return submission_create_from_input(
            campaign=campaign,
            data=data,
            channel=channel,
            idempotency_key=idempotency_key,
            owner_hash=owner_hash,
        ), True
    except IntegrityError:
        _, contact = normalize_contact(data["contact"])
        first = submission_for_key(campaign=campaign, key=idempotency_key, contact=contact)
        if first is None:
            raise  # another constraint: a bug, not a race
    same = (
        first.photo_sha256 == data["photo"].sha256
        and first.typed_amount == data["amount"]
        and first.typed_card_last4 == data["card_last4"]
    )
    if not same:
        raise IdempotencyKeyReused(first)
    return first, False
