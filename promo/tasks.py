"""Celery tasks: ids in, one service call, nothing else."""

from celery import shared_task

from promo import privacy, services


@shared_task(name="promo.tasks.process_submission", ignore_result=True)
def process_submission(submission_id: str) -> None:
    services.submission_process(submission_id=submission_id)


@shared_task(name="promo.tasks.sweep_stuck_submissions", ignore_result=True)
def sweep_stuck_submissions() -> int:
    return len(services.submissions_requeue_stuck())


@shared_task(name="promo.tasks.apply_retention", ignore_result=True)
def apply_retention() -> int:
    return privacy.retention_apply()
