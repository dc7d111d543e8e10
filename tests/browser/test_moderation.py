"""A moderator's day in a real browser at 1366x768: take the next, approve with a key, reject with a reason, be
refused a duplicate that a senior then overrides; two moderators never hold one submission; the participant's
status page shows each outcome."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.base import ContentFile
from django.utils import timezone

from moderation.models import ReviewClaim
from promo import submissions
from promo.intake import photo_intake
from promo.models import Submission
from tests.conftest import PERIOD, generated_photo
from tests.factories import CampaignFactory, RecognitionFactory, SubmissionFactory
from tests.integration.test_races import reencoded

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Status = Submission.Status
SCREEN = {"width": 1366, "height": 768}
PASSWORD = "a-long-test-password"


def staff(name: str, *perms: str) -> User:
    user = User.objects.create_user(name, password=PASSWORD, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=perms))
    return user


MODERATOR = ("view_queueitem", "change_queueitem", "view_submission", "moderate_any_campaign")


def waiting(
    campaign, n: int, minutes_ago: int, amount: str, status=Status.MODERATION, reasons=None
) -> Submission:
    photo, _truth = generated_photo(40 + n)
    submission = SubmissionFactory(
        campaign=campaign,
        status=status,
        typed_amount=Decimal(amount),
        typed_card_last4="4821",
        photo=ContentFile(photo, name="slip.jpg"),
        reasons=reasons or [{"code": "low_confidence", "details": {"field": "amount"}}],
        reason_codes=" low_confidence ",
        waiting_since=timezone.now() - timedelta(minutes=minutes_ago)
        if status == Status.MODERATION
        else None,
    )
    RecognitionFactory(
        submission=submission,
        campaign=campaign,
        amount=Decimal(amount),
        card_last4="4821",
        date=date(2026, 10, 3 + n),
        fields={
            "amount": {"value": amount, "confidence": 0.55, "candidates": [{"value": amount, "confidence": 0.55, "source": f"ИТОГО: {amount}", "rules": ["engines_disagree"]}], "rules": ["engines_disagree"],
                       "box": [[0.14, 0.63], [0.85, 0.63], [0.85, 0.67], [0.14, 0.67]]},
            "card_last4": {"value": "4821", "confidence": 0.93},
            "date": {"value": f"2026-10-{3 + n:02d}", "confidence": 0.97},
        },
    )  # fmt: skip
    return submission


def log_in(browser, live_server, username: str, locale: str = "en-US"):
    context = browser.new_context(viewport=SCREEN, locale=locale)
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    return page


def status_of(browser, live_server, submission) -> tuple[str, str]:
    """What the participant's status page says: the status and the first reason's code."""
    page = browser.new_page()
    page.goto(f"{live_server.url}/s/{submission.pk}/")
    shown = page.get_attribute("#status", "data-status"), page.get_attribute(".reasons li", "data-code")
    page.close()
    return shown


def in_view(locator) -> None:
    box = locator.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= SCREEN["width"], box
    assert box["y"] >= 0 and box["y"] + box["height"] <= SCREEN["height"], box


def decision_visible(page) -> None:
    """The decision's buttons and the photo fit the 1366x768 screen without scrolling."""
    for selector in ("#approve", "#reject", "#ask-photo", "#next", "#photo"):
        box = page.locator(selector).bounding_box()
        assert box is not None, selector
        assert box["y"] >= 0 and box["y"] + box["height"] <= SCREEN["height"], (selector, box)
        assert box["x"] + box["width"] <= SCREEN["width"], (selector, box)
    assert page.evaluate("document.scrollingElement.scrollHeight") <= SCREEN["height"] + 1


def upload(campaign, photo: bytes, contact: str, amount: Decimal, card: str) -> Submission:
    """A real upload: intake, storage and the automatic decision with the real OCR (tasks run eagerly)."""
    created = submissions.submission_create(
        campaign=campaign, contact=contact, photo=photo_intake(photo), typed_amount=amount,
        typed_card_last4=card, consent_version="1", channel="page",
    )  # fmt: skip
    return Submission.objects.get(pk=created.pk)


def test_a_moderator_clears_the_queue_with_keys_and_a_senior_overrides_a_guard(
    browser, live_server, screenshot
):
    # A campaign that sends every doubt to a person: no reading is sure enough to decide alone (confidence 1.0),
    # and a copy of another upload is looked at rather than refused.
    campaign = CampaignFactory(starts_on=PERIOD[0], ends_on=PERIOD[1], min_confidence=1.0,
                               failure_policy={"duplicate_photo": "moderation", "duplicate_slip": "moderation"})  # fmt: skip
    staff("moderator", *MODERATOR)
    staff("senior", *MODERATOR, "override_guards", "revoke_acceptance")
    photos = {seed: generated_photo(seed) for seed in (41, 42, 43)}
    honest = upload(campaign, photos[41][0], "+79990000001", photos[41][1].amount, photos[41][1].card_last4)
    typo = upload(
        campaign, photos[42][0], "+79990000002", photos[42][1].amount + 10, photos[42][1].card_last4
    )
    original = upload(campaign, photos[43][0], "+79990000003", photos[43][1].amount, photos[43][1].card_last4)
    copy = upload(
        campaign, reencoded(photos[43][0]), "+79990000004", photos[43][1].amount, photos[43][1].card_last4
    )
    for submission in (honest, typo, original, copy):
        assert submission.status == Status.MODERATION, (submission.status, submission.reasons)
    assert copy.duplicate_of_id == original.pk

    page = log_in(browser, live_server, "moderator")
    page.goto(f"{live_server.url}/admin/moderation/queueitem/", wait_until="networkidle")
    screenshot(page, "moderation-queue-real-1366x768-en")
    page.keyboard.press("n")  # take the next: the one that waited longest
    page.wait_for_url(f"**/{honest.pk}/review/")
    page.locator("#photo").wait_for()
    decision_visible(page)
    assert page.locator("#boxes rect[data-field=amount]").count() == 1  # where the amount was read
    screenshot(page, "moderation-review-1366x768-en")
    page.keyboard.press("a")  # approve; the next one opens
    page.wait_for_url(f"**/{typo.pk}/review/")
    assert page.locator("tr.mismatch[data-field=amount]").count() == 1  # typed and read differ, in red
    page.keyboard.press("r")
    page.keyboard.press("1")  # the amount differs from the typed one
    page.wait_for_url(f"**/{original.pk}/review/")
    page.keyboard.press("a")
    page.wait_for_url(f"**/{copy.pk}/review/")
    assert page.locator("#duplicate").count() == 1  # the other copy, side by side
    page.keyboard.press("a")  # a copy of what was just accepted: refused with the reason
    page.wait_for_selector("#refused")
    assert "already been submitted" in page.inner_text("#refused")
    assert page.locator("#override-form").count() == 0  # not a senior
    screenshot(page, "moderation-refused-duplicate-1366x768-en")

    assert status_of(browser, live_server, honest) == (Status.ACCEPTED, "moderator_accepted")
    assert status_of(browser, live_server, typo) == (Status.REJECTED, "moderator_amount_differs")
    assert status_of(browser, live_server, copy)[0] == Status.MODERATION

    page.context.close()  # the moderator leaves; their claim runs out (made to, here)
    ReviewClaim.objects.update(expires_at=timezone.now())
    senior = log_in(browser, live_server, "senior")
    senior.goto(f"{live_server.url}/admin/moderation/queueitem/{copy.pk}/review/")
    senior.keyboard.press("a")
    senior.wait_for_selector("#override-form")
    senior.fill(
        "#override-form input[name=justification]", "Two purchases of the same amount: checked with the shop"
    )
    senior.click("#override-form button[type=submit]")
    senior.wait_for_url("**/admin/moderation/queueitem/**")
    copy.refresh_from_db()
    assert copy.status == Status.ACCEPTED and copy.transitions.last().overridden
    assert status_of(browser, live_server, copy) == (Status.ACCEPTED, "moderator_accepted")
    senior.context.close()


def test_two_moderators_in_two_browsers_never_hold_the_same_submission(browser, live_server, settings):
    settings.SLIPCHECK_REVIEW_HEARTBEAT_SECONDS = 1
    campaign = CampaignFactory(starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 31))
    staff("first", *MODERATOR)
    staff("second", *MODERATOR)
    queue = [waiting(campaign, n, 60 - n, f"{100 + n}.00") for n in range(4)]
    first, second = log_in(browser, live_server, "first"), log_in(browser, live_server, "second")
    held = []
    for page in (first, second, first, second):
        page.goto(f"{live_server.url}/admin/moderation/queueitem/")
        page.click("#take-next")
        page.wait_for_url("**/review/")
        held.append(page.url.rsplit("/", 3)[-3])
    assert held[:2] == [str(queue[0].pk), str(queue[1].pk)]
    # Each moderator's second "next" keeps what they hold (their own claim, the oldest they may take).
    assert held[2:] == held[:2]
    # The second moderator opening the first one's submission sees who holds it and no buttons.
    second.goto(f"{live_server.url}/admin/moderation/queueitem/{queue[0].pk}/review/")
    assert "first is reviewing this submission" in second.inner_text("#held")
    assert second.locator("#approve").count() == 0
    # The first one's page keeps its claim while open; once the claim is lost (it ran out and the second took it),
    # the page says so and its buttons go.
    first.goto(f"{live_server.url}/admin/moderation/queueitem/{queue[0].pk}/review/")
    ReviewClaim.objects.filter(submission=queue[0]).update(expires_at=timezone.now())
    second.goto(f"{live_server.url}/admin/moderation/queueitem/{queue[0].pk}/review/")
    assert second.locator("#approve").count() == 1
    first.wait_for_selector("#claim-lost", timeout=10_000)
    assert first.locator("#approve").count() == 0
    first.context.close()
    second.context.close()


@pytest.mark.parametrize(("locale", "language"), [("ru-RU", "ru"), ("en-US", "en")])
def test_the_review_page_fits_the_screen_in_both_languages(
    browser, live_server, screenshot, locale, language
):
    campaign = CampaignFactory(starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 31))
    staff("moderator", *MODERATOR)
    submission = waiting(campaign, 1, 75, "1499.00")
    waiting(campaign, 2, 10, "250.00")
    page = log_in(browser, live_server, "moderator", locale=locale)
    page.goto(f"{live_server.url}/admin/moderation/queueitem/", wait_until="networkidle")
    for link in page.locator(
        "#result_list a.button"
    ).all():  # every row's Review, and Take the next, on screen
        in_view(link)
    in_view(page.locator("#take-next"))
    assert page.evaluate("document.scrollingElement.scrollWidth") <= SCREEN["width"]
    screenshot(page, f"moderation-queue-1366x768-{language}")
    page.goto(f"{live_server.url}/admin/moderation/queueitem/{submission.pk}/review/")
    page.locator("#photo").wait_for()
    decision_visible(page)
    # The amount's box is drawn where it was printed, over the photo as shown.
    photo, box = (
        page.locator("#photo").bounding_box(),
        page.locator("#boxes rect[data-field=amount]").bounding_box(),
    )
    assert box is not None and photo["x"] < box["x"] < box["x"] + box["width"] < photo["x"] + photo["width"]
    assert abs((box["y"] - photo["y"]) / photo["height"] - 0.63) < 0.01
    page.keyboard.press("r")
    assert page.locator("#reject-panel").is_visible()
    screenshot(page, f"moderation-review-reject-1366x768-{language}")
    page.keyboard.press("Escape")
    assert not page.locator("#reject-panel").is_visible()
    page.context.close()


def test_a_moderator_hides_a_card_number_with_a_drawn_box(browser, live_server, screenshot):
    from moderation.models import Redaction

    campaign = CampaignFactory(starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 31))
    staff("moderator", *MODERATOR, "add_redaction")
    flagged = waiting(campaign, 1, 20, "1499.00", reasons=[{"code": "full_card_number", "details": {}}])
    Submission.objects.filter(pk=flagged.pk).update(needs_redaction=True)
    page = log_in(browser, live_server, "moderator")
    page.goto(f"{live_server.url}/admin/moderation/queueitem/{flagged.pk}/review/")
    page.keyboard.press("a")  # approving waits for the redaction
    page.wait_for_selector(".messagelist .error")
    assert "redaction" in page.inner_text(".messagelist").lower()
    stage = page.locator("[data-redaction-stage]")
    box = stage.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.55)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.6, steps=5)
    page.mouse.up()
    screenshot(page, "moderation-redaction-1366x768-en")
    page.click("[data-redaction-hide]")
    page.wait_for_selector(".messagelist .success")
    redaction = Redaction.objects.get(submission=flagged)
    (left, top, right, bottom) = redaction.boxes[0]
    assert (
        abs(left - 0.2) < 0.02
        and abs(top - 0.55) < 0.02
        and abs(right - 0.8) < 0.02
        and abs(bottom - 0.6) < 0.02
    )
    flagged.refresh_from_db()
    assert not flagged.needs_redaction
    page.keyboard.press("a")  # now it may be approved
    page.wait_for_url(lambda url: str(flagged.pk) not in url)
    flagged.refresh_from_db()
    assert flagged.status == Status.ACCEPTED
    page.context.close()
