"""A webhook's frozen body follows the participant's data: erased on request or at retention, it is scrubbed by
promo.privacy's own rules, and what still goes out (a pending retry, a resend) carries no card digits."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from promo.models import Submission
from promo.privacy import campaign_apply_retention, participant_erase_by_id
from tests.factories import RecognitionFactory
from tests.webhooks.conftest import move, only_delivery, waiting
from webhooks.deliveries import deliveries_erase, deliveries_resend, delivery_attempt
from webhooks.models import Delivery

pytestmark = pytest.mark.django_db
Status = Submission.Status
CARD_REASON = {"code": "card_mismatch", "details": {"read": "4821", "typed": "1111"}}
AMOUNT_REASON = {"code": "amount_mismatch", "details": {"read": "1234.50", "typed": "1000.00"}}


def rejected_for(campaign, reason: dict) -> Submission:
    submission = waiting(campaign, typed_card_last4="1111")
    RecognitionFactory(submission=submission, card_last4="4821")
    submission = Submission.objects.get(pk=submission.pk)
    return move(submission, Status.REJECTED, reasons=[reason])


def rejected_for_the_card(campaign) -> Submission:
    return rejected_for(campaign, CARD_REASON)


def body_of(delivery: Delivery) -> dict:
    delivery.refresh_from_db()
    return json.loads(delivery.body)


def test_an_erased_participants_deliveries_lose_the_card_and_keep_the_event(campaign, endpoint, receiver):
    submission = rejected_for_the_card(campaign)
    delivery = only_delivery()
    before = body_of(delivery)
    assert "4821" in delivery.body and before["submission"]["recognized"]["card_last4"] == "4821"

    participant_erase_by_id(participant=submission.participant, actor="test")

    after = body_of(delivery)
    assert "4821" not in delivery.body and "1111" not in delivery.body
    assert after["id"] == before["id"] and after["type"] == before["type"]
    data = after["submission"]
    assert (data["id"], data["status"], data["decided_at"]) == (
        str(submission.pk),
        "rejected",
        before["submission"]["decided_at"],
    )
    assert data["recognized"]["card_last4"] is None and data["recognized"]["confidence"]["card_last4"] is None
    assert data["recognized"]["amount"] == before["submission"]["recognized"]["amount"]  # amounts are kept
    (card,) = data["reasons"]
    assert card["code"] == "card_mismatch" and card["message"] and "4821" not in card["message"]


def test_a_reason_about_nothing_personal_stays_as_it_was(campaign, endpoint, receiver):
    submission = rejected_for(campaign, AMOUNT_REASON)
    delivery = only_delivery()
    before = body_of(delivery)
    participant_erase_by_id(participant=submission.participant, actor="test")
    after = body_of(delivery)
    assert after["submission"]["reasons"] == before["submission"]["reasons"]
    assert before["submission"]["reasons"][0]["code"] == "amount_mismatch"
    assert after["submission"]["recognized"]["card_last4"] is None


def test_what_goes_out_after_the_erasure_is_the_scrubbed_body(campaign, endpoint, receiver):
    submission = rejected_for_the_card(campaign)
    delivery = only_delivery()
    participant_erase_by_id(participant=submission.participant, actor="test")
    delivery_attempt(delivery_id=delivery.pk)
    deliveries_resend(deliveries=[delivery])
    delivery_attempt(delivery_id=delivery.pk)
    assert len(receiver.received) == 2
    for request in receiver.received:
        assert b"4821" not in request.body
        assert json.loads(request.body)["submission"]["status"] == "rejected"


def test_retention_scrubs_the_campaigns_deliveries_too(campaign, endpoint, receiver):
    rejected_for_the_card(campaign)
    delivery = only_delivery()
    campaign.ends_on = timezone.localdate() - timedelta(days=campaign.retention_days + 2)
    campaign.starts_on = campaign.ends_on - timedelta(days=30)
    campaign.save()
    assert campaign_apply_retention(campaign=campaign) == 1
    assert "4821" not in body_of(delivery)["submission"]["recognized"].values()
    assert "4821" not in Delivery.objects.get(pk=delivery.pk).body


def test_erasing_twice_changes_nothing_more(campaign, endpoint, receiver):
    submission = rejected_for_the_card(campaign)
    delivery = only_delivery()
    participant_erase_by_id(participant=submission.participant, actor="test")
    once = Delivery.objects.get(pk=delivery.pk).body
    assert deliveries_erase(submission=submission) == 0
    assert Delivery.objects.get(pk=delivery.pk).body == once
