"""The status page on a phone (360x800), in Russian and in English reached by the language switch: it changes to a
moderator's decision without a reload, says the decision's own reason, offers another upload, and links the
participant's list of submissions. Nothing overflows sideways."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.utils import timezone, translation

from moderation.services import moderation_approve, moderation_reject
from promo.models import Submission
from promo.owners import owner_hash
from promo.reasons import MESSAGES
from tests.conftest import PERIOD
from tests.factories import CampaignFactory, RecognitionFactory, SubmissionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Status = Submission.Status
PHONE = {"width": 360, "height": 800}
# The first look while a person decides comes after 15 s (promo.status_page.POLL_SECONDS), then backs off.
DECISION_SEEN_WITHIN_MS = 40_000


def fits_the_phone(page) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]


def waiting_with_history(campaign) -> Submission:
    """A submission a moderator is about to decide, after two earlier ones of the same participant from the same
    phone (promo.owners)."""
    phone = owner_hash("p" * 43)
    earlier = SubmissionFactory(
        campaign=campaign, status=Status.ACCEPTED, typed_amount=Decimal("2586.60"), owner_hash=phone
    )
    SubmissionFactory(
        campaign=campaign,
        participant=earlier.participant,
        owner_hash=phone,
        status=Status.REJECTED,
        reasons=[{"code": "amount_mismatch", "details": {"read": "999.00", "typed": "990.00"}}],
    )
    submission = SubmissionFactory(
        campaign=campaign,
        participant=earlier.participant,
        owner_hash=phone,
        status=Status.MODERATION,
        reasons=[{"code": "low_confidence", "details": {"field": "card_last4"}}, {"code": "card_unread", "details": {}}],
        waiting_since=timezone.now(),
    )  # fmt: skip
    RecognitionFactory(submission=submission, campaign=campaign, date=PERIOD[0] + timedelta(days=5))
    return submission


@pytest.mark.parametrize(("language", "decision"), [("ru", Status.REJECTED), ("en", Status.ACCEPTED)])
def test_the_status_page_changes_to_the_decision_without_a_reload(browser, live_server, screenshot, language, decision):  # fmt: skip
    campaign = CampaignFactory(slug="autumn", name="Осень / Autumn", starts_on=PERIOD[0], ends_on=PERIOD[1])
    submission = waiting_with_history(campaign)
    moderator = User.objects.create_user("mod", is_staff=True)
    context = browser.new_context(viewport=PHONE, locale="ru-RU")
    page = context.new_page()
    page.goto(f"{live_server.url}/s/{submission.pk}/")
    assert page.get_attribute("html", "lang") == "ru"
    if language == "en":  # the language switch in the header, remembered for the next requests
        page.click('header .lang button[lang="en"]')
        page.wait_for_selector('html[lang="en"]')
    assert page.get_attribute("#status", "data-status") == Status.MODERATION
    fits_the_phone(page)
    page.evaluate("window.stillTheSamePage = true")

    # A moderator decides, as on the review page.
    if decision == Status.REJECTED:
        moderation_reject(submission=submission, moderator=moderator, code="moderator_unreadable")
        code = "moderator_unreadable"
    else:
        moderation_approve(submission=submission, moderator=moderator)
        code = "moderator_accepted"
    page.wait_for_selector(f'#status[data-status="{decision}"]', timeout=DECISION_SEEN_WITHIN_MS)
    assert page.evaluate("window.stillTheSamePage === true")  # swapped in place: no navigation happened

    # Only the decision's own reason, in the reader's language, and what to do next.
    with translation.override(language):
        expected = str(MESSAGES[code])
        headline = {"ru": "Ваш чек", "en": "Your slip"}[language]
    assert [item.get_attribute("data-code") for item in page.locator(".reasons li").all()] == [code]
    assert expected in page.inner_text(".reasons li")
    assert page.inner_text("#announce").startswith(headline)  # said to screen readers
    if decision == Status.ACCEPTED:
        assert page.locator(".next-step").count() == 1
    fits_the_phone(page)
    box = page.locator("#upload-another").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    screenshot(page, f"status-live-360x800-{language}", full_page=True)

    mine = page.get_attribute("#mine", "href")
    page.click("#upload-another")
    page.wait_for_url(f"{live_server.url}/c/{campaign.slug}/")
    assert page.locator('input[name="amount"]').count() == 1

    page.goto(f"{live_server.url}{mine}")
    assert page.get_attribute("html", "lang") == language
    items = page.locator("ol.mine li")
    assert items.count() == 3
    assert items.first.get_attribute("data-status") == decision  # the newest first
    amounts = page.inner_text("ol.mine").replace("\xa0", " ")
    assert ("2 586,60 ₽" if language == "ru" else "₽2,586.60") in amounts
    fits_the_phone(page)
    screenshot(page, f"mine-360x800-{language}", full_page=True)
    items.first.locator("a").click()
    page.wait_for_url(f"{live_server.url}/s/{submission.pk}/")
    context.close()


def test_the_page_stops_asking_while_the_tab_is_hidden(browser, live_server):
    """Every 2 s while the photo is read; nothing while hidden; at once when shown again."""
    submission = SubmissionFactory(status=Status.PROCESSING)
    context = browser.new_context(viewport=PHONE, locale="ru-RU")
    page = context.new_page()
    asked = []
    page.on("request", lambda request: asked.append(request.url) if request.url.endswith("/live/") else None)
    page.goto(f"{live_server.url}/s/{submission.pk}/")
    page.wait_for_timeout(4_500)
    assert 2 <= len(asked) <= 3
    page.evaluate(
        "Object.defineProperty(document, 'hidden', {value: true, configurable: true});"
        "document.dispatchEvent(new Event('visibilitychange'))"
    )
    page.wait_for_timeout(300)  # a request already on its way may still land
    hidden_from = len(asked)
    page.wait_for_timeout(5_000)
    assert len(asked) == hidden_from
    page.evaluate(
        "Object.defineProperty(document, 'hidden', {value: false, configurable: true});"
        "document.dispatchEvent(new Event('visibilitychange'))"
    )
    page.wait_for_timeout(500)
    assert len(asked) == hidden_from + 1
    context.close()
