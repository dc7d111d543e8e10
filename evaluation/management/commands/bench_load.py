"""`manage.py bench_load`: the production stack on loopback under a steady stream of uploads; prints the figures.

A fresh PostgreSQL database (dropped and created anew, migrated, one campaign) and a flushed Redis database back
gunicorn with the production settings, real Celery worker processes and celery beat, all as deployed. Locust
(from the bench virtualenv, never the project's) posts a different generated slip photo per upload at a fixed rate
for a bounded time, with what an honest participant would type. Every second the Redis queue and the submissions
per status are sampled; once the load stops, the backlog is given a bounded time to drain. Then it prints uploads/s,
errors by status, the upload endpoint's p50/p95/p99 (locust), upload-to-decision p50/p95/p99 (the database:
decided_at - created_at, moderation counting as decided) and the final statuses and reasons.

A few warm-up uploads go first and are left out of the figures: workers load the OCR models on their first task,
and a steady state is what the figures are for. Requests say `X-Forwarded-Proto: https`, as the TLS-terminating
proxy would (production redirects plain HTTP). The CPU columns and the closing CPU line say how busy the machine
was and how much of that was the stack: on a shared machine a neighbour's load slows the workers, and shows there.
"""

from __future__ import annotations

import http.client
import io
import json
import math
import os
import random
import resource
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import psycopg
import redis
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from evaluation.loopback import free_port, multipart, wait_for_port
from evaluation.synthetic import photograph, random_truth, render_document
from promo.models import Submission

CAMPAIGN = "load"
QUEUE = "slipcheck-load"
PENDING = (Submission.Status.RECEIVED, Submission.Status.PROCESSING)
UPLOAD_NAME = "POST /api/v1/campaigns/[slug]/submissions/"  # as scripts/locustfile.py names it


def _connect(database_url: str, dbname: str | None = None) -> psycopg.Connection:
    url = urlparse(database_url)
    return psycopg.connect(
        host=url.hostname, port=url.port or 5432, user=url.username or "postgres", password=url.password,
        dbname=dbname or url.path.lstrip("/"), autocommit=True,
    )  # fmt: skip


def _latencies(
    connection: psycopg.Connection, table: str, start: str, end: str, since: datetime
) -> list[float | None]:
    """p50, p95, p99 and max of `end - start` in seconds, over the submissions stored since `since`."""
    seconds = f"extract(epoch FROM {end} - {start})"
    row = connection.execute(
        f"""SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY {seconds}),
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY {seconds}),
                   percentile_cont(0.99) WITHIN GROUP (ORDER BY {seconds}), max({seconds})
            FROM {table} WHERE created_at >= %s AND {end} IS NOT NULL""",
        (since,),
    ).fetchone()
    return [None if value is None else float(value) for value in row]


def _rank(histogram: list[tuple[float, int]], fraction: float) -> float:
    """Nearest-rank percentile of a sorted (value, count) histogram, as locust computes its own."""
    wanted = math.ceil(fraction * sum(n for _, n in histogram))
    seen = 0
    for value, n in histogram:
        seen += n
        if seen >= wanted:
            return value
    return histogram[-1][0]


def _percentiles(values: list[float | None]) -> str:
    shown = ["-" if value is None else f"{value:.2f}" for value in values]
    return " / ".join(shown)


def _cpu_times() -> list[int]:
    """The machine's CPU time by kind (Linux); empty elsewhere, and the CPU columns stay at zero."""
    try:
        return [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return []


def _descendants(roots: list[int]) -> set[int]:
    """These processes and all their children, grandchildren... (Linux)."""
    found, pending = set(), list(roots)
    while pending:
        pid = pending.pop()
        found.add(pid)
        try:
            for task in Path(f"/proc/{pid}/task").iterdir():
                pending.extend(int(child) for child in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue  # gone meanwhile, or not Linux
    return found


def _ticks(pid: int) -> int:
    """CPU time (user + system) of one process, in the ticks /proc/stat counts in; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return 0


def _tree_ticks(roots: list[int]) -> int:
    return sum(_ticks(pid) for pid in _descendants(roots))


def _every_process() -> dict[int, tuple[str, int]]:
    """Every process on the machine: a short name (its command line's first words) and its CPU ticks so far."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                command = command.strip() or f"[{(entry / 'comm').read_text().strip()}]"  # a kernel thread
            except OSError:
                continue
            # PostgreSQL backends name their database then their client: the first four words tell them apart.
            found[int(entry.name)] = (" ".join(command.split()[:4])[:90], _ticks(int(entry.name)))
    return found


def _slope_per_minute(samples: list[Sample]) -> float:
    """Least-squares trend of the queue length: one busy second does not make a growing queue."""
    if len(samples) < 2:
        return 0.0
    xs, ys = [s.seconds for s in samples], [s.queued for s in samples]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    return 60 * sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread


@dataclass
class Sample:
    seconds: float  # since the load started
    phase: str  # "load" or "drain"
    queued: int  # messages waiting in the Redis list
    unacked: int  # delivered to a worker, not yet acknowledged
    statuses: dict[str, int] = field(default_factory=dict)
    cpu: float = 0.0  # percent of the machine busy over the last second, whoever used it
    ours: float = 0.0  # of which gunicorn, the workers, beat and locust (not PostgreSQL, Redis, neighbours)
    steal: float = 0.0  # percent taken by the hypervisor: a neighbour's load, not ours

    @property
    def decided(self) -> int:
        return sum(n for status, n in self.statuses.items() if status not in PENDING)


class Sampler(threading.Thread):
    """Every second: the queue length in Redis and the submissions per status (the database is the truth)."""

    def __init__(
        self, *, database_url: str, redis_url: str, started: float, write: Any, pids: Callable[[], list[int]]
    ) -> None:
        super().__init__(daemon=True)
        self.database_url, self.redis_url, self.started, self.write = database_url, redis_url, started, write
        self.pids = pids
        self.samples: list[Sample] = []
        self.phase = "load"
        self.stopping = threading.Event()

    def run(self) -> None:
        table = Submission._meta.db_table
        broker = redis.Redis.from_url(self.redis_url)
        times, ticks = _cpu_times(), _tree_ticks(self.pids())
        with _connect(self.database_url) as connection:
            while not self.stopping.is_set():
                tick = time.monotonic()
                rows = connection.execute(f"SELECT status, count(*) FROM {table} GROUP BY status").fetchall()
                before, times = times, _cpu_times()
                spent = [now - then for now, then in zip(times, before, strict=True)] or [0]
                total = sum(spent) or 1
                now_ticks = _tree_ticks(self.pids())
                ours, ticks = now_ticks - ticks, now_ticks
                sample = Sample(
                    seconds=tick - self.started,
                    phase=self.phase,
                    queued=broker.llen(QUEUE),
                    unacked=broker.hlen("unacked"),
                    statuses=dict(rows),
                    # /proc/stat: user nice system idle iowait irq softirq steal ...
                    cpu=100 * (total - sum(spent[3:5])) / total if len(spent) > 7 else 0.0,
                    steal=100 * spent[7] / total if len(spent) > 7 else 0.0,
                    ours=100 * max(0, ours) / total if len(spent) > 7 else 0.0,
                )
                self.samples.append(sample)
                if len(self.samples) % 5 == 1:
                    self.write(self.line(sample))
                self.stopping.wait(max(0.0, 1 - (time.monotonic() - tick)))

    @staticmethod
    def line(sample: Sample) -> str:
        s = sample.statuses
        return (
            f"{sample.seconds:6.0f} {sample.phase:>5} {sample.queued:>6} {sample.unacked:>7} "
            f"{s.get('received', 0):>8} {s.get('processing', 0):>10} {sample.decided:>7} {sample.cpu:>5.0f} "
            f"{sample.ours:>5.0f} {sample.steal:>5.0f}"
        )

    @staticmethod
    def header() -> str:
        return (
            f"{'t(s)':>6} {'phase':>5} {'queue':>6} {'unacked':>7} {'received':>8} {'processing':>10} "
            f"{'decided':>7} {'cpu%':>5} {'ours%':>5} {'steal':>5}"
        )


class Command(BaseCommand):
    help = "Run gunicorn, Celery workers and beat (production settings) under locust; print throughput and latency."

    def add_arguments(self, parser):
        parser.add_argument("--rate", type=float, default=1.0, help="uploads per second (default 1)")
        parser.add_argument("--duration", type=int, default=60, help="seconds of load (default 60)")
        parser.add_argument("--workers", type=int, default=2, help="Celery worker processes (default 2)")
        parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers (default 2)")
        parser.add_argument(
            "--users",
            type=int,
            help="locust users: the most uploads in flight at once (default: 4 per upload/s, at least 2)",
        )
        parser.add_argument(
            "--drain",
            type=int,
            default=300,
            help="seconds to wait for the backlog after the load (default 300)",
        )
        parser.add_argument(
            "--warmup",
            type=int,
            help="uploads decided before the load, left out of the figures (default: 2 per worker)",
        )
        parser.add_argument(
            "--database-url",
            default="postgres://postgres@127.0.0.1:5432/slipcheck_load",
            help="PostgreSQL database to DROP and create anew (its name must contain 'load' or 'bench')",
        )
        parser.add_argument(
            "--redis-url",
            default="redis://127.0.0.1:6379/14",
            help="Redis database to FLUSH and use as broker",
        )
        parser.add_argument("--seed", type=int, default=20261130, help="of the generated slips")
        parser.add_argument(
            "--strength",
            type=float,
            default=0.2,
            help="photo degradation, 0..1 (0.2: legible, as in the tests)",
        )
        parser.add_argument(
            "--locust",
            default=str(Path(settings.BASE_DIR) / ".venv-bench" / "bin" / "locust"),
            help="locust executable (make bench-load installs it from requirements-bench.lock)",
        )
        parser.add_argument(
            "--logs",
            default=str(Path(settings.VAR_DIR) / "bench-load"),
            help="folder for the servers' logs, emptied first",
        )

    def handle(self, *args, **options):
        if options["rate"] <= 0 or options["duration"] <= 0 or options["workers"] <= 0:
            raise CommandError("--rate, --duration and --workers must be positive")
        if not Path(options["locust"]).is_file():
            raise CommandError(
                f"no locust at {options['locust']}: `make bench-load` installs it (.venv-bench)"
            )
        database_url, redis_url = options["database_url"], options["redis_url"]
        name = urlparse(database_url).path.lstrip("/")
        if "load" not in name and "bench" not in name:
            raise CommandError(f"refusing to drop database {name!r}: its name must contain 'load' or 'bench'")
        if urlparse(redis_url).path.strip("/") in ("", "0"):
            raise CommandError("give the Redis URL a database index other than 0 (it is flushed)")
        self.processes: list[tuple[str, subprocess.Popen]] = []
        logs = Path(options["logs"])
        logs.mkdir(parents=True, exist_ok=True)
        for old in logs.iterdir():
            old.unlink()
        with tempfile.TemporaryDirectory(prefix="bench-load-") as folder:
            try:
                self._run(Path(folder), logs, options)
            finally:
                self._stop_all()

    def _run(self, folder: Path, logs: Path, options: dict[str, Any]) -> None:
        database_url, redis_url = options["database_url"], options["redis_url"]
        rate, duration, workers = options["rate"], options["duration"], options["workers"]
        users = options["users"] or max(2, math.ceil(rate * 4))
        warmup = options["warmup"] if options["warmup"] is not None else 2 * workers
        self._recreate_database(database_url)
        redis.Redis.from_url(redis_url).flushdb()
        env = self._production_env(folder, database_url, redis_url)
        manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
        today = timezone.localdate()
        starts, ends = today - timedelta(days=90), today + timedelta(days=30)
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True)
        subprocess.run(
            [*manage, "create_campaign", CAMPAIGN, "--name", "Load benchmark", "--starts", str(starts),
             "--ends", str(ends)],
            env=env, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip

        # One photo per upload: a margin over the target, since locust may run a little over the rate.
        planned = math.ceil(rate * duration * 1.1) + users
        started = time.monotonic()
        pool = self._generate(folder / "photos", planned + warmup, options["seed"], options["strength"],
                              start=today - timedelta(days=60), end=today - timedelta(days=1))  # fmt: skip
        self.stdout.write(f"generated {len(pool)} distinct slip photos in {time.monotonic() - started:.0f} s")

        port = free_port()
        self._start(
            "gunicorn",
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", str(options["web_workers"]),
             "--bind", f"127.0.0.1:{port}", "--chdir", str(settings.BASE_DIR), "--no-control-socket"],
            env, logs,
        )  # fmt: skip
        celery = [sys.executable, "-m", "celery", "-A", "config"]
        self._start(
            "worker",
            [*celery, "worker", "--pool", "prefork", "--concurrency", str(workers), "--queues", QUEUE,
             "--hostname", f"load-{uuid.uuid4().hex[:6]}@%h", "--loglevel", "warning"],
            env, logs,
        )  # fmt: skip
        self._start(
            "beat",
            [*celery, "beat", "--loglevel", "warning", "--schedule", str(folder / "celerybeat-schedule")],
            env,
            logs,
        )
        wait_for_port(port, self.processes)
        self.stdout.write(
            f"gunicorn ({options['web_workers']} workers) on 127.0.0.1:{port}, {workers} Celery worker processes "
            f"and beat, production settings; logs in {logs}"
        )

        self._warm_up(port, folder / "photos", pool[planned:], database_url)
        load_from = self._now(database_url)  # the database's clock: created_at is the database server's time
        photos = folder / "photos"
        (photos / "truths.jsonl").write_text("".join(json.dumps(truth) + "\n" for truth in pool[:planned]))
        self.stdout.write(
            f"\nload: {rate:g} uploads/s for {duration} s from {users} locust users, then up to "
            f"{options['drain']} s to drain\n{Sampler.header()}"
        )
        clock = time.monotonic()
        sampler = Sampler(
            database_url=database_url, redis_url=redis_url, started=clock, write=self.stdout.write,
            pids=lambda: [process.pid for _, process in self.processes],
        )  # fmt: skip
        sampler.start()
        prefix = folder / "locust"
        before, reaped, machine = _every_process(), resource.getrusage(resource.RUSAGE_CHILDREN), _cpu_times()
        locust = self._start(
            "locust",
            [options["locust"], "-f", str(Path(settings.BASE_DIR) / "scripts" / "locustfile.py"), "--headless",
             "-u", str(users), "-r", str(users * 10), "-t", f"{duration}s", "--stop-timeout", "30",
             "--host", f"http://127.0.0.1:{port}", "--json-file", str(prefix), "--only-summary", "--loglevel", "WARNING"],
            {**os.environ, "BENCH_PHOTOS": str(photos), "BENCH_CAMPAIGN": CAMPAIGN, "BENCH_RATE": str(rate),
             "BENCH_STATUSES": f"{prefix}-statuses.json"},
            logs,
        )  # fmt: skip
        locust.wait(duration + 120)
        load_seconds = time.monotonic() - clock
        # Locust has exited: its CPU time is found among this process's reaped children.
        done = resource.getrusage(resource.RUSAGE_CHILDREN)
        locust_cpu = done.ru_utime + done.ru_stime - reaped.ru_utime - reaped.ru_stime
        spent = [now - then for now, then in zip(_cpu_times(), machine, strict=True)]
        busy = (sum(spent) - sum(spent[3:5])) / os.sysconf("SC_CLK_TCK")  # all but idle and iowait
        cpu_use = self._cpu_use(before, _every_process(), load_seconds, locust_cpu, busy)
        sampler.phase = "drain"
        drain_until = time.monotonic() + options["drain"]
        while time.monotonic() < drain_until:
            time.sleep(1)
            last = sampler.samples[-1]
            if not any(last.statuses.get(status, 0) for status in PENDING) and not last.queued:
                break
        sampler.stopping.set()
        sampler.join()
        self.stdout.write(Sampler.line(sampler.samples[-1]))
        self._report(
            prefix=prefix, locust_status=locust.returncode, load_seconds=load_seconds, duration=duration,
            pool=planned, workers=workers, samples=sampler.samples, database_url=database_url,
            load_from=load_from, rate=rate, logs=logs, cpu_use=cpu_use,
        )  # fmt: skip

    def _cpu_use(
        self,
        before: dict[int, tuple[str, int]],
        after: dict[int, tuple[str, int]],
        seconds: float,
        locust_cpu: float,
        busy: float,
    ) -> str:
        """Who used the CPU during the load: on a shared machine, a neighbour's work slows the workers down."""
        ours = {pid: name for name, process in self.processes for pid in _descendants([process.pid])}
        used: dict[str, float] = {"locust": locust_cpu}
        hertz = os.sysconf("SC_CLK_TCK")
        for pid, (command, ticks) in after.items():
            spent = (ticks - before.get(pid, (command, 0))[1]) / hertz
            label = ours.get(pid) or command
            used[label] = used.get(label, 0.0) + spent
        # Processes that began and ended during the load are gone from both snapshots: what the machine was busy
        # for beyond the processes seen is theirs (and interrupts').
        used["unattributed (short-lived processes, interrupts)"] = busy - sum(used.values())
        top = sorted(used.items(), key=lambda item: -item[1])[:8]
        return (
            f"CPU seconds over the {seconds:.0f} s of load ({os.cpu_count()} CPUs, {busy:.0f} busy): "
            + ", ".join(f"{label} {spent:.0f}" for label, spent in top if spent >= 0.5)
        )

    # --- the stack ---------------------------------------------------------------------------------------------

    @staticmethod
    def _recreate_database(database_url: str) -> None:
        name = urlparse(database_url).path.lstrip("/")
        with _connect(database_url, dbname="postgres") as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')

    @staticmethod
    def _production_env(folder: Path, database_url: str, redis_url: str) -> dict[str, str]:
        (folder / "static").mkdir()
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": redis_url,
            "ALLOWED_HOSTS": "127.0.0.1",
            "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
            "MEDIA_ROOT": str(folder / "media"),
            "STATIC_ROOT": str(folder / "static"),
            "SLIPCHECK_UPLOAD_RATE": "1000000/minute",
            "SLIPCHECK_UPLOAD_RATE_PER_CONTACT": "1000000/minute",
            "SLIPCHECK_OCR_THREADS": "1",
            "LOG_LEVEL": "WARNING",
        }

    def _start(self, name: str, command: list[str], env: dict[str, str], logs: Path) -> subprocess.Popen:
        # A session of its own: a Ctrl-C at the terminal reaches this command, which stops them in order.
        with (logs / f"{name}.log").open("w") as log:  # the child has its own copy of the descriptor
            process = subprocess.Popen(
                command, env=env, cwd=settings.BASE_DIR, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        self.processes.append((name, process))
        return process

    def _stop_all(self) -> None:
        for _, process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()  # gunicorn and Celery shut down warm on SIGTERM
        for name, process in reversed(self.processes):
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                self.stderr.write(f"{name} did not stop in 60 s: killed")
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()

    # --- photos and warm-up ------------------------------------------------------------------------------------

    @staticmethod
    def _generate(
        folder: Path, count: int, seed: int, strength: float, *, start: date, end: date
    ) -> list[dict]:
        """Distinct slips dated inside the campaign and before today, with what an honest participant types."""
        folder.mkdir()
        master = random.Random(seed)
        pool = []
        for index in range(count):
            rng = random.Random(master.getrandbits(64))
            truth = random_truth(rng, kind="slip", start=start, end=end)
            buffer = io.BytesIO()
            photograph(render_document(truth, rng), rng, strength=strength).save(buffer, "JPEG", quality=90)
            name = f"slip_{index:05d}.jpg"
            (folder / name).write_bytes(buffer.getvalue())
            pool.append({"file": name, "amount": f"{truth.amount:.2f}", "card_last4": truth.card_last4})
        return pool

    def _warm_up(self, port: int, folder: Path, photos: list[dict], database_url: str) -> None:
        """Each worker process loads the OCR models on its first task: those seconds are not the steady state."""
        if not photos:
            return
        for number, slip in enumerate(photos):
            status = self._post(port, (folder / slip["file"]).read_bytes(), slip, f"+7998{number:07d}")
            if status != 202:
                raise CommandError(f"a warm-up upload was answered {status}, not 202: see logs/gunicorn.log")
        deadline = time.monotonic() + 300
        table = Submission._meta.db_table
        with _connect(database_url) as connection:
            while time.monotonic() < deadline:
                pending = connection.execute(
                    f"SELECT count(*) FROM {table} WHERE status = ANY(%s)", (list(PENDING),)
                ).fetchone()[0]
                if not pending:
                    self.stdout.write(f"warm-up: {len(photos)} uploads decided")
                    return
                time.sleep(0.5)
        raise CommandError("the warm-up uploads were not decided in 300 s: see logs/worker.log")

    @staticmethod
    def _post(port: int, data: bytes, slip: dict, contact: str) -> int:
        fields = {
            "amount": slip["amount"],
            "card_last4": slip["card_last4"],
            "contact": contact,
            "consent": "true",
        }
        head, tail, content_type = multipart(fields, slip["file"], "image/jpeg")
        body = head + data + tail
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request(
            "POST",
            f"/api/v1/campaigns/{CAMPAIGN}/submissions/",
            body=body,
            headers={
                "Content-Type": content_type,
                "X-Forwarded-Proto": "https",
            },
        )
        status = connection.getresponse().status
        connection.close()
        return status

    @staticmethod
    def _now(database_url: str) -> datetime:
        with _connect(database_url) as connection:
            return connection.execute("SELECT now()").fetchone()[0]

    # --- figures ---------------------------------------------------------------------------------------------

    def _report(
        self,
        *,
        prefix: Path,
        locust_status: int,
        load_seconds: float,
        duration: int,
        workers: int,
        pool: int,
        samples: list[Sample],
        database_url: str,
        load_from: datetime,
        rate: float,
        logs: Path,
        cpu_use: str,
    ) -> None:
        write = self.stdout.write
        stats = json.loads(Path(f"{prefix}.json").read_text()) if Path(f"{prefix}.json").exists() else []
        upload = next((entry for entry in stats if entry["name"] == UPLOAD_NAME), None)
        if upload is None or not upload["num_requests"]:
            raise CommandError(
                f"locust sent no upload (exit status {locust_status}): see {logs / 'locust.log'}"
            )
        sent, failed = upload["num_requests"], upload["num_failures"]
        statuses = json.loads(Path(f"{prefix}-statuses.json").read_text())
        by_status = (
            ", ".join(f"{code}: {n}" for code, n in sorted(statuses.items()) if code != "202") or "none"
        )
        # Locust's own histogram (times rounded as it rounds them), from its final stats.
        times = sorted((float(ms), n) for ms, n in upload["response_times"].items())
        write("\n=== uploads (locust) ===")
        write(
            f"sent {sent} in {duration} s: {sent / duration:.2f} uploads/s (target {rate:g}; locust ran "
            f"{load_seconds:.0f} s with its start and stop)"
        )
        write(f"errors (not 202): {failed} (by status, 0 = no answer: {by_status})")
        write(
            f"upload endpoint ms p50/p95/p99/max: "
            f"{' / '.join(f'{_rank(times, p):.0f}' for p in (0.5, 0.95, 0.99))} / {upload['max_response_time']:.0f} "
            f"(mean {upload['total_response_time'] / sent:.0f})"
        )
        if sent > pool:
            write(f"{sent - pool} uploads re-sent a photo of the pool (of {pool}): expect them as duplicates")

        table = Submission._meta.db_table
        with _connect(database_url) as connection:
            total, decided = connection.execute(
                f"SELECT count(*), count(decided_at) FROM {table} WHERE created_at >= %s", (load_from,)
            ).fetchone()
            spans = {
                "upload-to-decision": ("created_at", "decided_at"),
                "  waiting in the queue": ("created_at", "processing_started_at"),
                "  processing (claim to decision)": ("processing_started_at", "decided_at"),
            }
            latencies = {
                label: _latencies(connection, table, start, end, load_from)
                for label, (start, end) in spans.items()
            }
            outcomes = connection.execute(
                f"""SELECT status, coalesce(reasons -> 0 ->> 'code', '-'), count(*) FROM {table}
                    WHERE created_at >= %s GROUP BY 1, 2 ORDER BY 1, 3 DESC""",
                (load_from,),
            ).fetchall()
            duplicates, retried = connection.execute(
                f"""SELECT count(*) FILTER (WHERE duplicate_of_id IS NOT NULL), count(*) FILTER (WHERE attempts > 1)
                    FROM {table} WHERE created_at >= %s""",
                (load_from,),
            ).fetchone()
        write("\n=== decisions (database: decided_at - created_at; moderation counts as decided) ===")
        write(f"stored {total}, decided {decided}, still undecided at the end {total - decided}")
        for label, values in latencies.items():
            write(f"{label + ' s p50/p95/p99/max:':<51} {_percentiles(values)}")
        write(f"found to be duplicates: {duplicates}; processed more than once: {retried}")
        totals: dict[str, int] = {}
        for status, _, count in outcomes:
            totals[status] = totals.get(status, 0) + count
        write(
            "by status, then by first reason: " + ", ".join(f"{status} {n}" for status, n in totals.items())
        )
        for status, code, count in outcomes:
            write(f"  {status:<11} {code:<26} {count:>5}")

        load = [sample for sample in samples if sample.phase == "load"]
        write("\n=== queue (Redis list, sampled every second) ===")
        if load:
            half = load[len(load) // 2 :]
            trend = _slope_per_minute(half)
            # Growing: the fitted rise over the second half is more than a task per worker, not a busy second.
            growing = trend * (half[-1].seconds - half[0].seconds) / 60 > workers
            write(
                f"during the load: max {max(s.queued for s in load)}, at its end {load[-1].queued}; over its second "
                f"half the queue moved {trend:+.1f}/min ({'growing' if growing else 'bounded'})"
            )
            busy, ours, steal = (
                sum(getattr(s, name) for s in load) / len(load) for name in ("cpu", "ours", "steal")
            )
            write(
                f"machine CPU busy during the load: {busy:.0f}% on average, {ours:.0f}% of it the stack's processes "
                f"(the rest: PostgreSQL, Redis, anything else running; hypervisor steal {steal:.0f}%)"
            )
            write(cpu_use)
        last = samples[-1]
        waited = last.seconds - (load[-1].seconds if load else 0)
        if any(last.statuses.get(status, 0) for status in PENDING) or last.queued:
            write(f"NOT drained {waited:.0f} s after the load: {last.queued} queued, {last.statuses}")
        else:
            write(f"drained in {waited:.0f} s after the load")
        for name in ("gunicorn", "worker", "beat"):
            text = (logs / f"{name}.log").read_text(errors="replace")
            problems = text.count("Traceback") + text.count(" ERROR ") + text.count("CRITICAL")
            if problems:
                write(f"{name}.log: {problems} errors or tracebacks (see {logs / (name + '.log')})")
