import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from promo.models import Campaign, Submission
from tests.factories import RecognitionFactory, SubmissionFactory

Status = Submission.Status
pytestmark = pytest.mark.django_db
QUEUE = "/admin/moderation/queueitem/"


@pytest.fixture
def moderator(client):
    user = User.objects.create_user("mod", password="pw", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_queueitem", "change_queueitem", "moderate_any_campaign"]
        )
    )
    client.force_login(user)
    return user


def in_queue(**kwargs) -> Submission:
    kwargs.setdefault(
        "reasons", [{"code": "amount_mismatch", "details": {"read": "1234.50", "typed": "1284.50"}}]
    )
    kwargs.setdefault("reason_codes", " amount_mismatch ")
    submission = SubmissionFactory(status=Status.MODERATION, waiting_since=timezone.now(), **kwargs)
    RecognitionFactory(submission=submission, campaign=submission.campaign)
    return submission


def review_url(submission) -> str:
    return f"{QUEUE}{submission.pk}/review/"


def test_queue_shows_waiting_typed_read_reasons_and_a_review_link(client, moderator):
    submission = in_queue(typed_amount="1284.50")
    SubmissionFactory(status=Status.ACCEPTED)  # decided ones are not in the queue
    page = client.get(QUEUE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"/moderation/photo/{submission.pk}/" in page
    assert "1,284.50 / 1,234.50" in page  # typed and read, as the reader's locale writes amounts
    russian = client.get(QUEUE, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "1\xa0284,50 / 1\xa0234,50" in russian
    assert "differs from the amount you typed" in page  # the reason in words
    assert review_url(submission) in page and "Take the next one" in page
    assert "target" in page and "60 min" in page
    assert "amount differs <b>1</b>" in page  # counts per reason, in words


def test_queue_and_review_query_counts_do_not_grow_with_the_queue(client, moderator):
    first = in_queue()
    client.get(review_url(first))  # the first opening takes the claim (an insert); later ones extend it
    with CaptureQueriesContext(connection) as one:
        client.get(QUEUE)
    with CaptureQueriesContext(connection) as one_review:
        client.get(review_url(first))
    for _ in range(10):
        in_queue(campaign=first.campaign, participant=first.participant)
    with CaptureQueriesContext(connection) as eleven:
        client.get(QUEUE)
    with CaptureQueriesContext(connection) as eleven_review:
        client.get(review_url(first))
    assert len(eleven) == len(one)
    assert len(eleven_review) == len(one_review)


def test_the_queue_filters_by_reason(client, moderator):
    mismatch = in_queue()
    unread = in_queue(reasons=[{"code": "card_unread", "details": {}}], reason_codes=" card_unread ")
    page = client.get(f"{QUEUE}?reason=card_unread", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert review_url(unread) in page and review_url(mismatch) not in page


def test_approve_and_reject_from_the_review_page_then_the_next_one(client, moderator):
    accepted, rejected = in_queue(), in_queue(typed_amount="99.00")
    Submission.objects.filter(pk=rejected.pk).update(waiting_since=timezone.now() - timedelta(minutes=5))
    assert client.get(review_url(accepted)).status_code == 200
    response = client.post(f"{QUEUE}{accepted.pk}/approve/")
    assert response.status_code == 302 and response["Location"] == review_url(rejected)  # the next one
    response = client.post(f"{QUEUE}{rejected.pk}/reject/", {"code": "moderator_card_differs"})
    assert response.status_code == 302 and response["Location"] == QUEUE  # the queue is clear
    accepted.refresh_from_db()
    rejected.refresh_from_db()
    assert accepted.status == Status.ACCEPTED and accepted.decided_by == moderator
    assert rejected.status == Status.REJECTED and rejected.reasons[0]["code"] == "moderator_card_differs"
    last = rejected.transitions.last()
    assert (last.actor, last.from_status) == ("mod", Status.MODERATION)


def test_a_written_rejection_needs_its_words(client, moderator):
    submission = in_queue()
    client.post(f"{QUEUE}{submission.pk}/reject/", {"code": "moderator_rejected", "note": ""})
    submission.refresh_from_db()
    assert submission.status == Status.MODERATION
    client.post(f"{QUEUE}{submission.pk}/reject/", {"code": "moderator_rejected", "note": "a screenshot"})
    submission.refresh_from_db()
    assert submission.reasons[0] == {"code": "moderator_rejected", "details": {"note": "a screenshot"}}


def test_approving_a_duplicate_is_refused_with_the_reason(client, moderator):
    original = SubmissionFactory(status=Status.ACCEPTED)
    RecognitionFactory(submission=original, campaign=original.campaign)
    copy = in_queue(campaign=original.campaign, typed_amount="1234.50")
    response = client.post(f"{QUEUE}{copy.pk}/approve/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302 and "refused=duplicate_slip" in response["Location"]
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "This slip has already been submitted." in page
    assert "Accept over the guard" not in page  # a plain moderator cannot override
    copy.refresh_from_db()
    assert copy.status == Status.MODERATION


def test_deciding_twice_changes_nothing(client, moderator):
    submission = in_queue()
    client.post(f"{QUEUE}{submission.pk}/approve/")
    client.post(f"{QUEUE}{submission.pk}/reject/", {"code": "moderator_edited"})
    submission.refresh_from_db()
    assert submission.status == Status.ACCEPTED


def test_decisions_need_post_and_permission(client, moderator):
    submission = in_queue()
    assert client.get(f"{QUEUE}{submission.pk}/approve/").status_code == 405
    viewer = User.objects.create_user("viewer", password="pw", is_staff=True)
    viewer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_queueitem", "moderate_any_campaign"])
    )
    client.force_login(viewer)
    assert client.post(f"{QUEUE}{submission.pk}/approve/").status_code == 403
    page = client.get(review_url(submission), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="approve"' not in page  # a viewer sees, but has no buttons
    submission.refresh_from_db()
    assert submission.status == Status.MODERATION


def test_opening_claims_and_another_moderator_sees_who_holds_it(client, moderator):
    submission = in_queue()
    client.get(review_url(submission))
    other = User.objects.create_user("other", password="pw", is_staff=True)
    other.user_permissions.add(*Permission.objects.filter(codename__in=["view_queueitem", "change_queueitem", "moderate_any_campaign"]))  # fmt: skip
    client.force_login(other)
    page = client.get(review_url(submission), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "mod is reviewing this submission until" in page and 'id="approve"' not in page
    assert (
        ">mod <small>" in client.get(QUEUE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )  # the holder, listed
    client.post(f"{QUEUE}{submission.pk}/approve/")
    submission.refresh_from_db()
    assert submission.status == Status.MODERATION  # held by the first moderator


def test_the_review_page_shows_the_comparison_and_checks_in_words(client, moderator):
    submission = in_queue(
        typed_amount="1284.50",
        checks=[{"check": "amount", "outcome": "unsure", "code": "low_confidence", "details": {"field": "amount"}, "evidence": {"typed": "1284.50", "read": [{"value": "1234.50", "confidence": 0.7}]}}],
    )  # fmt: skip
    page = client.get(review_url(submission), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'class="mismatch" data-field="amount"' in page
    assert "We are not sure we read the amount correctly" in page and "1234.50 (0.7)" in page
    assert "{&quot;" not in page and '{"' not in page.split("<script>")[0]  # no JSON for the moderator


def test_the_fiscal_qr_ids_are_shown_with_what_was_read_and_a_refund_stands_out(client, moderator):
    sale, refund = (SubmissionFactory(status=Status.MODERATION) for _ in range(2))
    for submission, operation in ((sale, 1), (refund, 2)):
        RecognitionFactory(
            submission=submission, kind="receipt", fiscal_fn="7380440700000000", fiscal_i="12345",
            fiscal_fp="1234567890", fiscal_operation=operation,
        )  # fmt: skip
    page = client.get(review_url(sale), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "ФН 7380440700000000 · ФД 12345 · ФП 1234567890" in page and "ПРИХОД" in page
    refund_page = client.get(review_url(refund), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<tr id="fiscal" style="background:#fde8e8">' in refund_page and "ВОЗВРАТ ПРИХОДА" in refund_page
    plain = in_queue()
    assert 'id="fiscal"' not in client.get(review_url(plain)).content.decode()


def test_a_duplicate_shows_the_other_copy_its_checks_and_any_redaction(client, moderator):
    earlier = SubmissionFactory(status=Submission.Status.ACCEPTED)
    submission = in_queue(
        campaign=earlier.campaign,
        duplicate_of=earlier,
        needs_redaction=True,
        checks=[{"check": "same_photo", "outcome": "fail", "code": "duplicate_photo", "details": {}, "evidence": {"other": str(earlier.pk), "distance": 2}}],
    )  # fmt: skip
    page = client.get(review_url(submission), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"/moderation/photo/{earlier.pk}/" in page and review_url(earlier) in page
    assert "This photo has already been submitted." in page and "The same photo" in page
    assert "A full card number is on this photo" in page


def test_the_submission_list_opens_the_review_page(admin_client):
    submission = in_queue()
    response = admin_client.get(f"/admin/promo/submission/{submission.pk}/change/")
    assert response.status_code == 302 and response["Location"] == review_url(submission)


def test_photos_are_for_staff_who_moderate_the_campaign(client):
    submission = SubmissionFactory()
    url = f"/moderation/photo/{submission.pk}/"
    assert client.get(url).status_code == 302  # to the admin login
    client.force_login(User.objects.create_user("participant", password="pw"))
    assert client.get(url).status_code == 302
    staff = User.objects.create_user("staff", password="pw", is_staff=True)
    client.force_login(staff)
    assert client.get(url).status_code == 403  # staff, but not a moderator of this campaign
    submission.campaign.moderators.add(staff)
    assert client.get(url).status_code == 403  # named a moderator, but no role that sees submissions
    staff.user_permissions.add(Permission.objects.get(codename="view_submission"))
    staff = User.objects.get(pk=staff.pk)  # permissions are cached on the instance
    client.force_login(staff)
    response = client.get(url)
    assert response.status_code == 200
    assert response.content[:2] == b"\xff\xd8"  # the JPEG itself
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert response["Content-Disposition"] == f'inline; filename="{submission.pk}.jpg"'
    other = SubmissionFactory()  # another campaign
    assert client.get(f"/moderation/photo/{other.pk}/").status_code == 403


def test_the_queue_lists_only_the_campaigns_a_moderator_moderates(client):
    mine, theirs = in_queue(), in_queue()
    user = User.objects.create_user("mod2", password="pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_queueitem", "change_queueitem"]))
    mine.campaign.moderators.add(user)
    client.force_login(user)
    page = client.get(QUEUE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"/moderation/photo/{mine.pk}/" in page
    assert f"/moderation/photo/{theirs.pk}/" not in page
    assert client.post(f"{QUEUE}{theirs.pk}/approve/").status_code == 404
    assert client.get(review_url(theirs)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.MODERATION


def test_a_stored_file_that_is_not_an_image_is_never_served(admin_client):
    """Rows stored before intake existed may point at anything a participant sent: sniffed, then refused."""
    from django.core.files.base import ContentFile

    submission = SubmissionFactory(photo=ContentFile(b"<html><script>alert(1)</script></html>", name="x.jpg"))
    response = admin_client.get(f"/moderation/photo/{submission.pk}/")
    assert response.status_code == 404
    assert b"<script>" not in response.content


def test_submissions_cannot_be_added_or_deleted_in_the_admin(admin_client):
    submission = SubmissionFactory()
    assert admin_client.get("/admin/promo/submission/add/").status_code == 403
    assert admin_client.get(f"/admin/promo/submission/{submission.pk}/delete/").status_code == 403
    assert admin_client.get(f"/admin/promo/submission/{submission.pk}/change/").status_code == 302


def test_an_erased_photo_is_said_to_be_erased(client, moderator):
    submission = in_queue()
    Submission.objects.filter(pk=submission.pk).update(photo="")
    page = client.get(review_url(submission), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "photo erased" in page and f"/moderation/photo/{submission.pk}/" not in page


def test_only_staff_can_be_named_moderators_of_a_campaign(admin_client):
    campaign = SubmissionFactory().campaign
    User.objects.create_user("helper", password="pw", is_staff=True)
    User.objects.create_user("participant", password="pw")
    page = admin_client.get(f"/admin/promo/campaign/{campaign.pk}/change/").content.decode()
    assert ">helper</option>" in page and ">participant</option>" not in page


def test_a_photo_that_could_not_be_read_says_what_happened(client, moderator):
    error = "time_limit: reading took longer than 60 s"
    submission = SubmissionFactory(
        status=Status.MODERATION, attempts=3, last_error=error,
        reasons=[{"code": "recognition_failed", "details": {"attempts": "3", "failure": "time_limit", "error": error}}],
    )  # fmt: skip
    for language, words in (("en", "attempts to read: 3 · reading it took too long"), ("ru", "попыток распознать: 3 · распознавание заняло слишком много времени")):  # fmt: skip
        page = client.get(review_url(submission), HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert f"{words} <code>reading took longer than 60 s</code>" in page, language


CAMPAIGN_FORM = {
    "name": "Receipts", "slug": "receipts", "starts_on": "2026-06-01", "ends_on": "2026-08-31",
    "timezone": "Europe/Berlin", "min_amount": "0", "currency": "EUR", "payment_systems": "[]",
    "min_confidence": "0.6", "reject_confidence": "0.99", "failure_policy": "{}", "rules_version": "1",
    "retention_days": "90", "is_active": "on", "moderation_target_minutes": "60",
}  # fmt: skip


def test_the_campaign_form_offers_the_documents_as_checkboxes_with_the_slip_ticked(admin_client):
    page = admin_client.get("/admin/promo/campaign/add/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert 'type="checkbox" name="documents" value="slip"' in page
    assert (
        "слип оплаты картой" in page
        and "кассовый чек с оплатой картой" in page
        and "любой кассовый чек" in page
    )
    ticked = re.findall(r'<input type="checkbox" name="documents" value="(\w+)"[^>]*\bchecked\b', page)
    assert ticked == ["slip"]
    english = admin_client.get("/admin/promo/campaign/add/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "shop receipt showing the card payment" in english and "any shop receipt" in english


def test_the_campaign_form_saves_the_ticked_documents_in_order(admin_client):
    response = admin_client.post(
        "/admin/promo/campaign/add/", {**CAMPAIGN_FORM, "documents": ["receipt", "slip"]}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    campaign = Campaign.objects.get(slug="receipts")
    assert campaign.documents == ["slip", "receipt"]
    response = admin_client.post(
        f"/admin/promo/campaign/{campaign.pk}/change/", {**CAMPAIGN_FORM, "documents": ["card_receipt"]}
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.documents == ["card_receipt"] and campaign.rules().documents == ("card_receipt",)


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({}, "Choose at least one document."),  # nothing ticked
        ({"documents": ["cash"]}, "Select a valid choice. cash is not one of the available choices."),
        ({"documents": ["receipt"], "payment_systems": '["VISA"]'}, "needs the card payment on the document"),
    ],
)
def test_the_campaign_form_refuses_no_document_an_unknown_one_and_any_receipt_with_a_system(
    admin_client, changes, error
):
    response = admin_client.post(
        "/admin/promo/campaign/add/", {**CAMPAIGN_FORM, **changes}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200 and error in response.content.decode()
    assert not Campaign.objects.exists()


def test_the_audit_trails_are_visible_and_never_editable(client, moderator):
    from moderation.services import moderation_correct

    submission = in_queue()
    moderation_correct(submission=submission, moderator=moderator, field="amount", value="1284.50")
    client.post(f"{QUEUE}{submission.pk}/approve/")
    senior = User.objects.create_user("senior", password="pw", is_staff=True)
    senior.user_permissions.add(
        *Permission.objects.filter(
            codename__in=[
                "view_statustransition",
                "view_fieldcorrection",
                "moderate_any_campaign",
                "view_submission",
            ]
        )
    )
    client.force_login(senior)
    page = client.get("/admin/promo/statustransition/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert review_url(submission) in page and ">mod<" in page
    corrections = client.get("/admin/moderation/fieldcorrection/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1284.50" in corrections
    transition = submission.transitions.last()
    for url in (
        "/admin/promo/statustransition/add/",
        f"/admin/promo/statustransition/{transition.pk}/delete/",
        "/admin/moderation/fieldcorrection/add/",
    ):
        assert client.get(url).status_code == 403, url
    response = client.post(f"/admin/promo/statustransition/{transition.pk}/change/", {"note": "rewritten"})
    assert response.status_code in (200, 403)
    transition.refresh_from_db()
    assert transition.note != "rewritten"


def test_next_from_a_review_passes_over_it_and_frees_it(client, moderator):
    first, second = in_queue(), in_queue(typed_amount="99.00")
    Submission.objects.filter(pk=first.pk).update(waiting_since=timezone.now() - timedelta(minutes=9))
    client.get(review_url(first))
    response = client.post(f"{QUEUE}next/", {"skip": str(first.pk)})
    assert response["Location"] == review_url(second)
    from moderation.models import ReviewClaim

    assert list(ReviewClaim.objects.values_list("submission_id", flat=True)) == [second.pk]
    response = client.post(f"{QUEUE}next/", {"skip": "not-a-uuid"})  # a bad skip is ignored
    assert response["Location"] == review_url(first)  # the oldest again, now that nothing is skipped


def test_a_revocation_offers_reopening_to_seniors_only(client, moderator):
    revoked = SubmissionFactory(status=Status.REVOKED, reasons=[{"code": "moderator_revoked", "details": {"note": "fraud"}}])  # fmt: skip
    page = client.get(review_url(revoked), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="reopen-form"' not in page and "fraud" in page
    moderator.user_permissions.add(Permission.objects.get(codename="revoke_acceptance"))
    client.force_login(User.objects.get(pk=moderator.pk))
    assert 'id="reopen-form"' in client.get(review_url(revoked)).content.decode()


def test_an_open_review_page_keeps_its_claim_until_someone_else_holds_it(client, moderator):
    from moderation.models import ReviewClaim

    submission = in_queue()
    client.get(review_url(submission))
    ReviewClaim.objects.update(expires_at=timezone.now() + timedelta(seconds=30))
    response = client.post(f"{QUEUE}{submission.pk}/hold/")
    assert response.status_code == 200 and response.json()["held"] is True
    assert ReviewClaim.objects.get().expires_at > timezone.now() + timedelta(minutes=4)
    other = User.objects.create_user("other", password="pw", is_staff=True)
    ReviewClaim.objects.update(moderator=other)
    response = client.post(f"{QUEUE}{submission.pk}/hold/")
    assert response.status_code == 409 and response.json() == {"held": False, "by": "other"}
    Submission.objects.filter(pk=submission.pk).update(status=Status.ACCEPTED)
    assert client.post(f"{QUEUE}{submission.pk}/hold/").status_code == 409
    assert client.get(f"{QUEUE}{submission.pk}/hold/").status_code == 405
