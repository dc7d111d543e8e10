"""Workflows that change submissions. Views, serializers, tasks and admin actions call these and nothing else."""

import logging
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from promo.checks import run_checks
from promo.contacts import normalize_contact
from promo.decision import MIN_FIELD_CONFIDENCE, Candidate, Decision, DuplicateMatch, Facts, FieldRead, decide
from promo.duplicates import find_same_file, find_same_photo, find_same_slip, hash_columns, photo_hash
from promo.intake import IntakePhoto
from promo.models import Campaign, Participant, Recognition, StatusTransition, Submission
from promo.reasons import reason
from recognition.cards import mask_card_numbers
from recognition.engines import get_rapid_engine
from recognition.images import load_photo
from recognition.pipeline import recognize
from recognition.serialize import field_to_dict, lines_to_list
from recognition.types import Reading

logger = logging.getLogger(__name__)

Status = Submission.Status


class TransitionNotAllowed(Exception):
    """A submission was asked to move along an edge its state machine does not have (or someone moved it first)."""


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
) -> Submission:
    """Stores a photo that passed intake (working copy and stripped original under server-chosen names) and
    enqueues its processing once the row is committed (a worker must see it)."""
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
                submission=submission, from_status="", to_status=Status.RECEIVED, actor="participant"
            )
            transaction.on_commit(lambda: submission_enqueue(submission_id=submission.id))
    except BaseException:
        submission_delete_files(submission=submission)  # no row points at them: nothing else would
        raise
    return submission


def submission_create_from_input(*, campaign: Campaign, data: Mapping[str, Any]) -> Submission:
    """For validated input of the API, the upload page and submit_batch, which all name the fields alike."""
    return submission_create(
        campaign=campaign,
        contact=data["contact"],
        photo=data["photo"],
        typed_amount=data["amount"],
        typed_card_last4=data["card_last4"],
        consent_version=campaign.rules_version,
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


def submission_enqueue(*, submission_id: Any) -> None:
    from promo.tasks import process_submission  # tasks import services; the cycle is broken here

    process_submission.delay(str(submission_id))


def submission_transition(
    *,
    submission: Submission,
    to: str,
    actor: str,
    user: Any = None,
    note: str = "",
    reasons: list[dict[str, Any]] | None = None,
) -> Submission:
    """Moves a submission along its state machine, atomically and only from the state it was read in."""
    if not submission.can_move_to(to):
        raise TransitionNotAllowed(f"{submission.status} -> {to} is not allowed")
    now = timezone.now()
    changes: dict[str, Any] = {"status": to, "updated_at": now}
    if to in Submission.FINAL or to == Status.MODERATION:
        changes["decided_at"] = now
    if to in Submission.FINAL:
        changes["decided_by"] = user
    if to == Status.PROCESSING:
        changes["processing_started_at"] = now
    if reasons is not None:
        changes["reasons"] = reasons
    with transaction.atomic():
        moved = Submission.objects.filter(pk=submission.pk, status=submission.status).update(**changes)
        if not moved:
            raise TransitionNotAllowed(f"submission {submission.pk} is no longer {submission.status}")
        StatusTransition.objects.create(
            submission=submission,
            from_status=submission.status,
            to_status=to,
            actor=actor,
            user=user,
            note=note,
        )
    for name, value in changes.items():
        setattr(submission, name, value)
    return submission


def submission_claim(*, submission_id: Any) -> Submission | None:
    """Takes a received submission for processing; None when another worker has it or it is done."""
    submission = Submission.objects.select_related("campaign").filter(pk=submission_id).first()
    if submission is None or submission.status != Status.RECEIVED:
        return None
    try:
        submission_transition(submission=submission, to=Status.PROCESSING, actor="worker")
    except TransitionNotAllowed:
        return None
    Submission.objects.filter(pk=submission.pk).update(attempts=submission.attempts + 1)
    return submission


def submission_process(*, submission_id: Any) -> Submission | None:
    """Reads the photo and decides. Idempotent: a second run finds nothing to claim and does nothing."""
    submission = submission_claim(submission_id=submission_id)
    if submission is None:
        return None
    try:
        with submission.photo.open("rb") as stored:
            pixels = load_photo(stored.read())  # the working copy, decoded once for the hash and the reading
        submission_store_photo_hash(submission=submission, photo=pixels)
        campaign = submission.campaign
        years = tuple(range(campaign.starts_on.year, campaign.ends_on.year + 1))
        reading = recognize(pixels, engine=get_rapid_engine(settings.SLIPCHECK_OCR_THREADS), years=years)
    except Exception as error:  # any failure to read still ends in the moderation queue, never in limbo
        logger.exception("recognition failed for submission %s", submission.pk)
        Recognition.objects.update_or_create(
            submission=submission,
            # An exception's text may quote what was read: masked like everything else that is kept.
            defaults={
                "engine": "",
                "kind": "",
                "error": mask_card_numbers(f"{type(error).__name__}: {error}", doubt=True)[0],
            },
        )
        return submission_transition(
            submission=submission,
            to=Status.MODERATION,
            actor="worker",
            reasons=[reason("recognition_failed")],
        )
    recognition = recognition_save(submission=submission, reading=reading)
    return submission_decide(submission=submission, recognition=recognition)


def submission_store_photo_hash(*, submission: Submission, photo: np.ndarray) -> None:
    """Stored before the slow reading, so a copy uploaded a moment later already finds it."""
    columns = hash_columns(photo_hash(photo))
    Submission.objects.filter(pk=submission.pk).update(**columns)
    for name, value in columns.items():
        setattr(submission, name, value)


def submission_replace_photo(*, submission: Submission, photo: bytes | None) -> None:
    """A photo showing a full card number: the working copy is replaced by its redacted copy, the original (which
    shows the number) is deleted, and a moderator is asked to check. The SHA-256 of the upload stays, so the same
    file sent again is still known."""
    working = submission.photo.name
    if photo is not None:
        submission.photo.save(f"{submission.pk}.jpg", ContentFile(photo), save=False)
    original = submission.original.name
    submission.original.name = ""
    Submission.objects.filter(pk=submission.pk).update(
        needs_redaction=True, photo=submission.photo.name, original=""
    )
    submission.needs_redaction = True
    if original and submission.original.storage.exists(original):
        submission.original.storage.delete(original)
    if photo is not None and working and working != submission.photo.name:
        submission.photo.storage.delete(working)


def recognition_save(*, submission: Submission, reading: Reading) -> Recognition:
    if reading.full_card_number:
        submission_replace_photo(submission=submission, photo=reading.redacted_photo)
    values = {name: reading.value(name) for name in reading.fields}
    recognition, _ = Recognition.objects.update_or_create(
        submission=submission,
        defaults={
            "engine": reading.engine,
            "kind": reading.kind,
            "kind_confidence": reading.kind_confidence,
            "amount": values["amount"],
            "date": values["date"],
            "time": values["time"],
            "card_last4": values["card_last4"] or "",
            "payment_system": values["payment_system"] or "",
            "merchant": (values["merchant"] or "")[:255],
            "rrn": values["rrn"] or "",
            "auth_code": values["auth_code"] or "",
            "terminal_id": values["terminal_id"] or "",
            "fields": {name: field_to_dict(field) for name, field in reading.fields.items()},
            "lines": lines_to_list(reading),
            "full_text": reading.full_text,
            "timings_ms": reading.timings_ms,
            "quality": reading.quality,
            "error": "",
        },
    )
    return recognition


_PARSERS: dict[str, Callable[[Any], Any]] = {
    "amount": Decimal,
    "date": date.fromisoformat,
    "card_last4": str,
    "payment_system": str,
}


def field_read_of(recognition: Recognition, name: str) -> FieldRead:
    """A field's candidates as stored (values as JSON) turned back into values the checks compare."""
    parse = _PARSERS[name]
    stored_field = recognition.fields.get(name, {})
    candidates = []
    for stored in stored_field.get("candidates") or [stored_field]:
        if stored.get("value") in (None, ""):
            continue
        candidates.append(
            Candidate(parse(stored["value"]), float(stored["confidence"]), tuple(stored.get("unsure", ())))
        )
    return FieldRead(tuple(candidates))


def duplicates_of(*, submission: Submission, recognition: Recognition) -> tuple[DuplicateMatch, ...]:
    min_confidence = submission.campaign.min_confidence
    found = (
        find_same_file(submission),
        find_same_photo(submission, recognition, min_confidence),
        find_same_slip(submission, recognition, min_confidence),
    )
    return tuple(match for match in found if match is not None)


def facts_of(*, submission: Submission, recognition: Recognition) -> Facts:
    campaign = submission.campaign
    today = campaign.today()
    accepted = Submission.objects.filter(
        participant_id=submission.participant_id, campaign=campaign, status=Status.ACCEPTED
    )
    day_starts = datetime.combine(today, datetime.min.time(), tzinfo=campaign.tz)
    quality = recognition.quality or {}
    return Facts(
        typed_amount=submission.typed_amount,
        typed_card_last4=submission.typed_card_last4,
        today=today,
        kind=recognition.kind,
        amount=field_read_of(recognition, "amount"),
        card_last4=field_read_of(recognition, "card_last4"),
        date=field_read_of(recognition, "date"),
        payment_system=field_read_of(recognition, "payment_system"),
        photo_too_dark=bool(quality.get("too_dark")),
        photo_too_blurred=bool(quality.get("too_blurred")),
        full_card_number=submission.needs_redaction,
        duplicates=duplicates_of(submission=submission, recognition=recognition),
        accepted_today=accepted.filter(
            created_at__gte=day_starts, created_at__lt=day_starts + timedelta(days=1)
        ).count(),
        accepted_in_campaign=accepted.count(),
    )


def submission_decide(*, submission: Submission, recognition: Recognition) -> Submission:
    """Runs the checks and applies the decision to a submission being processed; stores every check's result.

    The participant's row is locked while counting their accepted slips, so two uploads decided at once cannot
    both pass a limit of one.
    """
    rules = submission.campaign.rules()
    with transaction.atomic():
        Participant.objects.select_for_update().filter(pk=submission.participant_id).first()
        facts = facts_of(submission=submission, recognition=recognition)
        decision: Decision = decide(run_checks(facts, rules), rules)
        duplicate = facts.duplicates[0].submission_id if facts.duplicates else None
        Submission.objects.filter(pk=submission.pk).update(checks=decision.checks, duplicate_of_id=duplicate)
        submission.checks, submission.duplicate_of_id = decision.checks, duplicate
        return submission_transition(
            submission=submission,
            to=decision.status,
            actor="system",
            note=", ".join(r["code"] for r in decision.reasons),
            reasons=decision.reasons,
        )


def submissions_requeue_stuck(*, older_than: timedelta | None = None) -> list[str]:
    """The database is the source of truth: work a lost message or a dead worker left behind is enqueued again.

    A duplicate message is harmless: the claim lets one worker through and the others find nothing to do.
    """
    cutoff = timezone.now() - (older_than or timedelta(seconds=settings.SLIPCHECK_STUCK_AFTER_SECONDS))
    stuck = list(
        Submission.objects.filter(status=Status.RECEIVED, updated_at__lt=cutoff).values_list("id", flat=True)
    )
    for submission in Submission.objects.filter(status=Status.PROCESSING, processing_started_at__lt=cutoff):
        try:
            submission_transition(
                submission=submission, to=Status.RECEIVED, actor="sweep", note="worker lost"
            )
        except TransitionNotAllowed:
            continue  # finished meanwhile
        stuck.append(submission.pk)
    for submission_id in stuck:
        submission_enqueue(submission_id=submission_id)
    return [str(submission_id) for submission_id in stuck]


def campaign_create_or_update(
    *,
    slug: str,
    name: str,
    starts_on: date,
    ends_on: date,
    timezone: str = "Europe/Moscow",
    min_amount: Decimal = Decimal("0"),
    payment_systems: list[str] | None = None,
    currency: str = "RUB",
    min_confidence: float = MIN_FIELD_CONFIDENCE,
    max_accepted_per_day: int | None = None,
    max_accepted_per_campaign: int | None = None,
    failure_policy: dict[str, str] | None = None,
) -> tuple[Campaign, bool]:
    """Idempotent: running it twice with the same values changes nothing. Validates like the admin does."""
    campaign = Campaign.objects.filter(slug=slug).first()
    created = campaign is None
    campaign = campaign or Campaign(slug=slug)
    campaign.name = name
    campaign.starts_on = starts_on
    campaign.ends_on = ends_on
    campaign.timezone = timezone
    campaign.min_amount = min_amount
    campaign.payment_systems = payment_systems or []
    campaign.currency = currency
    campaign.min_confidence = min_confidence
    campaign.max_accepted_per_day = max_accepted_per_day
    campaign.max_accepted_per_campaign = max_accepted_per_campaign
    campaign.failure_policy = failure_policy or {}
    campaign.full_clean()
    campaign.save()
    return campaign, created
