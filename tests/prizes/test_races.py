"""Acceptances racing for promo codes on PostgreSQL: threads with their own connections and transactions."""

import threading

import pytest
from django.db import connection

from prizes.models import CodeShortage, PromoCode
from promo.models import Submission
from promo.transitions import TransitionNotAllowed, submission_transition
from tests.factories import CampaignFactory
from tests.integration.test_races import in_threads
from tests.prizes.conftest import pool, waiting

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
Status = Submission.Status


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: `make test` runs it in its services pass")


def accept_all_at_once(submissions: list[Submission]) -> list[object]:
    barrier = threading.Barrier(len(submissions))

    def accept(submission):
        barrier.wait(timeout=60)
        try:
            return submission_transition(submission=submission, to=Status.ACCEPTED, actor="race")
        except TransitionNotAllowed as refused:
            return refused

    return in_threads([lambda s=s: accept(s) for s in submissions])


@pytest.mark.parametrize("codes", [20, 30])
def test_twenty_concurrent_acceptances_get_twenty_distinct_codes(codes):
    campaign = CampaignFactory()
    pool(campaign, codes)
    submissions = [waiting(campaign) for _ in range(20)]
    results = accept_all_at_once(submissions)
    assert all(isinstance(r, Submission) for r in results), results
    held = list(PromoCode.objects.filter(submission__isnull=False).values_list("submission_id", "code"))
    assert sorted(s for s, _ in held) == sorted(s.pk for s in submissions)  # each one code, none two
    assert len({code for _, code in held}) == 20
    assert not CodeShortage.objects.exists()
    assert Submission.objects.filter(status=Status.ACCEPTED).count() == 20


def test_a_pool_of_five_gives_five_codes_and_notes_fifteen_shortages():
    campaign = CampaignFactory()
    pool(campaign, 5)
    submissions = [waiting(campaign) for _ in range(20)]
    accept_all_at_once(submissions)
    assert Submission.objects.filter(status=Status.ACCEPTED).count() == 20  # every acceptance stands
    holders = set(PromoCode.objects.filter(submission__isnull=False).values_list("submission_id", flat=True))
    short = set(CodeShortage.objects.values_list("submission_id", flat=True))
    assert len(holders) == 5 and len(short) == 15
    assert holders | short == {s.pk for s in submissions} and not holders & short


def test_one_submission_accepted_from_ten_threads_is_accepted_once_with_one_code():
    campaign = CampaignFactory()
    pool(campaign, 10)
    submission = waiting(campaign)
    copies = [Submission.objects.get(pk=submission.pk) for _ in range(10)]
    results = accept_all_at_once(copies)
    assert sum(isinstance(r, Submission) for r in results) == 1
    assert PromoCode.objects.filter(submission__isnull=False).count() == 1
    assert submission.transitions.filter(to_status=Status.ACCEPTED).count() == 1
