"""Locust users for `manage.py bench_load`: each upload posts a different generated slip photo to the API.

Runs in the bench virtualenv (.venv-bench, requirements-bench.lock), which has locust and none of the project:
everything it needs comes from the environment `bench_load` sets.

- BENCH_PHOTOS: folder with `truths.jsonl` ({"file", "amount", "card_last4"} per line) and the JPEGs it names.
- BENCH_CAMPAIGN: the campaign's slug.
- BENCH_RATE: uploads per second, all users together.
- BENCH_STATUSES: where to write how many answers had each HTTP status (0: no answer), once locust quits.

The uploads follow a fixed schedule, one every 1/BENCH_RATE seconds from the first: whichever user is free takes
the next time slot (locust's constant_throughput paces each user alone, and their phases meet, so the uploads
came in clumps). The users only bound how many uploads can be in flight at once.

Photos are handed out in order, one per upload, so no two uploads send the same slip while the pool lasts; past
its end they are sent again (and decided as duplicates): `bench_load` sizes the pool so that does not happen.
"""

from __future__ import annotations

import itertools
import json
import os
import time
from collections import Counter
from pathlib import Path

import gevent
from locust import HttpUser, events, task

PHOTOS = Path(os.environ["BENCH_PHOTOS"])
CAMPAIGN = os.environ["BENCH_CAMPAIGN"]
RATE = float(os.environ["BENCH_RATE"])
UPLOAD_NAME = "POST /api/v1/campaigns/[slug]/submissions/"

# Read once, before the clock starts: the load tool must not wait on the disk.
POOL = [
    {**truth, "data": (PHOTOS / truth["file"]).read_bytes()}
    for truth in map(json.loads, (PHOTOS / "truths.jsonl").read_text().splitlines())
]
# Locust users are greenlets of one process: shared counters hand each upload its own photo, phone and slot.
UPLOADS = itertools.count()
SLOTS = itertools.count()
FIRST_SLOT: list[float] = []
STATUSES: Counter[int] = Counter()


def until_next_slot() -> float:
    if not FIRST_SLOT:
        FIRST_SLOT.append(time.monotonic())
    return max(0.0, FIRST_SLOT[0] + next(SLOTS) / RATE - time.monotonic())


class Participant(HttpUser):
    def wait_time(self) -> float:
        return until_next_slot()

    def on_start(self) -> None:
        gevent.sleep(until_next_slot())  # the first upload waits for its slot too

    @task
    def upload(self) -> None:
        number = next(UPLOADS)
        slip = POOL[number % len(POOL)]
        with self.client.post(
            f"/api/v1/campaigns/{CAMPAIGN}/submissions/",
            name=UPLOAD_NAME,
            # As the TLS-terminating proxy says: production settings redirect plain HTTP to HTTPS.
            headers={"X-Forwarded-Proto": "https", "Accept-Language": "en"},
            data={
                "amount": slip["amount"],
                "card_last4": slip["card_last4"],
                "contact": f"+7999{number:07d}",
                "consent": "true",
            },
            files={"photo": (slip["file"], slip["data"], "image/jpeg")},
            catch_response=True,
        ) as response:
            STATUSES[response.status_code] += 1
            if response.status_code == 202:
                response.success()
            else:
                response.failure(f"status {response.status_code}")


@events.quitting.add_listener
def write_statuses(**kwargs) -> None:
    """After the users stopped: locust's CSV files are written before the last answers are in."""
    Path(os.environ["BENCH_STATUSES"]).write_text(json.dumps(STATUSES))
