"""Faults, for real: PostgreSQL, a Redis of the test's own (so it can be killed), Celery worker processes killed
with SIGKILL and restarted, a Redis restarted with its queue lost, uploads while it is down, and photos that
make recognition hang, freeze, crash its process or raise. Every submission must end decided or with a person,
decided once, with an audit trail that is one unbroken path.
"""

import contextlib
import io
import itertools
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw
from rest_framework.test import APIClient

from config.celery import app
from promo import jobs
from promo.models import StatusTransition, Submission
from tests.conftest import generated_photo
from tests.integration.test_worker import ROOT, reconfigure, services_or_skip, worker_env

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
Status = Submission.Status
DECIDED = (Status.ACCEPTED, Status.REJECTED, Status.MODERATION)

FAULTS = {"+79990006661": "hang", "+79990006662": "freeze", "+79990006663": "crash", "+79990006664": "error"}
# Short limits, so that three attempts of a hanging photo take seconds, not minutes.
LIMITS = {
    "SLIPCHECK_TASK_SOFT_TIME_LIMIT": "8",
    "SLIPCHECK_TASK_TIME_LIMIT": "12",
    "SLIPCHECK_CLAIM_SECONDS": "15",
    "SLIPCHECK_SWEEP_SECONDS": "2",
    "SLIPCHECK_ENQUEUE_GRACE_SECONDS": "3",
    "SLIPCHECK_REQUEUE_AFTER_SECONDS": "20",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Processes:
    """The test's own Redis, worker and beat, each restartable; the worker in its own process group, so a kill
    takes its pool's children too, as a machine going down would."""

    def __init__(self, tmp_path: Path, env: dict[str, str], redis_port: int, queue: str):
        self.tmp_path, self.env, self.redis_port, self.queue = tmp_path, env, redis_port, queue
        self.redis = self.worker = self.beat = None
        self.log = (tmp_path / "processes.log").open("a")

    def start_redis(self) -> None:
        self.redis = subprocess.Popen(
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.redis_port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("redis-server did not start")

    def start_worker(self) -> None:
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "prefork", "--concurrency", "2",
             "--queues", self.queue, "--without-gossip", "--without-mingle", "--loglevel", "info"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def start_beat(self) -> None:
        self.beat = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "beat", "--schedule", str(self.tmp_path / "beat"),
             "--max-interval", "1", "--loglevel", "info"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    @staticmethod
    def kill(process) -> None:
        """SIGKILL to the process and everything it started (each runs in its own session)."""
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)

    def stop(self) -> None:
        for process in (self.worker, self.beat, self.redis):
            self.kill(process)
        self.log.close()


@pytest.fixture
def processes(settings, tmp_path):
    services_or_skip()
    port, queue = free_port(), "slipcheck-faults"
    broker = f"redis://127.0.0.1:{port}/0"
    env = worker_env(
        settings, broker, queue, SLIPCHECK_OCR_THREADS="1", SLIPCHECK_FAULTS=json.dumps(FAULTS), **LIMITS
    )
    running = Processes(tmp_path, env, port, queue)
    running.start_redis()
    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url", "task_default_queue")}
    reconfigure(task_always_eager=False, broker_url=broker, task_default_queue=queue)
    settings.SLIPCHECK_ENQUEUE_GRACE_SECONDS = int(LIMITS["SLIPCHECK_ENQUEUE_GRACE_SECONDS"])
    try:
        running.start_worker()
        running.start_beat()
        yield running
    finally:
        reconfigure(**saved)
        running.stop()


def small_photo(n: int) -> bytes:
    """A photo of no document, different for each n: quick to read, rejected as not a slip."""
    rng = random.Random(n)
    image = Image.new("RGB", (320, 420), tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        box = sorted(rng.randrange(320) for _ in range(2)) + sorted(rng.randrange(420) for _ in range(2))
        draw.rectangle((box[0], box[2], box[1], box[3]), fill=tuple(rng.randrange(256) for _ in range(3)))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def post(api: APIClient, slug: str, photo: bytes, contact: str, amount: str = "100.00", card: str = "1234"):
    response = api.post(
        f"/api/v1/campaigns/{slug}/submissions/",
        {"photo": SimpleUploadedFile("p.jpg", photo), "amount": amount, "card_last4": card, "contact": contact,
         "consent": "true"},
        format="multipart",
    )  # fmt: skip
    assert response.status_code == 202, response.content
    return response.json()["id"]


def wait_until_decided(ids: list[str], seconds: float, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if Submission.objects.filter(pk__in=ids).exclude(status__in=DECIDED).count() == 0:
            return
        time.sleep(1)
    waiting = list(Submission.objects.filter(pk__in=ids).exclude(status__in=DECIDED).values("pk", "status", "attempts", "last_error")[:10])  # fmt: skip
    raise AssertionError(f"not decided within {seconds} s: {waiting}\n{log.read_text()[-4000:]}")


def assert_decided_once(ids: list[str]) -> None:
    for submission_id in ids:
        moves = list(StatusTransition.objects.filter(submission_id=submission_id).values_list("from_status", "to_status"))  # fmt: skip
        assert sum(to in DECIDED for _, to in moves) == 1, moves
        for (_, to), (following, _) in itertools.pairwise(moves):
            assert following == to, moves  # one path: nothing written twice or out of turn


def test_kills_restarts_and_pathological_photos_lose_nothing_and_decide_nothing_twice(processes, campaign):
    api = APIClient()
    ids = []
    faulty = {kind: post(api, campaign.slug, small_photo(10_000 + n), contact) for n, (contact, kind) in enumerate(FAULTS.items())}  # fmt: skip
    for n in range(20):  # real slips, typed right: these are read in full and accepted
        photo, truth = generated_photo(700 + n)
        ids.append(
            post(api, campaign.slug, photo, f"+7999300{n:04}", f"{truth.amount:.2f}", truth.card_last4)
        )
    for n in range(180):
        ids.append(post(api, campaign.slug, small_photo(n), f"+7999400{n:04}"))
        if n % 36 == 35:  # five times during the run: the worker dies mid-task and comes back
            Processes.kill(processes.worker)
            processes.start_worker()

    Processes.kill(processes.redis)  # Redis restarts: its queue is lost; uploads meanwhile are still answered
    started = time.monotonic()
    down = [post(api, campaign.slug, small_photo(20_000 + n), f"+7999500{n:04}") for n in range(5)]
    assert time.monotonic() - started < 15, "uploads must not wait on a broker that is down"
    assert Submission.objects.filter(pk__in=down, enqueued_at__isnull=True).count() == 5
    time.sleep(2)
    processes.start_redis()

    everything = ids + down + list(faulty.values())
    wait_until_decided(everything, 400, processes.tmp_path / "processes.log")

    assert_decided_once(everything)
    slips = Submission.objects.filter(pk__in=ids[:20])
    assert slips.filter(status=Status.ACCEPTED).count() >= 18, list(slips.values_list("status", "reasons"))
    for kind, submission_id in faulty.items():
        submission = Submission.objects.get(pk=submission_id)
        assert submission.status == Status.MODERATION, (kind, submission.status, submission.reasons)
        assert submission.reasons[0]["code"] == "recognition_failed", (kind, submission.reasons)
        # A photo that raises is given up at once; one whose worker was killed by the test meanwhile (its claim
        # expired) was tried once more for each kill, as any photo would be.
        expired_claims = StatusTransition.objects.filter(
            submission_id=submission_id, note__contains="expired"
        )
        expected = 1 + expired_claims.count() if kind == "error" else 3
        assert submission.attempts == expected, (kind, submission.attempts, expired_claims.count())
        assert submission.last_error, kind
    # What was never enqueued while Redis was down was sent by the sweep; the photos that killed or froze their
    # process were handed on when their claims expired.
    assert not Submission.objects.filter(pk__in=down, enqueued_at__isnull=True).exists()
    expired = StatusTransition.objects.filter(
        note__contains="expired", submission_id__in=[faulty["crash"], faulty["freeze"]]
    )
    assert expired.count() >= 4
    log = (processes.tmp_path / "processes.log").read_text()
    assert "Hard time limit" in log or "hard time limit" in log.lower()  # the frozen photo met the hard limit


def test_the_sweep_reads_the_queue_length_from_redis(settings):
    """What the sweep compares with the waiting submissions, on the real broker: messages sent and not taken."""
    redis_url = services_or_skip()
    queue = f"slipcheck-length-{uuid.uuid4().hex[:8]}"
    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url", "task_default_queue")}
    reconfigure(task_always_eager=False, broker_url=redis_url, task_default_queue=queue)
    try:
        assert jobs.queued_messages() == 0  # no such queue yet
        for n in range(3):
            app.tasks[jobs.PROCESS_TASK].apply_async(args=[f"no-such-submission-{n}"])
        assert jobs.queued_messages() == 3
    finally:
        with app.connection_for_write() as connection:
            connection.default_channel.queue_purge(queue)
        reconfigure(**saved)
