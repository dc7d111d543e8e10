"""The job of reading a submission: sent to the queue, claimed by one worker at a time, tried a bounded number of
times, and swept up when a message, a worker or the broker was lost.

The database is the source of truth, the queue only a wake-up call: a submission records when it was last
enqueued, how many attempts it had, and the claim (a token and a deadline) of the worker reading it. A claim is
taken in one conditional UPDATE; a worker writes its result only while the claim is still its own, so a worker
that wakes up after its claim expired and the job moved on has its result dropped (promo.processing). After
MAX_ATTEMPTS the submission goes to a person, with what happened.

Tasks are sent by name through the Celery app (the worker registers them from promo.tasks): promo.tasks imports
the services, never the other way round.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import ChannelError, KombuError

from promo.models import Submission
from promo.reasons import reason
from promo.transitions import TransitionNotAllowed, submission_transition

logger = logging.getLogger(__name__)

Status = Submission.Status

PROCESS_TASK = "promo.tasks.process_submission"
# A photo that hung, crashed its worker or failed transiently this many times goes to a person.
MAX_ATTEMPTS = 3
# What a broker that is down or unreachable raises when a message is sent (kombu wraps most of it; a socket
# error can come through as it is).
BROKER_ERRORS: tuple[type[BaseException], ...] = (KombuError, OSError)
try:  # the Redis transport's own errors, where it is installed
    from redis.exceptions import RedisError

    BROKER_ERRORS += (RedisError,)
except ImportError:  # pragma: no cover - another broker
    pass


# What went wrong in an attempt is stored as "<kind>: <detail>" (Submission.last_error, the reason's details); the
# admin says the kind in the moderator's language and shows the detail as it is.
FAILURE_KINDS = ("worker_lost", "time_limit", "transient", "error")


def failure(kind: str, detail: str) -> str:
    return f"{kind}: {detail}"


def failure_kind(text: str) -> str:
    kind = text.partition(":")[0]
    return kind if kind in FAILURE_KINDS else "error"


@dataclass(frozen=True)
class Claim:
    """A worker's hold on a submission: its result counts only while the row still carries this token."""

    submission: Submission
    token: uuid.UUID
    attempt: int


@dataclass
class SweepReport:
    released: int = 0  # expired claims handed back (a dead or hung worker)
    enqueued: int = 0  # sent to the queue again
    not_enqueued: int = 0  # the broker refused: left for the next sweep
    moderated: int = 0  # out of attempts: sent to a person

    @property
    def touched(self) -> int:
        return self.released + self.enqueued + self.not_enqueued + self.moderated


def job_enqueue(*, submission_id: Any) -> bool:
    """Sends the submission to the workers and records when. False when the broker could not take it: the row
    stays as it is, and the sweep sends it once the broker is back. Never raises for a broker fault, so an
    upload is answered whatever state the broker is in."""
    try:
        current_app.tasks[PROCESS_TASK].apply_async(args=[str(submission_id)])
    except BROKER_ERRORS as error:
        logger.warning(
            "submission %s not enqueued (the sweep will): %s: %s", submission_id, type(error).__name__, error
        )
        return False
    Submission.objects.filter(pk=submission_id).update(enqueued_at=timezone.now())
    return True


def job_claim(*, submission_id: Any) -> Claim | None:
    """Takes a received submission for one attempt; None when it is not there to take (decided, or held by a
    worker whose claim has not expired). An expired claim is taken over; a submission out of attempts goes to
    moderation instead."""
    submission = Submission.objects.select_related("campaign").filter(pk=submission_id).first()
    if submission is None:
        return None
    now = timezone.now()
    if submission.status == Status.PROCESSING:
        if submission.claim_expires_at is None or submission.claim_expires_at > now:
            logger.info(
                "submission %s is held by another worker until %s", submission.pk, submission.claim_expires_at
            )
            return None
        if not job_release_expired(submission=submission, actor="worker", now=now):
            return None
    if submission.status != Status.RECEIVED:
        return None
    if submission.attempts >= MAX_ATTEMPTS:
        job_give_up(submission=submission, actor="worker")
        return None
    token = uuid.uuid4()
    try:
        submission_transition(
            submission=submission,
            to=Status.PROCESSING,
            actor="worker",
            note=f"attempt {submission.attempts + 1} of {MAX_ATTEMPTS}",
            only_if={"attempts": submission.attempts},
            changes={
                "claim_token": token,
                "claim_expires_at": now + timedelta(seconds=settings.SLIPCHECK_CLAIM_SECONDS),
                "attempts": F("attempts") + 1,
                "processing_started_at": now,
            },
        )
    except TransitionNotAllowed:
        return None  # another worker took it first
    submission.attempts += 1  # the UPDATE checked the count it started from
    return Claim(submission, token, submission.attempts)


def job_release(*, claim: Claim, error: str) -> Submission:
    """Gives the submission back after an attempt failed for a reason that may pass (a time limit, the database,
    storage); raises TransitionNotAllowed when the claim is no longer this worker's."""
    return submission_transition(
        submission=claim.submission,
        to=Status.RECEIVED,
        actor="worker",
        note=f"attempt {claim.attempt} failed: {error}",
        only_if={"claim_token": claim.token},
        # the worker sends it again itself, after a backoff (promo.tasks)
        changes={"last_error": error, "enqueued_at": timezone.now()},
    )


def job_release_expired(*, submission: Submission, actor: str, now: datetime) -> bool:
    """Hands back a submission whose worker let its claim expire (killed, crashed, hung past its hard limit)."""
    error = failure(
        "worker_lost", "its claim expired: the worker was killed, crashed or hung past its hard limit"
    )
    try:
        submission_transition(
            submission=submission,
            to=Status.RECEIVED,
            actor=actor,
            note=f"claim of attempt {submission.attempts} expired: {error}",
            only_if={"claim_token": submission.claim_token, "claim_expires_at__lt": now},
            changes={"last_error": error},
        )
    except TransitionNotAllowed:
        return False  # it finished, or someone else released it
    submission.last_error = error
    return True


def job_give_up(*, submission: Submission, actor: str, only_if: dict[str, Any] | None = None) -> bool:
    """Out of attempts: a person reads it. The reason says what happened (`submission.last_error`, written with
    the move), for the moderator."""
    error = submission.last_error or failure("error", "unknown")
    try:
        submission_transition(
            submission=submission,
            to=Status.MODERATION,
            actor=actor,
            note=f"could not be read automatically in {submission.attempts} attempts: {error}",
            reasons=[
                reason(
                    "recognition_failed",
                    attempts=submission.attempts,
                    failure=failure_kind(error),
                    error=error,
                )
            ],
            only_if=only_if,
            changes={"last_error": error},
        )
    except TransitionNotAllowed:
        return False
    logger.warning(
        "submission %s sent to moderation after %s attempts: %s", submission.pk, submission.attempts, error
    )
    return True


def queued_messages() -> int | None:
    """How many messages wait in the workers' queue; None when the broker cannot say (it is down)."""
    try:
        with current_app.connection_for_read() as connection:
            declared = connection.default_channel.queue_declare(
                queue=current_app.conf.task_default_queue, passive=True
            )
            return declared.message_count
    except ChannelError:  # the queue does not exist (yet, or any more): nothing waits in it
        return 0
    except BROKER_ERRORS:
        return None


def _messages_lost(received) -> int:
    """How many enqueued, unstarted submissions have no message in the queue (at most; a retry waiting out its
    backoff is held by a worker, not queued, and counts too). Every one of them when the broker cannot say."""
    enqueued = received.filter(enqueued_at__isnull=False).count()
    queued = queued_messages()
    return enqueued if queued is None else max(0, enqueued - queued)


def jobs_sweep(*, now: datetime | None = None, batch: int | None = None) -> SweepReport:
    """Finds the work a lost message, a dead worker or a broker outage left behind, a bounded batch at a time:
    claims that expired are handed back, and received submissions never enqueued, or enqueued longer ago than
    SLIPCHECK_REQUEUE_AFTER_SECONDS whose messages the queue lost, are sent again. Safe to run anywhere and twice
    at once: every step is a conditional UPDATE, and a duplicate message finds nothing to claim."""
    now = now or timezone.now()
    batch = batch or settings.SLIPCHECK_SWEEP_BATCH
    report = SweepReport()
    expired = Submission.objects.filter(status=Status.PROCESSING, claim_expires_at__lt=now)
    released = []
    for submission in expired.order_by("claim_expires_at")[:batch]:
        if job_release_expired(submission=submission, actor="sweep", now=now):
            released.append(submission)
    report.released = len(released)
    grace = now - timedelta(seconds=settings.SLIPCHECK_ENQUEUE_GRACE_SECONDS)
    overdue = now - timedelta(seconds=settings.SLIPCHECK_REQUEUE_AFTER_SECONDS)
    received = Submission.objects.filter(status=Status.RECEIVED).exclude(pk__in=[s.pk for s in released])
    never_enqueued = received.filter(enqueued_at__isnull=True, created_at__lt=grace).order_by("created_at")
    waiting = [*released, *never_enqueued[:batch]]
    # Enqueued long ago and not started: under a backlog their messages are still in the queue, and sending them
    # again would only swell it. As many are sent again as the queue is short of (messages lost with a broker
    # restart), the oldest first; when the broker cannot say, all of them.
    overdue_waiting = received.filter(enqueued_at__lt=overdue)
    if overdue_waiting.exists() and (lost := _messages_lost(received)):  # the broker is asked only then
        waiting += overdue_waiting.order_by("enqueued_at")[: min(batch, lost)]
    for submission in waiting:
        if submission.attempts >= MAX_ATTEMPTS:
            report.moderated += job_give_up(submission=submission, actor="sweep")
        elif job_enqueue(submission_id=submission.pk):
            report.enqueued += 1
        else:
            report.not_enqueued += 1
    if report.touched:
        logger.info(
            "sweep: %s expired claims released, %s enqueued, %s not enqueued (broker), %s sent to moderation",
            report.released, report.enqueued, report.not_enqueued, report.moderated,
        )  # fmt: skip
    return report
