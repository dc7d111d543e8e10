"""The webhooks admin in a real browser, as a campaign admin: the endpoint page shows its secret and the rotate
button, the delivery page its attempts, and "Resend" queues a new attempt."""

import pytest
from django.contrib.auth.models import Permission, User

from tests.webhooks.conftest import decided, only_delivery, serving
from webhooks.deliveries import delivery_attempt
from webhooks.models import Delivery, Endpoint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREEN = {"width": 1366, "height": 768}
PASSWORD = "a-long-test-password"
PERMISSIONS = ["view_endpoint", "change_endpoint", "rotate_secret", "view_delivery", "resend_delivery", "moderate_any_campaign"]  # fmt: skip


def endpoint_and_delivery(campaign, url: str) -> tuple[Endpoint, Delivery]:
    """An endpoint, and a delivery to it that failed once."""
    endpoint = Endpoint.objects.create(campaign=campaign, url=url, description="CRM")
    decided(campaign)
    delivery = only_delivery()
    delivery_attempt(delivery_id=delivery.pk)
    return endpoint, delivery


@pytest.mark.parametrize("language", ["ru", "en"])
def test_a_campaign_admin_reads_a_delivery_and_resends_it(
    browser, live_server, screenshot, language, campaign, settings
):
    settings.SLIPCHECK_WEBHOOKS_ALLOW_HTTP = True  # the receiver is on loopback
    with serving() as receiver:
        receiver.answers = [500]
        endpoint, delivery = endpoint_and_delivery(campaign, receiver.url)
    user = User.objects.create_user("hooks-admin", password=PASSWORD, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=PERMISSIONS))
    context = browser.new_context(viewport=SCREEN, locale="ru-RU" if language == "ru" else "en-US")
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/?next=/admin/webhooks/delivery/{delivery.pk}/change/")
    page.fill("#id_username", "hooks-admin")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"**/admin/webhooks/delivery/{delivery.pk}/change/")
    assert page.locator("html").get_attribute("lang") == language
    assert "HTTP 500" in page.content()
    screenshot(page, f"webhooks-delivery-{language}", full_page=True)
    page.locator("form[action$='/resend/'] button").click()
    page.wait_for_url(f"**/admin/webhooks/delivery/{delivery.pk}/change/")
    assert Delivery.objects.get().next_attempt_at > delivery.next_attempt_at
    page.goto(f"{live_server.url}/admin/webhooks/endpoint/{endpoint.pk}/change/")
    assert endpoint.secret in page.content()
    screenshot(page, f"webhooks-endpoint-{language}", full_page=True)
    context.close()
