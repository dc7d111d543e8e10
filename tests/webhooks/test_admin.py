"""The webhooks admin: endpoints with their secret, deliveries with every attempt, resend; each page checks its
permission and the campaigns the user may see."""

import pytest
from django.urls import reverse

from promo.models import Submission
from tests.factories import CampaignFactory
from tests.webhooks.conftest import decided, only_delivery, staff
from webhooks.deliveries import delivery_attempt
from webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db
Status = Submission.Status
# What the coordinator is asked to give the campaign admin role (moderation.roles is not this app's to edit).
CAMPAIGN_ADMIN = ["add_endpoint", "change_endpoint", "view_endpoint", "rotate_secret", "view_delivery", "resend_delivery", "moderate_any_campaign", "view_campaign"]  # fmt: skip


def login(client, *codenames, name="admin1"):
    user = staff(name, *codenames)
    client.force_login(user)
    return user


@pytest.fixture(autouse=True)
def _english(client):
    """These tests read the admin in English (the site's default is Russian)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def test_a_campaign_admin_registers_an_endpoint_and_reads_its_secret(client, campaign, settings):
    settings.SLIPCHECK_WEBHOOKS_ALLOW_HTTP = False
    user = login(client, *CAMPAIGN_ADMIN)
    add = reverse("admin:webhooks_endpoint_add")
    form = {"campaign": campaign.pk, "url": "https://hooks.example.com/slipcheck", "is_active": "on", "statuses": ["accepted", "revoked"]}  # fmt: skip
    assert client.post(add, {**form, "url": "http://hooks.example.com/"}).status_code == 200  # refused: HTTP
    assert client.post(add, {**form, "url": "https://u:p@hooks.example.com/"}).status_code == 200
    assert not Endpoint.objects.exists()
    assert client.post(add, form).status_code == 302
    endpoint = Endpoint.objects.get()
    assert (endpoint.statuses, endpoint.created_by) == (["accepted", "revoked"], user)
    page = client.get(reverse("admin:webhooks_endpoint_change", args=[endpoint.pk])).content.decode()
    assert endpoint.secret in page and "Rotate the secret" in page


def test_rotating_the_secret_needs_its_permission_and_a_post(client, campaign):
    endpoint = Endpoint.objects.create(campaign=campaign, url="https://hooks.example.com/")
    old = endpoint.secret
    rotate = reverse("admin:webhooks_endpoint_rotate", args=[endpoint.pk])
    login(client, "view_endpoint", "moderate_any_campaign", name="viewer")
    assert client.post(rotate).status_code == 403
    page = client.get(reverse("admin:webhooks_endpoint_change", args=[endpoint.pk]))
    assert page.status_code == 200 and endpoint.url in page.content.decode()
    assert old not in page.content.decode()  # seeing an endpoint is not holding its secret
    login(client, *CAMPAIGN_ADMIN)
    assert client.get(rotate).status_code == 405
    assert client.post(rotate).status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.previous_secret == old


def test_the_delivery_page_shows_every_attempt_and_resends(client, campaign, endpoint, receiver):
    receiver.answers = [500, 200]
    decided(campaign)
    delivery = only_delivery()
    delivery_attempt(delivery_id=delivery.pk)
    login(client, *CAMPAIGN_ADMIN)
    listing = client.get(reverse("admin:webhooks_delivery_changelist"), {"status__exact": "pending"})
    assert str(delivery.event_id) in listing.content.decode()
    assert (
        str(delivery.event_id)
        not in client.get(
            reverse("admin:webhooks_delivery_changelist"), {"status__exact": "delivered"}
        ).content.decode()
    )
    page = client.get(reverse("admin:webhooks_delivery_change", args=[delivery.pk])).content.decode()
    assert "HTTP 500" in page and "Resend" in page and "submission.decided" in page
    resend = reverse("admin:webhooks_delivery_resend", args=[delivery.pk])
    assert client.get(resend).status_code == 405
    assert client.post(resend).status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.next_attempt_at <= delivery.retry_until
    delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "delivered"
    # The action resends delivered ones too.
    changelist = reverse("admin:webhooks_delivery_changelist")
    response = client.post(changelist, {"action": "resend", "_selected_action": [delivery.pk]})
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == "pending"


def test_who_may_not_see_or_resend(client, campaign, endpoint, receiver):
    decided(campaign)
    delivery = only_delivery()
    page = reverse("admin:webhooks_delivery_change", args=[delivery.pk])
    resend = reverse("admin:webhooks_delivery_resend", args=[delivery.pk])
    # Without the permission to see deliveries.
    login(client, "view_submission", "moderate_any_campaign", name="moderator")
    assert client.get(page).status_code == 403
    assert client.post(resend).status_code == 403
    # Seeing, but not resending: no button, no action, the URL refused.
    login(client, "view_delivery", "moderate_any_campaign", name="viewer")
    assert "Resend" not in client.get(page).content.decode()
    assert client.post(resend).status_code == 403
    assert (
        Delivery.objects.get().status == "pending"
        and Delivery.objects.get().next_attempt_at == delivery.next_attempt_at
    )
    # A moderator of another campaign with the permissions sees none of this campaign's deliveries or endpoints.
    other = CampaignFactory(slug="spring")
    user = login(
        client, "view_delivery", "resend_delivery", "view_endpoint", "view_submission", name="elsewhere"
    )
    other.moderators.add(user)
    assert client.get(page).status_code == 302  # the admin's "does not exist" redirect
    assert client.post(resend).status_code == 404
    deliveries = client.get(reverse("admin:webhooks_delivery_changelist"))
    endpoints = client.get(reverse("admin:webhooks_endpoint_changelist"))
    assert deliveries.status_code == endpoints.status_code == 200
    assert str(delivery.event_id) not in deliveries.content.decode()
    assert endpoint.url not in endpoints.content.decode()
