"""The report's rollups refreshed for real on PostgreSQL while moderators move submissions and participants send
new ones, in threads with their own connections: refreshes of one campaign never overlap, no move is lost, and
what the last refreshes leave equals a full rebuild (and the rows recomputed)."""

import random
import threading
from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from promo.models import Submission
from promo.transitions import TransitionNotAllowed, submission_transition
from reports.models import DailyTraffic
from reports.rollups import rollups_refresh
from tests.integration.test_races import in_threads
from tests.reports.fixtures import add, participants
from tests.reports.test_rollups import (
    assert_report_is_the_rows,
    random_campaign,
    random_row,
    tables,
    with_trail,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
Status = Submission.Status


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: `make test` runs it in its services pass")


def test_refreshes_racing_moves_and_each_other_leave_the_rollups_a_rebuild_would():
    rng = random.Random(21)
    campaign, moderators = random_campaign(rng, "Europe/Moscow", n=300)
    rollups_refresh(campaign=campaign)
    ids = list(Submission.objects.filter(campaign=campaign).values_list("pk", flat=True))
    people = participants(8, prefix="+7944")
    moving = threading.Event()
    moving.set()
    last = threading.Barrier(3)

    def mover(seed: int):
        def run():
            local = random.Random(seed)
            moved = 0
            for pk in local.sample(ids, 80):
                submission = Submission.objects.get(pk=pk)
                targets = sorted(
                    submission.TRANSITIONS[submission.status] - {Status.PROCESSING, Status.RECEIVED}
                )
                if not targets:
                    continue
                try:
                    submission_transition(
                        submission=submission,
                        to=local.choice(targets),
                        actor="m",
                        user=local.choice(moderators),
                    )
                    moved += 1
                except TransitionNotAllowed:  # the other mover took it first
                    pass
            return moved

        return run

    def sender():
        local = random.Random(5)
        for _ in range(6):
            rows = [random_row(local, people, moderators, start=timezone.now() - timedelta(days=local.randrange(0, 40)))
                    for _ in range(5)]  # fmt: skip
            with_trail(add(campaign, rows))
        return 30

    def refresher():
        done = 0
        while moving.is_set():
            rollups_refresh(campaign=campaign)
            done += 1
        last.wait(timeout=60)  # the moves are over: both refresh at once, one more time
        rollups_refresh(campaign=campaign)
        return done

    def work():
        try:
            return sum(in_threads([mover(1), mover(2), sender]))
        finally:
            moving.clear()
            last.wait(timeout=60)

    results = in_threads([work, refresher, refresher])
    assert results[0] > 60 and min(results[1:]) >= 1, results
    raced = tables(campaign)
    assert DailyTraffic.objects.filter(campaign=campaign).aggregate(n=Sum("n"))["n"] == 330
    rollups_refresh(campaign=campaign, rebuild=True)
    assert tables(campaign) == raced
    assert_report_is_the_rows(campaign, [(date(2026, 9, 20), timezone.localdate() + timedelta(days=1))])
