"""Deliveries to a real receiver on 127.0.0.1: what is sent, retries with backoff after a failing receiver, the
retry window, timeouts and garbage, resend, the sweep, and that a decision neither waits for a receiver nor
sends anything when it is rolled back."""

import json
import time
from datetime import timedelta
from unittest import mock

import pytest
from celery import current_app
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from prizes.models import PromoCode
from promo.models import Submission
from tests.webhooks.conftest import decided, move, only_delivery, waiting
from webhooks import signing
from webhooks.deliveries import (
    DELIVER_TASK,
    backoff,
    deliveries_resend,
    deliveries_sweep,
    delivery_attempt,
    delivery_claim,
)
from webhooks.models import Attempt, Delivery, Endpoint

pytestmark = pytest.mark.django_db
Status = Submission.Status


def test_a_decision_is_delivered_signed_in_the_apis_shape(campaign, endpoint, receiver):
    submission = decided(campaign, Status.REJECTED)
    delivery = only_delivery()
    assert (delivery.status, delivery.attempts, delivery.submission_status) == ("pending", 0, "rejected")

    attempt = delivery_attempt(delivery_id=delivery.pk)

    (request,) = receiver.received
    assert request.path == "/hooks/slipcheck?x=1"
    assert request.body == delivery.body.encode()
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    assert request.headers[signing.EVENT_ID_HEADER] == str(delivery.event_id)
    assert request.headers[signing.EVENT_TYPE_HEADER] == "submission.decided"
    event = json.loads(request.body)
    assert event["type"] == "submission.decided"
    assert event["submission"]["id"] == str(submission.pk)
    assert event["submission"]["campaign"] == "autumn"
    assert event["submission"]["status"] == "rejected"
    assert event["submission"]["typed_amount"] == "1234.50"
    assert event["submission"]["decided_at"]
    assert "can_appeal" not in event["submission"]
    # The API's shape, key for key, reasons' next steps and all (in the site's language: a webhook has no reader).
    api = Client().get(f"/api/v1/submissions/{submission.pk}/", HTTP_ACCEPT_LANGUAGE="ru").json()
    assert set(event["submission"]) == set(api) - {"can_appeal"} | {"typed_amount", "currency"}
    assert event["submission"]["reasons"] == api["reasons"]
    assert (
        event["submission"]["next_step"] == api["next_step"] and event["submission"]["duplicate_of"] is None
    )
    assert submission.participant.contact not in request.body.decode()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    assert delivery.delivered_at and delivery.next_attempt_at is None and delivery.claim_token is None
    assert (attempt.number, attempt.status_code, attempt.succeeded, attempt.error) == (1, 200, True, "")
    stamp = int(request.headers[signing.SIGNATURE_HEADER].split(",")[0].removeprefix("t="))
    assert attempt.signature_timestamp == stamp
    # Running the task again (a redelivered message) sends nothing.
    assert delivery_attempt(delivery_id=delivery.pk) is None
    assert len(receiver.received) == 1


def test_the_payload_carries_the_promo_code_prizes_handed_out(campaign, endpoint, receiver):
    PromoCode.objects.create(campaign=campaign, code="AUTUMN-7Q2K")
    submission = decided(campaign, Status.ACCEPTED)
    assert json.loads(only_delivery().body)["submission"]["extras"] == {"promo_code": "AUTUMN-7Q2K"}
    # Revoked: a new event (its own id), without the withdrawn code.
    move(
        submission,
        Status.REVOKED,
        reasons=[
            {
                "code": "moderator_revoked",
                "details": {
                    "note": "fraud 4111111111111111, wrote from ivan.petrov@mail.ru, +7 916 123-45-67"
                },
            }
        ],
    )
    revoked = Delivery.objects.get(submission_status=Status.REVOKED)
    body = json.loads(revoked.body)
    assert body["id"] != json.loads(only_delivery_of(Status.ACCEPTED).body)["id"]
    assert body["submission"]["status"] == "revoked" and body["submission"]["extras"] == {}
    assert [r["code"] for r in body["submission"]["reasons"]] == ["moderator_revoked"]
    assert "4111111111111111" not in revoked.body  # a note's card number is masked
    assert "ivan.petrov" not in revoked.body and "123-45-67" not in revoked.body  # and its contacts


def only_delivery_of(status: str) -> Delivery:
    return Delivery.objects.get(submission_status=status)


def test_only_final_moves_to_active_endpoints_that_want_them_make_deliveries(campaign, endpoint, receiver):
    Endpoint.objects.create(campaign=campaign, url=receiver.url, statuses=["accepted"])
    Endpoint.objects.create(campaign=campaign, url=receiver.url, is_active=False)
    submission = waiting(campaign, status=Status.PROCESSING)
    move(submission, Status.MODERATION)
    assert not Delivery.objects.exists()
    move(submission, Status.REJECTED)
    assert Delivery.objects.count() == 1  # the accepted-only endpoint and the inactive one send nothing
    move(submission, Status.MODERATION)  # the participant asked a person to look
    move(submission, Status.ACCEPTED)  # a person's overturn: a new event, for both active endpoints
    assert sorted(Delivery.objects.values_list("submission_status", flat=True)) == [
        "accepted",
        "accepted",
        "rejected",
    ]
    assert len(set(Delivery.objects.values_list("event_id", flat=True))) == 3


def test_a_failing_receiver_is_retried_after_the_backoff_and_each_attempt_is_logged(
    campaign, endpoint, receiver
):
    receiver.answers = [500, 200]
    decided(campaign)
    delivery = only_delivery()
    t0 = delivery.next_attempt_at

    first = delivery_attempt(delivery_id=delivery.pk, now=t0)
    delivery.refresh_from_db()
    assert (first.status_code, first.succeeded, first.error) == (500, False, "HTTP 500")
    assert delivery.status == "pending" and delivery.last_status_code == 500
    assert timedelta(seconds=60) <= delivery.next_attempt_at - t0 < timedelta(seconds=62)
    # Not due yet: the task (or the sweep) sends nothing before its time.
    assert delivery_attempt(delivery_id=delivery.pk, now=t0 + timedelta(seconds=30)) is None
    assert deliveries_sweep(now=t0 + timedelta(seconds=30)).enqueued == 0

    second = delivery_attempt(delivery_id=delivery.pk, now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert (second.number, second.status_code, delivery.status, delivery.attempts) == (2, 200, "delivered", 2)
    assert list(Attempt.objects.filter(delivery=delivery).values_list("number", "status_code")) == [
        (1, 500),
        (2, 200),
    ]
    assert receiver.received[0].body == receiver.received[1].body  # the same bytes, signed anew


def test_backoff_doubles_up_to_the_cap_and_the_delivery_fails_a_day_after_the_first_attempt(
    campaign, endpoint, receiver
):
    assert [backoff(n).total_seconds() for n in range(1, 9)] == [60, 120, 240, 480, 960, 1920, 3600, 3600]
    receiver.answers = [503]
    decided(campaign)
    delivery = only_delivery()
    t0 = delivery.next_attempt_at
    when = t0
    while delivery.status == "pending":
        delivery_attempt(delivery_id=delivery.pk, now=when)
        delivery.refresh_from_db()
        when = delivery.next_attempt_at
    attempts = list(Attempt.objects.filter(delivery=delivery).order_by("number"))
    assert delivery.status == "failed" and delivery.next_attempt_at is None
    assert attempts[-1].started_at <= t0 + timedelta(hours=24) < attempts[-1].started_at + timedelta(hours=1)
    # At 0, 1, 3, 7, 15, 31 and 63 minutes, then hourly until 23 h 03 min: 29 attempts in a day.
    assert len(attempts) == delivery.attempts == 29
    assert all(a.status_code == 503 for a in attempts)


def test_a_receiver_trickling_its_answer_is_cut_off_at_the_timeout(campaign, endpoint, receiver, dev):
    """Each byte comes well within the read timeout; the whole answer would take 6 s."""
    dev.SLIPCHECK_WEBHOOKS_TIMEOUT = 1.0
    receiver.answers = [("trickle", 0.3, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")]
    decided(campaign)
    delivery = only_delivery()
    started = time.monotonic()
    attempt = delivery_attempt(delivery_id=delivery.pk, now=delivery.next_attempt_at)
    assert time.monotonic() - started < 2.5
    assert attempt.status_code is None and not attempt.succeeded
    assert attempt.error == "timeout: no whole answer within 1 s of connecting"
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.next_attempt_at is not None  # retried later


def test_a_hanging_receiver_times_out_and_garbage_or_a_redirect_never_raises(
    campaign, endpoint, receiver, dev
):
    dev.SLIPCHECK_WEBHOOKS_TIMEOUT = 0.5
    receiver.answers = [
        ("hang", 3),
        ("raw", b"\x00\xffnot http at all\r\n\r\n"),
        302,
        ("body", 200, b"x" * 100_000),
    ]
    decided(campaign)
    delivery = only_delivery()
    started = time.monotonic()
    hung = delivery_attempt(delivery_id=delivery.pk, now=delivery.next_attempt_at)
    assert time.monotonic() - started < 2.5
    assert hung.status_code is None and hung.error.startswith("timeout") and 400 <= hung.duration_ms < 2500
    delivery.refresh_from_db()
    garbage = delivery_attempt(delivery_id=delivery.pk, now=delivery.next_attempt_at)
    assert garbage.status_code is None and garbage.error
    delivery.refresh_from_db()
    redirected = delivery_attempt(delivery_id=delivery.pk, now=delivery.next_attempt_at)
    assert redirected.status_code == 302 and "redirect not followed" in redirected.error
    assert len(receiver.received) == 3  # the redirect was not followed
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    big = delivery_attempt(delivery_id=delivery.pk, now=delivery.next_attempt_at)
    assert big.succeeded and len(big.response_excerpt) == 300
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.attempts == 4


def test_resend_sends_the_same_body_again_with_a_new_timestamp(campaign, endpoint, receiver):
    decided(campaign)
    delivery = only_delivery()
    delivery_attempt(delivery_id=delivery.pk)
    later = timezone.now() + timedelta(seconds=5)
    assert deliveries_resend(deliveries=[delivery], now=later) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.next_attempt_at, delivery.retry_until) == (
        "pending",
        later,
        later + timedelta(hours=24),
    )
    delivery_attempt(delivery_id=delivery.pk, now=later)
    first, second = receiver.received
    assert first.body == second.body
    assert first.headers[signing.EVENT_ID_HEADER] == second.headers[signing.EVENT_ID_HEADER]
    assert first.headers[signing.SIGNATURE_HEADER] != second.headers[signing.SIGNATURE_HEADER]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)


def test_the_sweep_sends_a_delivery_whose_message_was_lost_and_one_a_dead_worker_held(
    campaign, endpoint, receiver
):
    decided(campaign)
    delivery = only_delivery()
    now = timezone.now()
    # The message was sent (enqueued_at) but lost with the broker: not sent again while it may still be queued.
    Delivery.objects.filter(pk=delivery.pk).update(enqueued_at=now)
    assert deliveries_sweep(now=now + timedelta(seconds=60)).enqueued == 0
    assert deliveries_sweep(now=now + timedelta(seconds=301)).enqueued == 1  # eager: sent inline
    assert len(receiver.received) == 1
    delivery.refresh_from_db()
    assert delivery.status == "delivered"

    # A worker claimed the next one and died before it sent: its claim expires, then the sweep sends it.
    decided(campaign)
    other = Delivery.objects.exclude(pk=delivery.pk).get()
    assert delivery_claim(delivery_id=other.pk) is not None
    assert deliveries_sweep(now=timezone.now()).enqueued == 0
    # A minute on (the claim's length), as the worker that runs the sent task sees it too.
    Delivery.objects.filter(pk=other.pk).update(claim_expires_at=timezone.now() - timedelta(seconds=1))
    assert deliveries_sweep(now=timezone.now()).enqueued == 1
    other.refresh_from_db()
    assert (other.status, other.attempts) == ("delivered", 2)  # the dead worker's attempt counts
    assert len(receiver.received) == 2


def test_a_decision_under_eager_celery_does_not_wait_for_the_receiver(campaign, endpoint, receiver):
    receiver.answers = [("hang", 5)]
    started = time.monotonic()
    decided(campaign)
    assert time.monotonic() - started < 1
    delivery = only_delivery()
    assert (delivery.status, delivery.attempts, delivery.enqueued_at) == ("pending", 0, None)
    assert receiver.received == []  # left to the sweep


@pytest.fixture
def queued(settings):
    """A real broker's path (not eager): what is sent to the queue is recorded instead."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with mock.patch.object(current_app.tasks[DELIVER_TASK], "apply_async") as apply_async:
        yield apply_async


def test_the_task_is_sent_only_after_the_decision_commits(
    campaign, endpoint, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        decided(campaign)
        assert not queued.called  # inside the transaction: nothing sent yet
    assert len(callbacks) == 1
    queued.assert_called_once_with(args=[only_delivery().pk])
    assert only_delivery().enqueued_at is not None


def test_a_rolled_back_decision_leaves_no_delivery_and_sends_nothing(
    campaign, endpoint, queued, django_capture_on_commit_callbacks
):
    submission = waiting(campaign)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        move(submission, Status.ACCEPTED)
        assert Delivery.objects.count() == 1
        raise RuntimeError("the decision failed after the move")
    assert callbacks == [] and not queued.called
    assert not Delivery.objects.exists()
    submission.refresh_from_db()
    assert submission.status == Status.MODERATION


def test_an_endpoint_switched_off_after_the_decision_sends_nothing_until_a_resend(
    campaign, endpoint, receiver
):
    decided(campaign)
    Endpoint.objects.filter(pk=endpoint.pk).update(is_active=False)
    delivery = only_delivery()
    attempt = delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert attempt.error.startswith("not sent") and receiver.received == []
    assert (delivery.status, delivery.next_attempt_at) == ("failed", None)
    # Switched on again, with its URL corrected: a resend delivers the same event there.
    Endpoint.objects.filter(pk=endpoint.pk).update(
        is_active=True, url=receiver.url.replace("?x=1", "?fixed=1")
    )
    deliveries_resend(deliveries=[delivery])
    delivery_attempt(delivery_id=delivery.pk)
    (request,) = receiver.received
    assert request.path.endswith("?fixed=1")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)


def test_what_a_decision_pays_for_webhooks_in_queries(campaign, receiver, dev):
    def decision_queries() -> list[str]:
        submission = waiting(campaign)
        with CaptureQueriesContext(connection) as captured:
            move(submission, Status.ACCEPTED)
        return [q["sql"] for q in captured.captured_queries]

    without = decision_queries()
    assert [q for q in without if "webhooks_" in q] == [q for q in without if "webhooks_endpoint" in q]
    assert sum("webhooks_" in q for q in without) == 1  # a campaign without endpoints: one lookup
    Endpoint.objects.create(campaign=campaign, url=receiver.url)
    Endpoint.objects.create(campaign=campaign, url=receiver.url)
    with_two = decision_queries()
    # The lookup, the submission read back with its joins, and one insert per endpoint.
    assert len(with_two) - len(without) == 3
    assert sum(q.startswith("INSERT") and "webhooks_delivery" in q for q in with_two) == 2
