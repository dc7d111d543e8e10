"""Deciding a submission that was read: what was read is stored, compared with the campaign's other submissions
and with the participant's limits under the comparison lock (promo.locks), and the decision applied, all in one
transaction that counts only while the worker's claim is still its own (fencing).

The checks themselves are pure (promo.checks, promo.decision); this module gathers their facts from the
database and writes the outcome.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from promo.checks import run_checks
from promo.decision import Candidate, Decision, DuplicateMatch, Facts, FieldRead, decide, strongest
from promo.duplicates import (
    comparison_keys,
    find_same_file,
    find_same_photo,
    find_same_receipt,
    find_same_slip,
)
from promo.jobs import Claim
from promo.locks import comparison_lock
from promo.models import Recognition, Submission
from promo.repairs import repairs_column, repairs_relied_on
from promo.transitions import submission_transition
from recognition.fields.amount import open_tip_mark
from recognition.fields.card import masked_number_mark
from recognition.fields.rows import merge_rows
from recognition.fiscal_qr import REFUNDS
from recognition.pipeline import second_view
from recognition.refund import refund_mark
from recognition.serialize import field_to_dict, lines_from_list, lines_to_list
from recognition.types import Reading

logger = logging.getLogger(__name__)

Status = Submission.Status


class ClaimLost(Exception):
    """The worker's claim expired and the submission moved on: its result is dropped."""


def recognition_of(*, submission: Submission, reading: Reading) -> Recognition:
    """What was read, as the row it is stored as (not saved yet: the comparison keys come from it first)."""
    values = {name: reading.value(name) for name in reading.fields}
    fiscal = reading.fiscal
    return Recognition(
        submission=submission,
        campaign_id=submission.campaign_id,
        engine=reading.engine,
        kind=reading.kind,
        kind_confidence=reading.kind_confidence,
        amount=values["amount"],
        date=values["date"],
        time=values["time"],
        card_last4=values["card_last4"] or "",
        payment_system=values["payment_system"] or "",
        merchant=(values["merchant"] or "")[:255],
        rrn=values["rrn"] or "",
        auth_code=values["auth_code"] or "",
        terminal_id=values["terminal_id"] or "",
        fiscal_fn=fiscal.fn if fiscal else "",
        fiscal_i=fiscal.i if fiscal else "",
        fiscal_fp=fiscal.fp if fiscal else "",
        fiscal_operation=fiscal.operation if fiscal else None,
        fields={
            name: field_to_dict(field)
            | ({"box": reading.field_boxes[name]} if name in reading.field_boxes else {})
            for name, field in reading.fields.items()
        },
        lines=lines_to_list(reading),
        full_text=reading.full_text,
        timings_ms=reading.timings_ms,
        quality=reading.quality,
        error="",
    )


def recognition_store(recognition: Recognition) -> Recognition:
    """Saves a reading over whatever an earlier attempt left (at most one row per submission)."""
    Recognition.objects.filter(submission_id=recognition.submission_id).delete()
    recognition.save(force_insert=True)
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
    # In order of strength (promo.decision.strongest takes the first certain one): the fiscal QR names the
    # receipt itself, whatever the photo looks like or the OCR read.
    found = (
        find_same_receipt(submission, recognition),
        find_same_file(submission),
        find_same_photo(submission, recognition, min_confidence),
        find_same_slip(submission, recognition, min_confidence),
    )
    return tuple(match for match in found if match is not None)


def facts_of(*, submission: Submission, recognition: Recognition) -> Facts:
    """Everything the checks need; reads other submissions, so it runs under the comparison lock."""
    campaign = submission.campaign
    today = campaign.today()
    accepted = Submission.objects.filter(
        participant_id=submission.participant_id, campaign=campaign, status=Status.ACCEPTED
    )
    day_starts = datetime.combine(today, datetime.min.time(), tzinfo=campaign.tz)
    quality = recognition.quality or {}
    # Both engines' readings of every line (Tesseract reads the Cyrillic PP-OCR turns into look-alikes), and of
    # every printed row (`TIP` and its `5.00` are two boxes: the box alone would look like a blank tip line).
    printed = [
        text for line in recognition.lines for text in (line.get("text"), line.get("second_text")) if text
    ]
    lines = lines_from_list(recognition.lines)
    rows = [row.text for view in (lines, second_view(lines)) for row in merge_rows(view)]
    return Facts(
        typed_amount=submission.typed_amount,
        typed_card_last4=submission.typed_card_last4,
        today=today,
        kind=recognition.kind,
        kind_confidence=recognition.kind_confidence,
        amount=field_read_of(recognition, "amount"),
        card_last4=field_read_of(recognition, "card_last4"),
        date=field_read_of(recognition, "date"),
        payment_system=field_read_of(recognition, "payment_system"),
        photo_too_dark=bool(quality.get("too_dark")),
        photo_too_blurred=bool(quality.get("too_blurred")),
        full_card_number=submission.needs_redaction,
        refund=refund_mark(printed) or fiscal_refund_mark(recognition.fiscal_operation),
        masked_number=masked_number_mark(rows),
        open_tip=open_tip_mark(rows),
        duplicates=duplicates_of(submission=submission, recognition=recognition),
        accepted_today=accepted.filter(
            created_at__gte=day_starts, created_at__lt=day_starts + timedelta(days=1)
        ).count(),
        accepted_in_campaign=accepted.count(),
    )


def fiscal_refund_mark(operation: int | None) -> str:
    """The fiscal QR's operation, where it is a refund (`n=2` возврат прихода, `n=4` возврат расхода)."""
    return f"fiscal QR n={operation}" if operation in REFUNDS else ""


def _hold_claim(claim: Claim) -> None:
    """Inside the decision's transaction: the row is locked and still this worker's, or ClaimLost."""
    held = (
        Submission.objects.select_for_update()
        .filter(pk=claim.submission.pk, status=Status.PROCESSING, claim_token=claim.token)
        .exists()
    )
    if not held:
        raise ClaimLost(f"submission {claim.submission.pk}: the claim of attempt {claim.attempt} is gone")


def _redact(submission: Submission, reading: Reading) -> list[str]:
    """A photo showing a full card number: the working copy becomes its redacted copy and the original (which
    shows the number) goes; a moderator is asked to check. Returns the files to delete once this commits. The
    SHA-256 of the upload stays, so the same file sent again is still known."""
    obsolete = [submission.original.name] if submission.original.name else []
    if reading.redacted_photo is not None:
        old_working = submission.photo.name
        submission.photo.save(f"{submission.pk}.jpg", ContentFile(reading.redacted_photo), save=False)
        if old_working and old_working != submission.photo.name:
            obsolete.append(old_working)
    submission.original.name = ""
    submission.needs_redaction = True
    Submission.objects.filter(pk=submission.pk).update(
        needs_redaction=True, photo=submission.photo.name, original=""
    )
    return obsolete


def submission_decide(*, claim: Claim, reading: Reading) -> Submission | None:
    """Stores the reading, runs the checks and applies the decision, in one transaction under the comparison lock
    and the worker's claim. None when the claim was lost meanwhile (the result is dropped and logged)."""
    submission = claim.submission
    rules = submission.campaign.rules()
    recognition = recognition_of(submission=submission, reading=reading)
    written_file = ""
    obsolete: list[str] = []
    try:
        with comparison_lock(comparison_keys(submission, recognition)):
            _hold_claim(claim)
            if reading.full_card_number:
                before = submission.photo.name
                obsolete = _redact(submission, reading)
                written_file = submission.photo.name if submission.photo.name != before else ""
            recognition_store(recognition)
            facts = facts_of(submission=submission, recognition=recognition)
            decision: Decision = decide(run_checks(facts, rules), rules)
            match = strongest(facts.duplicates)
            duplicate = match.submission_id if match else None
            repairs = repairs_column(repairs_relied_on(checks=decision.checks, fields=recognition.fields))
            # updated_at: the repairs are a report figure (reports.rollups finds changed rows by it); the move
            # below writes it too, in this transaction.
            Submission.objects.filter(pk=submission.pk).update(
                checks=decision.checks, duplicate_of_id=duplicate, repairs=repairs, updated_at=timezone.now()
            )
            submission.checks, submission.duplicate_of_id, submission.repairs = (
                decision.checks,
                duplicate,
                repairs,
            )
            submission_transition(
                submission=submission,
                to=decision.status,
                actor="system",
                note=", ".join(r["code"] for r in decision.reasons),
                reasons=decision.reasons,
                only_if={"claim_token": claim.token},
            )
    except ClaimLost as lost:
        logger.warning("late result dropped: %s", lost)
        if written_file:
            submission.photo.storage.delete(written_file)
        return None
    except BaseException:
        if written_file:  # rolled back: the row still names the old file
            submission.photo.storage.delete(written_file)
        raise
    for name in obsolete:
        if submission.photo.storage.exists(name):
            submission.photo.storage.delete(name)
    return submission
