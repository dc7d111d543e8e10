"""Benchmark, not a test (its name keeps it out of the suite): `make bench-moderation` prints

- the queries the queue and review pages make with 10 and with 10,000 submissions waiting, and
- what one decision costs a moderator in a real browser at 1366x768: keys pressed, pages loaded, and the time
  from the key to the next submission on screen (median and 90th percentile over a run through the queue).

It runs on the test database (SQLite, or PostgreSQL with DATABASE_URL), through pytest-django's live server.
"""

import statistics
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from promo.models import Recognition, Submission
from tests.browser.test_moderation import MODERATOR, SCREEN, log_in, staff, waiting
from tests.factories import CampaignFactory, ParticipantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Status = Submission.Status
DECISIONS = 30


def fill_queue(campaign, photo_name: str, total: int) -> None:
    """Waiting submissions in bulk (the same stored photo, each its own reading)."""
    participant = ParticipantFactory()
    now = timezone.now()
    have = Submission.objects.filter(campaign=campaign).count()
    rows = [
        Submission(
            id=uuid.uuid4(), campaign=campaign, participant=participant, photo=photo_name,
            photo_sha256=f"{n:064x}", typed_amount=Decimal("100.00") + n, typed_card_last4="4821",
            status=Status.MODERATION, waiting_since=now - timedelta(seconds=n),
            reasons=[{"code": "low_confidence", "details": {"field": "amount"}}], reason_codes=" low_confidence ",
        )
        for n in range(have, total)
    ]  # fmt: skip
    Submission.objects.bulk_create(rows, batch_size=1000)
    Recognition.objects.bulk_create(
        [Recognition(submission=s, campaign=campaign, engine="bench", kind="slip", amount=s.typed_amount,
                     card_last4="4821", date=date(2026, 10, 5), fields={}) for s in rows],
        batch_size=1000,
    )  # fmt: skip


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_queries_with_10_and_10000_waiting():
    campaign = CampaignFactory(starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 31))
    first = waiting(campaign, 0, 600, "99.00")
    user = staff("bench", *MODERATOR)
    client = Client()
    client.force_login(user)
    review = f"/admin/moderation/queueitem/{first.pk}/review/"
    client.get(review)  # the claim is taken once; later openings extend it
    rows = []
    for total in (10, 10_000):
        fill_queue(campaign, first.photo.name, total)
        started = time.perf_counter()
        queue_queries = queries(client, "/admin/moderation/queueitem/")
        queue_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        review_queries = queries(client, review)
        review_ms = (time.perf_counter() - started) * 1000
        rows.append((total, queue_queries, queue_ms, review_queries, review_ms))
    print(f"\n=== queries per page ({connection.vendor}) ===")
    print(f"{'waiting':>8} {'queue':>6} {'queue ms':>9} {'review':>7} {'review ms':>10}")
    for total, qq, qms, rq, rms in rows:
        print(f"{total:>8} {qq:>6} {qms:>9.0f} {rq:>7} {rms:>10.0f}")
    assert rows[0][1] == rows[1][1] and rows[0][3] == rows[1][3]


def test_time_per_decision_in_the_browser(browser, live_server):
    campaign = CampaignFactory(starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 31))
    staff("moderator", *MODERATOR)
    for n in range(DECISIONS):
        waiting(campaign, n % 20, 600 - n, f"{100 + n}.00")
    page = log_in(browser, live_server, "moderator")
    page.goto(f"{live_server.url}/admin/moderation/queueitem/")
    page.keyboard.press("n")
    page.wait_for_url("**/review/")
    times, keys, loads = [], 0, 0
    for n in range(DECISIONS):
        current = page.url
        started = time.perf_counter()
        if n % 3 == 2:  # every third one rejected with a reason: two keys
            page.keyboard.press("r")
            page.keyboard.press("2")
            keys += 2
        else:
            page.keyboard.press("a")
            keys += 1
        page.wait_for_url(lambda url, current=current: url != current)
        page.locator("#photo, #result_list, .errornote, #changelist").first.wait_for()
        loads += 1
        times.append((time.perf_counter() - started) * 1000)
    assert Submission.objects.filter(status=Status.MODERATION).count() == 0
    times.sort()
    print(
        f"\n=== one decision in the browser ({connection.vendor}, {SCREEN['width']}x{SCREEN['height']}) ==="
    )
    print(
        f"decisions {DECISIONS}: keys per decision {keys / DECISIONS:.2f} (A, or R then a digit), "
        f"page loads per decision {loads / DECISIONS:.0f} (the next one opens by itself)"
    )
    print(
        f"key to the next submission on screen: median {statistics.median(times):.0f} ms, "
        f"p90 {times[int(len(times) * 0.9) - 1]:.0f} ms, max {times[-1]:.0f} ms"
    )
    page.context.close()
