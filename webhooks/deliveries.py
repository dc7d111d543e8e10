"""Deliveries of decisions to the campaigns' endpoints: created with the decision, sent by a worker, retried with
exponential backoff for a day, resent on demand, swept up when a message or a worker was lost.

The database is the source of truth and the queue a wake-up call, as for photos (promo.jobs): a delivery is
claimed for one attempt with a conditional UPDATE (a token and a deadline), so two workers handed the same
message send it once, and a worker's result is written only while the claim is still its own. Retries are not
countdown messages (a broker may lose or redeliver those): a failed attempt sets `next_attempt_at`, and the
sweep sends what is due.

A decision never waits for a receiver: its transaction only inserts rows, and the message is sent after the
commit. Under eager Celery (the embedded default and the tests, where a message would run inline in the
deciding request) nothing is sent after the commit at all: the sweep sends it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from promo import extras
from promo.jobs import BROKER_ERRORS
from promo.models import Submission
from webhooks import signing, transport
from webhooks.models import Attempt, Delivery, Endpoint, new_secret
from webhooks.payloads import EVENT_DECIDED, erased_body, event_body

logger = logging.getLogger(__name__)

DELIVER_TASK = "webhooks.tasks.deliver"
USER_AGENT = "Slipcheck-Webhooks/1"
ENDPOINT_INACTIVE = "not sent: the endpoint is switched off"


def _seconds(name: str) -> timedelta:
    return timedelta(seconds=getattr(settings, name))


def retry_window() -> timedelta:
    return timedelta(hours=settings.SLIPCHECK_WEBHOOKS_RETRY_HOURS)


def backoff(attempts: int) -> timedelta:
    """After the n-th failed attempt: 1 minute, 2, 4, ... up to the cap (an hour by default)."""
    base = settings.SLIPCHECK_WEBHOOKS_BACKOFF_SECONDS
    return timedelta(
        seconds=min(base * 2 ** max(attempts - 1, 0), settings.SLIPCHECK_WEBHOOKS_MAX_BACKOFF_SECONDS)
    )


def sends_after_commit() -> bool:
    """False under eager Celery: the message would run the request in the deciding thread."""
    return not settings.CELERY_TASK_ALWAYS_EAGER


# --- created with the decision -------------------------------------------------------------------------------


def deliveries_create(
    *, submission: Submission, to_status: str, now: datetime | None = None
) -> list[Delivery]:
    """One delivery per active endpoint of the campaign that wants this status, in the caller's transaction (the
    move's): a rolled-back move leaves none, and sends nothing. A campaign without endpoints costs one query."""
    endpoints = [
        e
        for e in Endpoint.objects.filter(campaign_id=submission.campaign_id, is_active=True)
        if e.sends(to_status)
    ]
    if not endpoints:
        return []
    now = now or timezone.now()
    # Read back in this transaction, with what the other receivers wrote (the promo code handed out).
    current = Submission.objects.select_related("campaign", "recognition", *extras.related()).get(
        pk=submission.pk
    )
    created = []
    for endpoint in endpoints:
        event_id = uuid.uuid4()
        body = event_body(event_id=event_id, event_type=EVENT_DECIDED, created=now, submission=current)
        created.append(
            Delivery.objects.create(
                event_id=event_id,
                event_type=EVENT_DECIDED,
                endpoint=endpoint,
                submission_id=submission.pk,
                submission_status=to_status,
                body=body,
                next_attempt_at=now,
                retry_until=now + retry_window(),
            )
        )
    if sends_after_commit():
        ids = [delivery.pk for delivery in created]
        transaction.on_commit(lambda: [delivery_enqueue(delivery_id=pk) for pk in ids])
    return created


def delivery_enqueue(*, delivery_id: Any) -> bool:
    """Sends the task and records when; False when the broker could not take it (the sweep sends it later)."""
    try:
        current_app.tasks[DELIVER_TASK].apply_async(args=[delivery_id])
    except BROKER_ERRORS as error:
        logger.warning("webhook delivery %s not enqueued (the sweep will): %s", delivery_id, error)
        return False
    Delivery.objects.filter(pk=delivery_id).update(enqueued_at=timezone.now())
    return True


# --- one attempt ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    delivery: Delivery
    token: uuid.UUID


def delivery_claim(*, delivery_id: Any, now: datetime | None = None) -> Claim | None:
    """Takes a due delivery for one attempt in one conditional UPDATE; None when it is not due, already sent,
    or held by another worker whose claim has not expired."""
    now = now or timezone.now()
    token = uuid.uuid4()
    free = Q(claim_token__isnull=True) | Q(claim_expires_at__lt=now)
    taken = Delivery.objects.filter(
        free, pk=delivery_id, status=Delivery.Status.PENDING, next_attempt_at__lte=now
    ).update(
        claim_token=token,
        claim_expires_at=now + _seconds("SLIPCHECK_WEBHOOKS_CLAIM_SECONDS"),
        attempts=F("attempts") + 1,
    )
    if not taken:
        return None
    delivery = Delivery.objects.select_related("endpoint").get(pk=delivery_id)
    return Claim(delivery=delivery, token=token)


def _secrets(endpoint: Endpoint, now: datetime) -> list[str]:
    keys = [endpoint.secret]
    if (
        endpoint.previous_secret
        and endpoint.previous_secret_expires_at
        and endpoint.previous_secret_expires_at > now
    ):
        keys.append(endpoint.previous_secret)
    return keys


def request_headers(*, delivery: Delivery, timestamp: int, body: bytes, now: datetime) -> dict[str, str]:
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        signing.EVENT_ID_HEADER: str(delivery.event_id),
        signing.EVENT_TYPE_HEADER: delivery.event_type,
        signing.SIGNATURE_HEADER: signing.signature_header(
            secrets=_secrets(delivery.endpoint, now), timestamp=timestamp, body=body
        ),
    }


def delivery_attempt(*, delivery_id: Any, now: datetime | None = None) -> Attempt | None:
    """The task's work: claim, POST, record the attempt, then delivered, failed, or the next attempt's time.
    None when there was nothing to claim (running it twice sends once)."""
    claim = delivery_claim(delivery_id=delivery_id, now=now)
    if claim is None:
        logger.info(
            "webhook delivery %s: nothing to send (done, not due, or held by another worker)", delivery_id
        )
        return None
    delivery = claim.delivery
    started = now or timezone.now()
    timestamp = int(started.timestamp())
    body = delivery.body.encode("utf-8")
    # Sent to the endpoint's URL as it is now: a corrected typo and a resend deliver what failed.
    if delivery.endpoint.is_active:
        response = transport.post(
            url=delivery.endpoint.url,
            body=body,
            headers=request_headers(delivery=delivery, timestamp=timestamp, body=body, now=started),
            connect_timeout=settings.SLIPCHECK_WEBHOOKS_CONNECT_TIMEOUT,
            timeout=settings.SLIPCHECK_WEBHOOKS_TIMEOUT,
            max_bytes=settings.SLIPCHECK_WEBHOOKS_MAX_RESPONSE_BYTES,
        )
    else:  # switched off since: not sent, and not retried (a resend after switching it on sends it)
        response = transport.Response(error=ENDPOINT_INACTIVE)
    error = response.error or ("" if response.ok else f"HTTP {response.status_code}")
    finished = started + timedelta(milliseconds=response.duration_ms)
    values: dict[str, Any] = {
        "claim_token": None,
        "claim_expires_at": None,
        "last_status_code": response.status_code,
        "last_error": error[:300],
    }
    if response.ok:
        values.update(status=Delivery.Status.DELIVERED, delivered_at=finished, next_attempt_at=None)
    elif response.error == ENDPOINT_INACTIVE:
        values.update(status=Delivery.Status.FAILED, next_attempt_at=None)
    else:
        following = finished + backoff(delivery.attempts)
        if following > delivery.retry_until:
            values.update(status=Delivery.Status.FAILED, next_attempt_at=None)
        else:
            values.update(next_attempt_at=following)
    with transaction.atomic():
        attempt = Attempt.objects.create(
            delivery=delivery,
            number=delivery.attempts,
            started_at=started,
            duration_ms=response.duration_ms,
            signature_timestamp=timestamp,
            status_code=response.status_code,
            error=error[:300],
            response_excerpt=response.excerpt,
            succeeded=response.ok,
        )
        # Only while the claim is ours: a resend or a takeover since then decides what happens next.
        if not Delivery.objects.filter(pk=delivery.pk, claim_token=claim.token).update(**values):
            logger.warning(
                "webhook delivery %s: claim lost during the attempt; its result is only logged", delivery.pk
            )
    log = logger.info if response.ok else logger.warning
    log("webhook delivery %s attempt %s: %s", delivery.pk, attempt.number, response.status_code or error)
    return attempt


# --- by hand, and by the sweep -------------------------------------------------------------------------------


def deliveries_resend(*, deliveries: Iterable[Delivery], now: datetime | None = None) -> int:
    """Queues a new attempt of each (pending, delivered or failed alike): the same body, a new signature
    timestamp, and a new day of retries. A claim in flight is dropped: its result is logged but decides nothing."""
    now = now or timezone.now()
    ids = [delivery.pk for delivery in deliveries]
    count = Delivery.objects.filter(pk__in=ids).update(
        status=Delivery.Status.PENDING,
        next_attempt_at=now,
        retry_until=now + retry_window(),
        claim_token=None,
        claim_expires_at=None,
        enqueued_at=None,
    )
    if sends_after_commit():
        transaction.on_commit(lambda: [delivery_enqueue(delivery_id=pk) for pk in ids])
    return count


@dataclass
class SweepReport:
    enqueued: int = 0
    not_enqueued: int = 0


def deliveries_due(*, now: datetime) -> Any:
    """Pending, due, not held by a live worker, and not already sent to the queue for this attempt (or sent so
    long ago that the message must have been lost)."""
    lost = now - _seconds("SLIPCHECK_WEBHOOKS_REQUEUE_AFTER_SECONDS")
    return Delivery.objects.filter(
        Q(claim_token__isnull=True) | Q(claim_expires_at__lt=now),
        Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=F("next_attempt_at")) | Q(enqueued_at__lt=lost),
        status=Delivery.Status.PENDING,
        next_attempt_at__lte=now,
    ).order_by("next_attempt_at")


def deliveries_sweep(*, now: datetime | None = None, batch: int | None = None) -> SweepReport:
    """The periodic task: sends what is due (retries), and again what a lost message or a dead worker left."""
    now = now or timezone.now()
    report = SweepReport()
    ids = list(
        deliveries_due(now=now).values_list("pk", flat=True)[: batch or settings.SLIPCHECK_SWEEP_BATCH]
    )
    for pk in ids:
        if delivery_enqueue(delivery_id=pk):
            report.enqueued += 1
        else:
            report.not_enqueued += 1
    if ids:
        logger.info("webhooks sweep: %s", report)
    return report


def deliveries_erase(*, submission: Submission) -> int:
    """The submission's personal data was erased (promo.privacy): every delivery's frozen body is scrubbed the
    same way (payloads.erased_body). A resend or a pending retry then sends the scrubbed body."""
    scrubbed = 0
    for pk, body in Delivery.objects.filter(submission=submission).values_list("pk", "body"):
        erased = erased_body(body)
        if erased != body:
            scrubbed += Delivery.objects.filter(pk=pk).update(body=erased)
    return scrubbed


# --- endpoints -----------------------------------------------------------------------------------------------


def endpoint_rotate_secret(*, endpoint: Endpoint, now: datetime | None = None) -> Endpoint:
    """A new secret signs from now on; the old one signs too (a second v1) for a day, so the receiver can switch
    without losing events."""
    now = now or timezone.now()
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = now + timedelta(hours=settings.SLIPCHECK_WEBHOOKS_ROTATION_HOURS)
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
    return endpoint
