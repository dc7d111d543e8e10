"""The production shape: PostgreSQL, Redis as the broker, and a real Celery worker in its own process.

`make test` runs these in its services pass (DATABASE_URL on PostgreSQL, SLIPCHECK_TEST_REDIS_URL set); on a
machine without the services they skip with the reason, and in CI their absence fails.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from rest_framework.test import APIClient

from config.celery import app

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def services_or_skip() -> str:
    redis_url = os.environ.get("SLIPCHECK_TEST_REDIS_URL", "")
    if connection.vendor == "postgresql" and redis_url:
        return redis_url
    reason = (
        "needs PostgreSQL and Redis with a real worker: `make test` runs it in its services pass "
        f"(database here: {connection.vendor}, SLIPCHECK_TEST_REDIS_URL={'set' if redis_url else 'unset'})"
    )
    if os.environ.get("CI") and connection.vendor == "postgresql":
        pytest.fail(reason)
    pytest.skip(reason)


def database_url() -> str:
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def reconfigure(**conf) -> None:
    """Points this process's Celery app elsewhere. Even eager calls open a producer on the configured broker,
    so the connection pool and the queue routing cached from earlier tests are dropped too."""
    app.conf.update(conf)
    app._pool = None  # kombu keeps one pool per broker URL; the app just forgets which one it used
    app.__dict__.pop("amqp", None)


def worker_env(settings, broker_url: str, queue: str, **more: str) -> dict[str, str]:
    """What a worker process of the tests runs with: the test settings and database, this broker and queue."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        **more,
    }


@pytest.fixture
def worker(settings, tmp_path):
    """A Celery worker process on its own queue, reading the test database; this process enqueues to it."""
    redis_url = services_or_skip()
    queue = f"slipcheck-test-{uuid.uuid4().hex[:8]}"
    env = worker_env(settings, redis_url, queue)
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "--queues", queue,
         "--without-gossip", "--without-mingle", "--loglevel", "info"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url", "task_default_queue")}
    reconfigure(task_always_eager=False, broker_url=redis_url, task_default_queue=queue)
    try:
        yield tmp_path / "worker.log"
    finally:
        reconfigure(**saved)
        process.terminate()
        process.wait(timeout=30)
        log.close()


def wait_for(api: APIClient, url: str, seconds: float = 120) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        detail = api.get(url).json()
        if detail["status"] not in ("received", "processing"):
            return detail
        time.sleep(0.5)
    raise AssertionError(f"no decision within {seconds} s: {detail}")


def test_uploads_through_the_api_are_decided_by_the_worker(worker, campaign, slip, landscape):
    api = APIClient()
    photo, truth = slip
    url = f"/api/v1/campaigns/{campaign.slug}/submissions/"
    slip_response = api.post(url, {"photo": SimpleUploadedFile("slip.jpg", photo), "amount": str(truth.amount),
                                   "card_last4": truth.card_last4, "contact": "+79990000001", "consent": "true"}, format="multipart")  # fmt: skip
    view_response = api.post(url, {"photo": SimpleUploadedFile("view.jpg", landscape), "amount": "10",
                                   "card_last4": "1234", "contact": "+79990000002", "consent": "true"}, format="multipart")  # fmt: skip
    assert slip_response.status_code == view_response.status_code == 202
    assert slip_response.json()["status"] == "received"  # the worker decides, not the request

    accepted = wait_for(api, slip_response.json()["url"])
    rejected = wait_for(api, view_response.json()["url"])
    log = worker.read_text()
    assert accepted["status"] == "accepted", (accepted, log[-3000:])
    assert accepted["recognized"]["amount"] == f"{truth.amount:.2f}"
    assert rejected["status"] == "rejected" and rejected["reasons"][0]["code"] == "not_a_slip"
    assert "promo.tasks.process_submission" in log  # really the worker's doing
