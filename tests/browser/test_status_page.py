"""The participant's status page on a phone (360x800), in Russian and English: an automatic rejection offers a
person's check once, and a revoked acceptance says so."""

import pytest

from promo.models import Submission
from tests.factories import SubmissionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Status = Submission.Status
PHONE = {"width": 360, "height": 800}


@pytest.mark.parametrize(("locale", "language"), [("ru-RU", "ru"), ("en-US", "en")])
def test_a_participant_asks_a_person_to_check_a_rejection_on_a_phone(browser, live_server, screenshot, locale, language):  # fmt: skip
    rejected = SubmissionFactory(status=Status.REJECTED, reasons=[{"code": "amount_mismatch", "details": {"read": "1234.50", "typed": "1284.50"}}])  # fmt: skip
    revoked = SubmissionFactory(status=Status.REVOKED, reasons=[{"code": "moderator_revoked", "details": {"note": "fraud"}}])  # fmt: skip
    context = browser.new_context(viewport=PHONE, locale=locale)
    page = context.new_page()
    page.goto(f"{live_server.url}/s/{rejected.pk}/")
    button = page.locator("#appeal button")
    box = button.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    screenshot(page, f"status-rejected-360x800-{language}")
    button.click()
    page.wait_for_selector('#status[data-status="moderation"]')
    assert page.locator("#appeal").count() == 0  # once only
    screenshot(page, f"status-appealed-360x800-{language}")
    rejected.refresh_from_db()
    assert rejected.status == Status.MODERATION and rejected.appealed_at is not None
    page.goto(f"{live_server.url}/s/{revoked.pk}/")
    assert page.get_attribute("#status", "data-status") == Status.REVOKED
    assert "fraud" in page.inner_text(".reasons")
    screenshot(page, f"status-revoked-360x800-{language}")
    context.close()
