"""Celery tasks of the webhooks app: ids in, one service call (webhooks.deliveries), nothing else."""

import dataclasses

from celery import shared_task
from django.conf import settings

from webhooks import deliveries


@shared_task(
    name=deliveries.DELIVER_TASK,
    ignore_result=True,
    soft_time_limit=settings.SLIPCHECK_WEBHOOKS_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.SLIPCHECK_WEBHOOKS_TASK_TIME_LIMIT,
)
def deliver(delivery_id: int) -> None:
    deliveries.delivery_attempt(delivery_id=delivery_id)


@shared_task(name="webhooks.tasks.sweep_deliveries", ignore_result=True)
def sweep_deliveries() -> dict[str, int]:
    return dataclasses.asdict(deliveries.deliveries_sweep())
