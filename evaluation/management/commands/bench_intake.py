"""`manage.py bench_intake`: every hostile upload of evaluation.intake_cases sent to a real server over loopback.

A fresh site (its own SQLite database and media folder, the local settings, the real size and pixel caps) runs
under gunicorn with one worker; each case is posted to the API as a client would send it (the oversized body streamed in
chunks), and the command prints the status, the time to the answer, and how far the server's peak resident
memory rose above where it stood before the request (its kernel high-water mark, reset before each case).
An honest phone photo is sent last, for comparison.
"""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from evaluation.intake_cases import HostileCase, encoded, hostile_cases, jpeg_with_gps, photo_like
from evaluation.loopback import free_port, multipart, wait_for_port

FIELDS = {"amount": "10.00", "card_last4": "1234", "contact": "+79990000000", "consent": "true"}


def _memory_kib(pid: int, field: str) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", status, re.M).group(1))


class Command(BaseCommand):
    help = "Post every hostile upload to a real local server; print status, seconds and peak memory growth."

    def add_arguments(self, parser):
        parser.add_argument(
            "--repeat", type=int, default=3, help="times each case is sent (the worst is shown)"
        )

    def handle(self, *args, **options):
        if not Path("/proc/self/clear_refs").exists():
            raise CommandError("needs Linux's /proc to measure peak memory")
        with tempfile.TemporaryDirectory(prefix="bench-intake-") as folder:
            port = free_port()
            env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local", "VAR_DIR": folder,
                   "DEBUG": "0", "SLIPCHECK_UPLOAD_RATE": "100000/minute",
                   "SLIPCHECK_UPLOAD_RATE_PER_CONTACT": "100000/minute", "LOG_LEVEL": "ERROR"}  # fmt: skip
            manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
            subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True)
            subprocess.run(
                [*manage, "create_campaign", "bench", "--name", "Bench", "--starts", "2026-01-01", "--ends", "2026-12-31"],
                env=env, check=True, stdout=subprocess.DEVNULL,
            )  # fmt: skip
            # gunicorn, as in production (runserver reads an unread body into memory when it closes a request).
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "config.wsgi",
                    "--workers",
                    "1",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--chdir",
                    str(settings.BASE_DIR),
                    "--no-control-socket",  # gunicorn 27 shares one per user: two benchmarks at once would clash
                ],
                env={**env, "CELERY_TASK_ALWAYS_EAGER": "0", "CELERY_BROKER_URL": "memory://"},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                wait_for_port(port)
                self._run(self._worker_of(server.pid), port, options["repeat"])
            finally:
                server.terminate()
                server.wait(10)

    @staticmethod
    def _worker_of(master: int) -> int:
        """The one gunicorn worker process: the one whose memory a request moves."""
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if len(children) != 1:
            raise CommandError(f"expected one gunicorn worker, found {children}")
        return int(children[0])

    def _run(self, pid: int, port: int, repeat: int) -> None:
        cap = settings.SLIPCHECK_MAX_PHOTO_BYTES
        honest = HostileCase(
            "honest phone photo with GPS (JPEG)", "IMG_0001.jpg", "image/jpeg", jpeg_with_gps, 202
        )
        big = HostileCase("honest 12 Mpx photo (JPEG)", "IMG_0002.jpg", "image/jpeg",
                          lambda: encoded(photo_like(3000, 4000), "JPEG", quality=85), 202)  # fmt: skip
        self.stdout.write(f"size cap {cap // 2**20} MiB, pixel cap {settings.SLIPCHECK_MAX_IMAGE_PIXELS / 1e6:.0f} Mpx, "
                          f"server pid {pid}, worst of {repeat}")  # fmt: skip
        self.stdout.write(f"{'case':48} {'bytes':>11} {'status':>6} {'seconds':>8} {'peak MB':>8}")
        for case in [*hostile_cases(cap), honest, big]:
            data = case.make()
            worst_seconds, worst_growth, statuses = 0.0, 0.0, set()
            for _ in range(repeat):
                Path(f"/proc/{pid}/clear_refs").write_text("5")
                before = _memory_kib(pid, "VmRSS")
                status, seconds = self._post(port, data, case)
                growth = (_memory_kib(pid, "VmHWM") - before) / 1024
                statuses.add(status)
                worst_seconds, worst_growth = max(worst_seconds, seconds), max(worst_growth, growth)
            shown = "/".join(str(s) for s in sorted(statuses))
            mark = "" if statuses == {case.status} else f"  EXPECTED {case.status}"
            self.stdout.write(
                f"{case.name:48} {len(data):>11,} {shown:>6} {worst_seconds:>8.3f} {worst_growth:>8.1f}{mark}"
            )

    @staticmethod
    def _post(port: int, data: bytes, case: HostileCase) -> tuple[int, float]:
        head, tail, content_type = multipart(FIELDS, case.file_name, case.content_type)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        started = time.perf_counter()
        connection.putrequest("POST", "/api/v1/campaigns/bench/submissions/")
        connection.putheader("Content-Type", content_type)
        connection.putheader("Content-Length", str(len(head) + len(data) + len(tail)))
        connection.putheader("Accept-Language", "en")
        connection.endheaders()
        try:
            connection.send(head)
            for start in range(0, len(data), 1 << 20):  # streamed as a phone on a good network would
                connection.send(data[start : start + (1 << 20)])
            connection.send(tail)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before the body was read: the answer is already waiting
        response = connection.getresponse()
        response.read()
        seconds = time.perf_counter() - started
        connection.close()
        return response.status, seconds
