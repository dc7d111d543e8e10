"""Celery tasks of the reports app: ids in, one service call (reports.exports, reports.rollups), nothing else.

export_build is acknowledged only when done and given back if its worker dies; the claim in the row (a
conditional UPDATE with an attempts counter) makes a redelivered message a no-op, and the sweep sends again
what a lost message or a dead worker left behind.
"""

import dataclasses

from celery import shared_task
from django.conf import settings

from reports import exports, rollups


@shared_task(
    name=exports.EXPORT_TASK,
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.SLIPCHECK_EXPORT_SOFT_TIME_LIMIT,
    time_limit=settings.SLIPCHECK_EXPORT_TIME_LIMIT,
)
def export_build(job_id: str) -> None:
    exports.export_job_build(job_id=job_id)


@shared_task(name="reports.tasks.sweep_exports", ignore_result=True)
def sweep_exports() -> dict[str, int]:
    return dataclasses.asdict(exports.exports_sweep())


@shared_task(name="reports.tasks.refresh_rollups", ignore_result=True)
def refresh_rollups() -> list[dict[str, object]]:
    """The report's rollups of running campaigns, kept fresh so the page rarely has anything to recompute."""
    return [dataclasses.asdict(done) for done in rollups.rollups_refresh_active()]
