"""The participant sees their code on the status page and in the API (through promo.extras), only while accepted,
at no query's cost."""

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from moderation.services import moderation_reopen
from promo import extras
from promo.models import Submission
from tests.factories import CampaignFactory, SubmissionFactory
from tests.prizes.conftest import accepted, move, pool

Status = Submission.Status
pytestmark = pytest.mark.django_db


def page(client, submission) -> str:
    return client.get(f"/s/{submission.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def api(submission) -> dict:
    return APIClient().get(f"/api/v1/submissions/{submission.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()


def queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def test_an_accepted_submission_shows_its_code_with_a_label(client):
    campaign = CampaignFactory()
    pool(campaign, 1)
    submission = accepted(campaign)
    assert 'Your promo code: <strong class="extra-value">CODE0000</strong>' in page(client, submission)
    assert api(submission)["extras"] == {"promo_code": "CODE0000"}


def test_the_code_is_hidden_while_a_reopened_acceptance_is_looked_at_and_back_once_accepted(client):
    campaign = CampaignFactory()
    pool(campaign, 1)
    submission = accepted(campaign)
    senior = User.objects.create_user("senior", is_staff=True)
    senior.user_permissions.add(*Permission.objects.filter(codename="change_queueitem"))
    moderation_reopen(submission=submission, moderator=senior, why="look again")
    assert "CODE0000" not in page(client, submission)
    assert api(submission)["extras"] == {}
    move(Submission.objects.get(pk=submission.pk), Status.ACCEPTED)
    assert "CODE0000" in page(client, submission)
    assert api(submission)["extras"] == {"promo_code": "CODE0000"}


def test_without_a_code_nothing_is_shown(client):
    submission = accepted(CampaignFactory())  # no pool
    assert "promo code" not in page(client, submission).lower()
    assert api(submission)["extras"] == {}
    rejected = SubmissionFactory(status=Status.REJECTED)
    assert api(rejected)["extras"] == {}


def test_the_code_costs_no_query_on_the_page_or_in_the_api(client):
    campaign = CampaignFactory()
    pool(campaign, 1)
    with_code, without = accepted(campaign), accepted(CampaignFactory())
    assert queries(lambda: page(client, with_code)) == queries(lambda: page(client, without))
    assert queries(lambda: api(with_code)) == queries(lambda: api(without))
    assert queries(lambda: api(with_code)) <= 2  # the submission (with its joins), and a session-free API


def test_extras_merge_every_registered_provider_and_show_only_labelled_keys(client):
    campaign = CampaignFactory()
    pool(campaign, 1)
    submission = accepted(campaign)
    extras.register("test.extra", lambda s: {"ticket": "T-1", "internal": "x"}, labels={"ticket": "Ticket"})
    try:
        assert api(submission)["extras"] == {"promo_code": "CODE0000", "ticket": "T-1", "internal": "x"}
        html = page(client, submission)
        assert "Ticket: <strong" in html and ">x<" not in html
    finally:
        extras.unregister("test.extra")
