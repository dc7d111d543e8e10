"""Celery tasks: ids in, one service call, nothing else. Tasks import services; services send tasks by name.

process_submission is acknowledged only when done and given back if its worker dies (acks_late,
reject_on_worker_lost), has a soft limit that interrupts a reading and a hard one that kills it, and retries
transient failures with an exponential backoff; the claim and the attempts counter in the row (promo.jobs)
bound it, whatever the broker redelivers.
"""

import dataclasses
import random

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from promo import jobs, privacy, processing

# A database that went away, or an attempt handed back: tried again after a backoff.
RETRIED = (processing.RetryLater, OperationalError, InterfaceError)


def backoff(retries: int) -> float:
    """2, 4, 8 ... 120 s, each jittered down to half, so a fleet that failed together does not retry together."""
    return min(120, 2 ** (retries + 1)) * random.uniform(0.5, 1)


@shared_task(
    bind=True,
    name=jobs.PROCESS_TASK,
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.SLIPCHECK_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.SLIPCHECK_TASK_TIME_LIMIT,
    max_retries=8,  # beyond it the sweep takes over; the attempts counter in the row ends it anyway
)
def process_submission(self, submission_id: str) -> None:
    while True:
        try:
            processing.submission_process(submission_id=submission_id)
            return
        except RETRIED as error:
            if not self.request.is_eager:
                raise self.retry(exc=error, countdown=backoff(self.request.retries)) from error
            if not isinstance(error, processing.RetryLater):
                raise
            # In-process (the embedded default) there is no queue to come back through: the next attempt now.


@shared_task(name="promo.tasks.sweep_jobs", ignore_result=True)
def sweep_jobs() -> dict[str, int]:
    return dataclasses.asdict(jobs.jobs_sweep())


@shared_task(name="promo.tasks.apply_retention", ignore_result=True)
def apply_retention() -> int:
    return privacy.retention_apply()
