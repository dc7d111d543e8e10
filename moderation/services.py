"""Decisions by people: claims on the queue, approvals through promo's guards, rejections, requests for a better
photo, corrected fields, reopening and revocation. Every move goes through the state machine
(promo.transitions) and lands in the audit trail with who, when, from what to what and why.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from moderation.models import FieldCorrection, ReviewClaim
from moderation.outcomes import REJECT_CODES, WRITTEN
from promo.acceptance import CONFIRMABLE, GuardFailed, submission_accept_by_person
from promo.amounts import parse_typed_amount
from promo.models import Recognition, Submission
from promo.reasons import reason
from promo.transitions import TransitionNotAllowed, submission_transition
from recognition.payment_systems import PAYMENT_SYSTEMS

Status = Submission.Status
CLAIM_MINUTES = 5  # long enough for one look, short enough that a moderator who left frees the slip soon
__all__ = ["GuardFailed", "TransitionNotAllowed"]


class ClaimHeld(Exception):
    """Another moderator holds this submission now."""

    def __init__(self, claim: ReviewClaim):
        super().__init__(f"held by {claim.moderator} until {claim.expires_at:%H:%M:%S}")
        self.claim = claim


# --- claims -----------------------------------------------------------------------------------------------------


def claim_take(*, submission: Submission, moderator: Any, minutes: int = CLAIM_MINUTES) -> ReviewClaim:
    """Claims a submission for `minutes`, or extends the moderator's own claim; ClaimHeld when another
    moderator's claim is still running. An insert, or a conditional update of an expired or own claim: of two
    moderators racing, exactly one gets it (the unique row decides)."""
    now = timezone.now()
    expires = now + timedelta(minutes=minutes)
    free = Q(expires_at__lte=now) | Q(moderator=moderator)
    with transaction.atomic():
        if ReviewClaim.objects.filter(free, submission=submission).update(
            moderator=moderator, expires_at=expires, taken_at=now
        ):
            return ReviewClaim.objects.get(submission=submission)
        try:
            with transaction.atomic():
                return ReviewClaim.objects.create(
                    submission=submission, moderator=moderator, expires_at=expires, taken_at=now
                )
        except IntegrityError:
            pass
    raise ClaimHeld(ReviewClaim.objects.select_related("moderator").get(submission=submission))


def claim_release(*, submission: Submission, moderator: Any) -> None:
    ReviewClaim.objects.filter(submission=submission, moderator=moderator).delete()


def live_claims() -> QuerySet[ReviewClaim]:
    return ReviewClaim.objects.filter(expires_at__gt=timezone.now())


def claim_next(*, moderator: Any, queue: QuerySet[Submission]) -> Submission | None:
    """Claims the submission of `queue` (the moderator's, filtered) that waited longest and that nobody else
    holds. Tries a few in order: another moderator may take one between the read and the claim."""
    held_by_others = live_claims().filter(submission=OuterRef("pk")).exclude(moderator=moderator)
    waiting = queue.filter(status=Status.MODERATION).exclude(Exists(held_by_others))
    for submission in waiting.order_by("waiting_since", "created_at")[:20]:
        try:
            claim_take(submission=submission, moderator=moderator)
        except ClaimHeld:
            continue
        return submission
    return None


def _check_claim(submission: Submission, moderator: Any) -> None:
    """A decision needs the submission free or claimed by the one deciding."""
    claim = live_claims().select_related("moderator").filter(submission=submission).first()
    if claim is not None and claim.moderator_id != moderator.pk:
        raise ClaimHeld(claim)


def _settled(submission: Submission, moderator: Any) -> None:
    claim_release(submission=submission, moderator=moderator)


# --- outcomes ---------------------------------------------------------------------------------------------------


def corrections_of(submission: Submission) -> dict[str, str]:
    """The latest corrected value of each field."""
    return {c.field: c.value for c in FieldCorrection.objects.filter(submission=submission).order_by("id")}


def moderation_approve(
    *, submission: Submission, moderator: Any, note: str = "", justification: str = ""
) -> Submission:
    """Accepts through promo's guards (promo.acceptance): a failed guard raises GuardFailed unless a senior
    moderator (moderation.override_guards) gives a written justification."""
    _check_claim(submission, moderator)
    if submission.needs_redaction:
        raise ValidationError(_("Hide the card number first: confirm or redraw the redaction."))
    if justification.strip() and not moderator.has_perm("moderation.override_guards"):
        raise PermissionDenied("only a senior moderator may override a guard")
    previous = [r for r in submission.reasons if r["code"] not in ("slip_matches", "appealed")]
    accepted = submission_accept_by_person(
        submission=submission,
        user=moderator,
        reasons=[reason("moderator_accepted"), *previous],
        corrections=corrections_of(submission),
        note=note,
        justification=justification,
    )
    _settled(submission, moderator)
    return accepted


def moderation_reject(*, submission: Submission, moderator: Any, code: str, note: str = "") -> Submission:
    """Rejects with one of the usual reasons (moderation.outcomes), or a written one the participant reads."""
    if code not in REJECT_CODES:
        raise ValueError(f"unknown rejection reason: {code}")
    note = note.strip()
    if code == WRITTEN and not note:
        raise ValueError("a written reason needs its words")
    _check_claim(submission, moderator)
    details = {"note": note} if code == WRITTEN else {}
    rejected = submission_transition(
        submission=submission,
        to=Status.REJECTED,
        actor=moderator.get_username(),
        user=moderator,
        note=note or code,
        reasons=[reason(code, **details), *_earlier_reasons(submission)],
    )
    _settled(submission, moderator)
    return rejected


def moderation_ask_photo(*, submission: Submission, moderator: Any, note: str = "") -> Submission:
    """Closes the submission asking for a clearer photo of the same slip: the participant's own rejected
    uploads are never duplicates of their next one (promo.duplicates), so the new photo is judged afresh."""
    _check_claim(submission, moderator)
    asked = submission_transition(
        submission=submission,
        to=Status.REJECTED,
        actor=moderator.get_username(),
        user=moderator,
        note=note.strip() or "better_photo_needed",
        reasons=[reason("better_photo_needed", note=note.strip()), *_earlier_reasons(submission)],
    )
    _settled(submission, moderator)
    return asked


def _earlier_reasons(submission: Submission) -> list[dict[str, Any]]:
    """The automatic reasons, kept under a person's verdict for the record (the participant sees the first)."""
    return [
        r for r in submission.reasons if r["code"] not in ("slip_matches", "appealed", "moderator_reopened")
    ]


def moderation_correct(*, submission: Submission, moderator: Any, field: str, value: str) -> FieldCorrection:
    """A field the moderator read off the photo. Validated as the field's type; recorded, never edited; used by
    the guards when the submission is accepted and written by export_labels as ground truth."""
    if field not in CONFIRMABLE:
        raise ValidationError(f"not a field a moderator corrects: {field}")
    _check_claim(submission, moderator)
    value = normalized_field_value(field, value)
    read = Recognition.objects.filter(submission=submission).values_list(field, flat=True).first()
    return FieldCorrection.objects.create(
        submission=submission,
        field=field,
        read_value="" if read is None else str(read),
        value=value,
        moderator=moderator,
    )


def normalized_field_value(field: str, value: str) -> str:
    """The value in the form the Recognition column stores, or ValidationError saying what is wrong."""
    value = value.strip()
    if field == "amount":
        return f"{parse_typed_amount(value):.2f}"
    try:
        if field == "date":
            return date.fromisoformat(value).isoformat()
        if field == "time":
            return time.fromisoformat(value).strftime("%H:%M")
    except ValueError:
        raise ValidationError(_("Enter the date as 2026-10-31 and the time as 14:05.")) from None
    if field == "card_last4":
        if len(value) != 4 or not value.isdigit():
            raise ValidationError(_("Four digits."))
        return value
    if field == "payment_system":
        if value.upper() not in PAYMENT_SYSTEMS:
            raise ValidationError(_("One of: %(known)s.") % {"known": ", ".join(PAYMENT_SYSTEMS)})
        return value.upper()
    if not value or len(value) > 255:
        raise ValidationError(_("A name of 1 to 255 characters."))
    return value


# --- second looks -----------------------------------------------------------------------------------------------


def moderation_reopen(*, submission: Submission, moderator: Any, why: str) -> Submission:
    """Sends any decision back to the queue for another look (the reason is required and audited). An accepted
    submission in the queue no longer counts towards its participant's limits; a revoked one is a senior
    moderator's to reopen."""
    why = why.strip()
    if not why:
        raise ValidationError(_("Say why the decision is reopened."))
    if submission.status == Status.REVOKED and not moderator.has_perm("moderation.revoke_acceptance"):
        raise PermissionDenied("only a senior moderator may reopen a revocation")
    return submission_transition(
        submission=submission,
        to=Status.MODERATION,
        actor=moderator.get_username(),
        user=moderator,
        note=why,
        reasons=[reason("moderator_reopened"), *_earlier_reasons(submission)],
    )


def moderation_revoke(*, submission: Submission, moderator: Any, why: str) -> Submission:
    """Withdraws an acceptance (fraud found later): a senior moderator's act, with a written reason the
    participant reads. The participant's limit is freed at once: limits count accepted submissions only."""
    if not moderator.has_perm("moderation.revoke_acceptance"):
        raise PermissionDenied("only a senior moderator may revoke an acceptance")
    why = why.strip()
    if not why:
        raise ValidationError(_("Say why the acceptance is revoked."))
    return submission_transition(
        submission=submission,
        to=Status.REVOKED,
        actor=moderator.get_username(),
        user=moderator,
        note=why,
        reasons=[reason("moderator_revoked", note=why), *_earlier_reasons(submission)],
    )
