"""The job model (promo.jobs, promo.processing): claims, fencing, bounded attempts, the sweep, a broker that is down.

These run on SQLite and, in the services pass, on PostgreSQL; the real worker processes are in
tests/integration.
"""

import itertools
import logging
import time
from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from celery import current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError
from django.utils import timezone
from rest_framework.test import APIClient

from promo import jobs, processing, tasks
from promo.decisions import submission_decide
from promo.models import Recognition, StatusTransition, Submission
from tests.factories import SubmissionFactory, reading_of
from tests.promo.test_api import photo_file, post

Status = Submission.Status
pytestmark = pytest.mark.django_db

READING = reading_of(amount=Decimal("1234.50"), date=date(2026, 11, 21), card_last4="4821")


def honest_submission(**kwargs) -> Submission:
    return SubmissionFactory(typed_amount=Decimal("1234.50"), typed_card_last4="4821", **kwargs)


@pytest.fixture
def sent():
    """The process task's sends, recorded instead of run."""
    with mock.patch.object(type(current_app.tasks[jobs.PROCESS_TASK]), "apply_async") as apply_async:
        yield apply_async


def sent_ids(apply_async) -> list[str]:
    return [call.kwargs["args"][0] for call in apply_async.call_args_list]


def expire(submission: Submission) -> None:
    Submission.objects.filter(pk=submission.pk).update(claim_expires_at=timezone.now() - timedelta(seconds=1))


def chain_is_unbroken(submission: Submission) -> list[tuple[str, str]]:
    """The audit trail as (from, to) pairs, checked to be one path: no move written twice or out of turn."""
    moves = [(t.from_status, t.to_status) for t in StatusTransition.objects.filter(submission=submission)]
    for (_, to), (following, _) in itertools.pairwise(moves):
        assert following == to, moves
    return moves


def test_a_claim_is_one_conditional_update_with_a_token_and_a_deadline(settings):
    submission = honest_submission()
    before = timezone.now()
    claim = jobs.job_claim(submission_id=submission.pk)
    submission.refresh_from_db()
    assert submission.status == Status.PROCESSING and submission.claim_token == claim.token
    assert submission.attempts == claim.attempt == 1
    deadline = before + timedelta(seconds=settings.SLIPCHECK_CLAIM_SECONDS)
    assert deadline <= submission.claim_expires_at <= deadline + timedelta(seconds=5)
    assert jobs.job_claim(submission_id=submission.pk) is None  # held: nobody else gets it
    assert submission.claim_token == claim.token


def test_an_expired_claim_is_taken_over_and_the_late_worker_result_is_dropped(caplog):
    submission = honest_submission()
    late = jobs.job_claim(submission_id=submission.pk)
    expire(submission)
    current = jobs.job_claim(submission_id=submission.pk)
    assert current is not None and current.token != late.token and current.attempt == 2

    with caplog.at_level(logging.WARNING, logger="promo.decisions"):
        assert (
            submission_decide(claim=late, reading=READING) is None
        )  # woke up after its claim was taken over
    assert "late result dropped" in caplog.text
    assert not Recognition.objects.filter(submission=submission).exists()
    submission.refresh_from_db()
    assert submission.status == Status.PROCESSING and submission.claim_token == current.token

    decided = submission_decide(claim=current, reading=READING)
    assert decided.status == Status.ACCEPTED
    assert submission_decide(claim=late, reading=READING) is None  # and it cannot write over the decision
    submission.refresh_from_db()
    assert submission.status == Status.ACCEPTED and submission.claim_token is None
    assert chain_is_unbroken(submission) == [
        ("received", "processing"),
        ("processing", "received"),
        ("received", "processing"),
        ("processing", "accepted"),
    ]


def test_a_time_limit_hands_the_claim_back_and_the_third_attempt_goes_to_a_person():
    submission = honest_submission()
    with mock.patch("promo.processing.recognize", side_effect=SoftTimeLimitExceeded()):
        for attempt in (1, 2):
            with pytest.raises(processing.RetryLater):
                processing.submission_process(submission_id=submission.pk)
            submission.refresh_from_db()
            assert (submission.status, submission.attempts) == (Status.RECEIVED, attempt)
            assert "longer than" in submission.last_error and submission.claim_token is None
        assert processing.submission_process(submission_id=submission.pk).status == Status.MODERATION
    submission.refresh_from_db()
    assert submission.attempts == 3 and "longer than" in submission.last_error
    assert submission.reasons[0]["code"] == "recognition_failed"
    assert submission.reasons[0]["details"]["attempts"] == "3"
    assert "longer than" in submission.reasons[0]["details"]["error"]
    assert processing.submission_process(submission_id=submission.pk) is None  # nothing more to do
    assert [to for _, to in chain_is_unbroken(submission)].count("moderation") == 1


def test_the_task_retries_a_transient_failure_with_backoff_until_the_attempts_run_out():
    """Eagerly, a retry runs at once: the task is tried exactly MAX_ATTEMPTS times, then a person reads it."""
    submission = honest_submission()
    calls = []

    def storage_down(*args, **kwargs):
        calls.append(1)
        raise OSError("storage unreachable")

    with mock.patch("promo.processing.recognize", side_effect=storage_down):
        current_app.tasks[jobs.PROCESS_TASK].apply(args=[str(submission.pk)])
    submission.refresh_from_db()
    assert len(calls) == jobs.MAX_ATTEMPTS
    assert submission.status == Status.MODERATION and submission.attempts == jobs.MAX_ATTEMPTS
    assert "storage unreachable" in submission.reasons[0]["details"]["error"]


def test_the_task_is_acknowledged_late_and_bounded_in_time(settings):
    task = current_app.tasks[jobs.PROCESS_TASK]
    assert task.acks_late and task.reject_on_worker_lost
    assert (task.soft_time_limit, task.time_limit) == (
        settings.SLIPCHECK_TASK_SOFT_TIME_LIMIT,
        settings.SLIPCHECK_TASK_TIME_LIMIT,
    )
    assert (
        settings.SLIPCHECK_TASK_TIME_LIMIT < settings.SLIPCHECK_CLAIM_SECONDS
    )  # a live worker keeps its claim
    assert current_app.conf.worker_prefetch_multiplier == 1


@pytest.mark.parametrize(
    "error", [processing.RetryLater("storage"), OperationalError("the database went away")]
)
def test_a_queued_task_retries_transient_failures_after_a_growing_jittered_backoff(error):
    task = current_app.tasks[jobs.PROCESS_TASK]
    with (
        mock.patch("promo.processing.submission_process", side_effect=error),
        mock.patch.object(type(task), "retry", side_effect=RuntimeError("retried")) as retry,
    ):
        task.push_request(is_eager=False, retries=3)
        try:
            with pytest.raises(RuntimeError, match="retried"):
                task.run("some-id")
        finally:
            task.pop_request()
    assert retry.call_args.kwargs["exc"] is error
    assert 8 <= retry.call_args.kwargs["countdown"] <= 16
    assert all(2**n <= tasks.backoff(n) <= 2 ** (n + 1) for n in range(6))
    assert tasks.backoff(20) <= 120


def test_a_photo_that_breaks_recognition_goes_to_a_person_at_once():
    submission = honest_submission()
    with mock.patch("promo.processing.recognize", side_effect=RuntimeError("engine choked")):
        processing.submission_process(submission_id=submission.pk)
    submission.refresh_from_db()
    assert (submission.status, submission.attempts) == (Status.MODERATION, 1)
    assert "engine choked" in submission.reasons[0]["details"]["error"]


def test_the_sweep_touches_only_what_was_left_behind_in_bounded_batches(sent, settings):
    now = timezone.now()
    long_ago = now - timedelta(hours=1)
    fresh = honest_submission(enqueued_at=now)
    just_uploaded = honest_submission()  # its upload is enqueuing it right now
    never_enqueued = honest_submission()
    overdue = honest_submission(enqueued_at=long_ago)
    dead_worker = honest_submission()
    held = honest_submission()
    out_of_attempts = honest_submission(enqueued_at=long_ago, attempts=jobs.MAX_ATTEMPTS)
    decided = honest_submission(status=Status.ACCEPTED, enqueued_at=long_ago)
    Submission.objects.filter(pk__in=[never_enqueued.pk, overdue.pk, out_of_attempts.pk]).update(
        created_at=long_ago
    )
    jobs.job_claim(submission_id=dead_worker.pk)
    jobs.job_claim(submission_id=held.pk)
    expire(dead_worker)

    report = jobs.jobs_sweep()

    assert (report.released, report.enqueued, report.moderated, report.not_enqueued) == (1, 3, 1, 0)
    assert sorted(sent_ids(sent)) == sorted(str(s.pk) for s in (dead_worker, never_enqueued, overdue))
    for submission in (fresh, just_uploaded, held, decided, out_of_attempts, dead_worker):
        submission.refresh_from_db()
    assert fresh.status == just_uploaded.status == dead_worker.status == Status.RECEIVED
    assert held.status == Status.PROCESSING and decided.status == Status.ACCEPTED
    assert out_of_attempts.status == Status.MODERATION
    assert out_of_attempts.reasons[0]["code"] == "recognition_failed"
    assert "expired" in StatusTransition.objects.filter(submission=dead_worker).last().note

    sent.reset_mock()
    assert jobs.jobs_sweep().touched == 0  # what it sent is not sent again until it is overdue
    assert not sent.called

    for _ in range(5):
        honest_submission(enqueued_at=long_ago)
    assert jobs.jobs_sweep(batch=2).enqueued == 2


def test_an_upload_is_answered_while_the_broker_is_down_and_the_sweep_sends_it_later(
    campaign, slip, sent, django_capture_on_commit_callbacks
):
    photo, truth = slip
    sent.side_effect = OSError("Connection refused")
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            APIClient(), campaign.slug, photo=photo_file(photo), amount=str(truth.amount),
            card_last4=truth.card_last4, contact="+79990000001", consent="true",
        )  # fmt: skip
    assert response.status_code == 202, response.content
    submission = Submission.objects.get(pk=response.json()["id"])
    assert submission.status == Status.RECEIVED and submission.enqueued_at is None

    sent.side_effect = None
    Submission.objects.filter(pk=submission.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert jobs.jobs_sweep().enqueued == 1
    assert sent_ids(sent)[-1] == str(submission.pk)
    submission.refresh_from_db()
    assert submission.enqueued_at is not None


def test_under_a_backlog_the_sweep_resends_only_what_the_queue_lost(sent):
    """Submissions waiting longer than the threshold are still queued behind a backlog: sending them again would
    swell the queue. Only as many as the queue is short of are sent again, the longest-waiting first."""
    long_ago = timezone.now() - timedelta(hours=1)
    waiting = [honest_submission(enqueued_at=long_ago - timedelta(minutes=n)) for n in range(5)]
    never_enqueued = honest_submission()
    Submission.objects.filter(pk=never_enqueued.pk).update(created_at=long_ago)
    with mock.patch("promo.jobs.queued_messages", return_value=5):  # every message is still there
        assert jobs.jobs_sweep().enqueued == 1
    assert sent_ids(sent) == [str(never_enqueued.pk)]

    sent.reset_mock()
    with mock.patch("promo.jobs.queued_messages", return_value=3):  # a broker restart lost three
        assert jobs.jobs_sweep().enqueued == 3
    assert sent_ids(sent) == [str(s.pk) for s in reversed(waiting[2:])]

    sent.reset_mock()
    with mock.patch("promo.jobs.queued_messages", return_value=None):  # the broker cannot say: all of them
        jobs.jobs_sweep()
    assert sorted(sent_ids(sent)) == sorted(str(s.pk) for s in waiting[:2])


def test_the_queue_length_is_read_from_the_broker():
    assert jobs.queued_messages() == 0  # the test broker's queue was never declared: nothing waits


def test_a_broker_that_is_down_cannot_say_its_queue_length_and_does_not_hang_the_sweep():
    from tests.integration.test_worker import reconfigure

    saved = {key: current_app.conf[key] for key in ("broker_url",)}
    reconfigure(broker_url="redis://127.0.0.1:9/0")  # nothing listens on the discard port
    try:
        started = time.monotonic()
        assert jobs.queued_messages() is None
        assert time.monotonic() - started < 10
    finally:
        reconfigure(**saved)
