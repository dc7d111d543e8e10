"""One attempt at a submission: claim it, read its photo, decide (promo.decisions), all under the worker's claim.

Failures are sorted by whether another attempt may help. A time limit, the database or storage going away: the
claim is handed back and the task retries after a backoff (RetryLater), until the attempts run out and a person
reads it. An error the photo itself causes (recognition raising on it) would only repeat: the submission goes
to moderation at once. Either way the reason says what happened.
"""

from __future__ import annotations

import logging
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction

from promo import faults
from promo.decisions import submission_decide
from promo.duplicates import hash_columns, photo_hash
from promo.jobs import MAX_ATTEMPTS, Claim, failure, failure_kind, job_claim, job_give_up, job_release
from promo.models import Recognition, Submission
from promo.reasons import reason
from promo.transitions import TransitionNotAllowed, submission_transition
from recognition.cards import mask_card_numbers
from recognition.engines import get_rapid_engine
from recognition.images import load_photo
from recognition.pipeline import recognize

logger = logging.getLogger(__name__)

Status = Submission.Status

# Worth another attempt: the clock (a soft time limit), the database, storage (files or object storage over the
# network). Anything else raised while reading a photo is the photo's doing and would repeat.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    SoftTimeLimitExceeded,
    OperationalError,
    InterfaceError,
    OSError,
)


class RetryLater(Exception):
    """This attempt failed for a reason that may pass; the claim was handed back for a later one."""


def describe(error: BaseException) -> str:
    """An error as a moderator reads it (promo.jobs.failure); masked, since an exception's text may quote what
    was read."""
    if isinstance(error, SoftTimeLimitExceeded):
        return failure("time_limit", f"reading took longer than {settings.SLIPCHECK_TASK_SOFT_TIME_LIMIT} s")
    text = mask_card_numbers(f"{type(error).__name__}: {error}", doubt=True)[0][:500]
    return failure("transient" if isinstance(error, TRANSIENT_ERRORS) else "error", text)


def submission_process(*, submission_id: Any) -> Submission | None:
    """One attempt. Idempotent: a run that finds nothing to claim does nothing; a run whose claim was taken over
    writes nothing. Raises RetryLater when the attempt should be repeated after a backoff."""
    claim = job_claim(submission_id=submission_id)
    if claim is None:
        return None
    try:
        return _read_and_decide(claim)
    except TRANSIENT_ERRORS as error:
        return _attempt_failed(claim, error)
    except Exception as error:  # the photo's doing: a person reads it, never left in limbo
        logger.exception("processing failed for submission %s", claim.submission.pk)
        return _recognition_failed(claim, error)


def _read_and_decide(claim: Claim) -> Submission | None:
    submission = claim.submission
    with submission.photo.open("rb") as stored:
        pixels = load_photo(stored.read())  # the working copy, decoded once for the hash and the reading
    columns = hash_columns(photo_hash(pixels))
    # Stored before the slow reading, so a copy decided meanwhile already finds this photo.
    Submission.objects.filter(pk=submission.pk, claim_token=claim.token).update(**columns)
    for name, value in columns.items():
        setattr(submission, name, value)
    faults.inject(submission)
    campaign = submission.campaign
    years = tuple(range(campaign.starts_on.year, campaign.ends_on.year + 1))
    reading = recognize(pixels, engine=get_rapid_engine(settings.SLIPCHECK_OCR_THREADS), years=years)
    return submission_decide(claim=claim, reading=reading)


def _attempt_failed(claim: Claim, error: BaseException) -> Submission | None:
    """Hands the claim back for another attempt (RetryLater), or, on the last one, to a person."""
    what = describe(error)
    submission = claim.submission
    logger.warning("attempt %s of submission %s failed: %s", claim.attempt, submission.pk, what)
    try:
        if claim.attempt >= MAX_ATTEMPTS:
            submission.last_error = what
            if job_give_up(submission=submission, actor="worker", only_if={"claim_token": claim.token}):
                return submission
            raise TransitionNotAllowed("the claim is gone")
        job_release(claim=claim, error=what)
    except TransitionNotAllowed:
        logger.warning(
            "submission %s: claim of attempt %s lost before its failure was written",
            submission.pk,
            claim.attempt,
        )
        return None
    raise RetryLater(what) from error


def _recognition_failed(claim: Claim, error: BaseException) -> Submission | None:
    what = describe(error)
    submission = claim.submission
    try:
        with transaction.atomic():
            submission_transition(
                submission=submission,
                to=Status.MODERATION,
                actor="worker",
                note=f"could not be read automatically: {what}",
                reasons=[
                    reason(
                        "recognition_failed", attempts=claim.attempt, failure=failure_kind(what), error=what
                    )
                ],
                only_if={"claim_token": claim.token},
                changes={"last_error": what},
            )
            Recognition.objects.update_or_create(
                submission=submission,
                defaults={"campaign_id": submission.campaign_id, "engine": "", "kind": "", "error": what},
            )
    except TransitionNotAllowed:
        logger.warning(
            "late failure dropped: submission %s, attempt %s: %s", submission.pk, claim.attempt, what
        )
        return None
    return submission
