"""Prizes fixtures: submissions moved through promo's state machine, so prizes' receiver runs as in production."""

from datetime import datetime

import pytest
from django.contrib.auth.models import Permission, User
from django.utils import translation

from prizes.models import PromoCode
from promo.models import Submission
from promo.transitions import submission_transition
from tests.factories import SubmissionFactory

Status = Submission.Status


@pytest.fixture(autouse=True)
def _english():
    """These tests read the messages in English (the site's default is Russian, which has its own catalogue)."""
    with translation.override("en"):
        yield


def waiting(campaign, **kwargs) -> Submission:
    return SubmissionFactory(campaign=campaign, status=Status.MODERATION, **kwargs)


def move(submission: Submission, to: str) -> Submission:
    return submission_transition(submission=submission, to=to, actor="test")


def accepted(campaign, **kwargs) -> Submission:
    return move(waiting(campaign, **kwargs), Status.ACCEPTED)


def pool(campaign, n: int, prefix: str = "CODE") -> list[PromoCode]:
    return PromoCode.objects.bulk_create(
        PromoCode(campaign=campaign, code=f"{prefix}{i:04d}") for i in range(n)
    )


def code_of(submission: Submission) -> str | None:
    return PromoCode.objects.filter(submission=submission).values_list("code", flat=True).first()


def at(campaign, submission: Submission, when: datetime) -> Submission:
    """The submission as if uploaded at `when` (a naive time in the campaign's zone)."""
    Submission.objects.filter(pk=submission.pk).update(created_at=when.replace(tzinfo=campaign.tz))
    return submission


def staff(username: str, *codenames: str) -> User:
    user = User.objects.create_user(username, password="pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return User.objects.get(pk=user.pk)  # no cached permissions
