"""Moderators racing for real on PostgreSQL: threads with their own connections."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.utils import timezone

from moderation.models import ReviewClaim
from moderation.services import ClaimHeld, GuardFailed, claim_next, claim_take, moderation_approve
from promo.models import Submission
from tests.factories import CampaignFactory, RecognitionFactory, SubmissionFactory
from tests.integration.test_races import in_threads

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
Status = Submission.Status


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: `make test` runs it in its services pass")


def moderators(n: int) -> list[User]:
    perms = Permission.objects.filter(codename__in=["change_queueitem", "moderate_any_campaign"])
    users = []
    for i in range(n):
        user = User.objects.create_user(f"mod{i}", is_staff=True)
        user.user_permissions.add(*perms)
        users.append(User.objects.get(pk=user.pk))
    return users


def waiting(campaign, amount: str = "777.00", **kwargs) -> Submission:
    submission = SubmissionFactory(campaign=campaign, status=Status.MODERATION, typed_amount=Decimal(amount), **kwargs)  # fmt: skip
    RecognitionFactory(submission=submission, campaign=campaign, amount=Decimal(amount), card_last4="4821",
                       date=date(2026, 10, 5))  # fmt: skip
    Submission.objects.filter(pk=submission.pk).update(waiting_since=timezone.now())
    return Submission.objects.get(pk=submission.pk)


def attempt(call):
    try:
        return call()
    except (GuardFailed, ClaimHeld) as refused:
        return refused


def test_two_moderators_approving_two_copies_of_one_slip_accept_one():
    campaign = CampaignFactory(starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 31))
    one, two = moderators(2)
    for round_ in range(5):  # each round a new slip (its own amount), two copies of it waiting
        first, second = waiting(campaign, f"{round_ + 1}.00"), waiting(campaign, f"{round_ + 1}.00")
        barrier = threading.Barrier(2)

        def approve(submission, user, barrier=barrier):
            barrier.wait()
            return attempt(lambda: moderation_approve(submission=submission, moderator=user))

        results = in_threads([lambda f=first: approve(f, one), lambda s=second: approve(s, two)])
        assert sum(isinstance(r, GuardFailed) for r in results) == 1, results
        statuses = sorted(
            Submission.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)
        )
        assert statuses == [Status.ACCEPTED, Status.MODERATION]


def test_moderators_taking_next_at_once_never_hold_the_same_claim():
    campaign = CampaignFactory(starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 31))
    queue = [waiting(campaign, photo_sha256=f"{n:064x}") for n in range(6)]
    users = moderators(6)
    barrier = threading.Barrier(len(users))

    def take(user):
        barrier.wait()
        return claim_next(moderator=user, queue=Submission.objects.filter(campaign=campaign))

    taken = in_threads([lambda user=user: take(user) for user in users])
    assert sorted(s.pk for s in taken) == sorted(s.pk for s in queue)  # six moderators, six different ones
    assert ReviewClaim.objects.count() == 6


def test_racing_for_one_claim_gives_it_to_one():
    campaign = CampaignFactory(starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 31))
    submission = waiting(campaign)
    users = moderators(4)
    barrier = threading.Barrier(len(users))

    def take(user):
        barrier.wait()
        return attempt(lambda: claim_take(submission=submission, moderator=user))

    results = in_threads([lambda user=user: take(user) for user in users])
    assert sum(isinstance(r, ReviewClaim) for r in results) == 1, results
