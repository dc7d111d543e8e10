"""Webhooks fixtures: a real HTTP receiver on 127.0.0.1 (a thread running http.server), endpoints on it, and
submissions decided through promo's state machine, so the receivers run as in production."""

from __future__ import annotations

import contextlib
import http.server
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import Permission, User

from promo.models import Submission
from promo.transitions import submission_transition
from tests.factories import SubmissionFactory
from webhooks.models import Delivery, Endpoint

Status = Submission.Status


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Answers each POST with the next scripted answer (then the last one again) and records what came.

    An answer is a status code, ("hang", seconds) to say nothing for that long, ("raw", bytes) to write bytes
    that are not HTTP, or ("body", status, bytes) for a status with that body."""

    port: int = 0
    answers: list = field(default_factory=lambda: [200])
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/slipcheck?x=1"

    def answer(self) -> object:
        with self.lock:
            return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


def _handler(receiver: Receiver) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with receiver.lock:
                receiver.received.append(Received(self.path, dict(self.headers.items()), body))
            answer = receiver.answer()
            if isinstance(answer, tuple) and answer[0] == "hang":
                time.sleep(answer[1])
                return
            if isinstance(answer, tuple) and answer[0] == "trickle":  # a byte every `interval` seconds
                _, interval, data = answer
                with contextlib.suppress(OSError):
                    for byte in data:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(interval)
                return
            if isinstance(answer, tuple) and answer[0] == "raw":
                self.wfile.write(answer[1])
                return
            status, payload = (answer[1], answer[2]) if isinstance(answer, tuple) else (answer, b"ok")
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", "http://127.0.0.1:1/elsewhere")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


@contextlib.contextmanager
def serving() -> Iterator[Receiver]:
    """A receiver on 127.0.0.1 for the block (the `receiver` fixture, and tests outside this folder)."""
    receiver = Receiver()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with serving() as receiver:
        yield receiver


@pytest.fixture
def dev(settings):
    """The development setting: a receiver on loopback over plain HTTP; short timeouts so a hang costs little."""
    settings.SLIPCHECK_WEBHOOKS_ALLOW_HTTP = True
    settings.SLIPCHECK_WEBHOOKS_CONNECT_TIMEOUT = 1.0
    settings.SLIPCHECK_WEBHOOKS_TIMEOUT = 1.0
    return settings


@pytest.fixture
def endpoint(campaign, receiver, dev) -> Endpoint:
    return Endpoint.objects.create(campaign=campaign, url=receiver.url)


def waiting(campaign, **kwargs) -> Submission:
    return SubmissionFactory(campaign=campaign, **{"status": Status.MODERATION, **kwargs})


def move(submission: Submission, to: str, **kwargs) -> Submission:
    return submission_transition(submission=submission, to=to, actor="test", **kwargs)


def decided(campaign, to: str = Status.ACCEPTED, **kwargs) -> Submission:
    return move(waiting(campaign, **kwargs), to)


def only_delivery() -> Delivery:
    (delivery,) = Delivery.objects.select_related("endpoint")
    return delivery


def staff(username: str, *codenames: str) -> User:
    user = User.objects.create_user(username, password="pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return User.objects.get(pk=user.pk)
