"""The participant's status page: what a moderator's decision leaves on it, the live fragment it polls, the
participant's own earlier copy of a slip, and the signed list of their submissions."""

import re
import uuid
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from moderation.services import moderation_approve, moderation_reject, moderation_revoke
from promo import processing, submissions
from promo.intake import photo_intake
from promo.mine import mine_token
from promo.models import Submission
from promo.owners import owner_hash
from promo.privacy import participant_erase_by_id
from promo.status_page import own_earlier
from tests.factories import CampaignFactory, ParticipantFactory, RecognitionFactory, SubmissionFactory

pytestmark = pytest.mark.django_db
Status = Submission.Status
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
DOUBT = {"code": "low_confidence", "details": {"field": "card_last4"}}
UNREAD = {"code": "card_unread", "details": {}}
FOREIGN_REFUSAL = "This slip has already been submitted."
PHONE = owner_hash("p" * 43)  # the participant's browser (promo.owners)
STRANGER = owner_hash("s" * 43)  # another browser: someone who typed the participant's contact


def page(client, submission) -> str:
    response = client.get(f"/s/{submission.pk}/", **EN)
    assert response.status_code == 200
    return response.content.decode()


def live(client, submission) -> dict:
    response = client.get(f"/s/{submission.pk}/live/", **EN)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    return response.json()


def reasons_shown(html: str) -> list[str]:
    return re.findall(r'<li data-code="([a-z_0-9]+)"', html)


@pytest.fixture
def moderator():
    return User.objects.create_user("mod", is_staff=True)


@pytest.fixture
def waiting(campaign):
    submission = SubmissionFactory(
        campaign=campaign, status=Status.MODERATION, reasons=[DOUBT, UNREAD], waiting_since=timezone.now()
    )
    RecognitionFactory(submission=submission, campaign=campaign, date=campaign.starts_on + timedelta(days=3))
    return submission


# --- a moderator's decision leaves only its own reason -------------------------------------------------------


def test_a_moderators_acceptance_says_nothing_of_the_machines_doubts(client, waiting, moderator):
    assert reasons_shown(page(client, waiting)) == ["low_confidence", "card_unread"]
    moderation_approve(submission=waiting, moderator=moderator)
    html = page(client, waiting)
    assert reasons_shown(html) == ["moderator_accepted"]
    assert "could not read" not in html and "will check it" not in html
    assert "Nothing to do: keep the paper slip until the draw" in html
    assert 'id="upload-another"' in html and f'href="/c/{waiting.campaign.slug}/"' in html


def test_a_moderators_rejection_says_its_reason_and_what_to_do(client, waiting, moderator):
    moderation_reject(submission=waiting, moderator=moderator, code="moderator_outside_period")
    html = page(client, waiting)
    assert reasons_shown(html) == ["moderator_outside_period"]
    assert "a moderator will check" not in html.lower()
    assert "Only slips dated from 1\xa0Oct\xa02026 to 31\xa0Oct\xa02026 take part" in html
    assert 'id="upload-another"' in html


def test_a_revocation_says_the_moderators_words_only(client, waiting, moderator):
    moderation_approve(submission=waiting, moderator=moderator)
    moderator.is_superuser = True
    moderator.save()
    moderation_revoke(
        submission=Submission.objects.get(pk=waiting.pk), moderator=moderator, why="a forged slip"
    )
    html = page(client, waiting)
    assert reasons_shown(html) == ["moderator_revoked"] and "a forged slip" in html


def test_upload_another_is_offered_while_waiting_but_not_for_a_closed_campaign(client, waiting):
    assert 'id="upload-another"' in page(client, waiting)
    waiting.campaign.is_active = False
    waiting.campaign.save(update_fields=["is_active"])
    assert 'id="upload-another"' not in page(client, waiting)  # its upload page is gone


# --- the live fragment ---------------------------------------------------------------------------------------


def test_the_live_fragment_follows_the_decision(client, waiting, moderator):
    before = live(client, waiting)
    assert (before["status"], before["final"], before["poll"], before["poll_max"]) == (
        "moderation",
        False,
        15,
        30,
    )
    assert 'data-status="moderation"' in before["html"] and "<html" not in before["html"]
    moderation_reject(submission=waiting, moderator=moderator, code="moderator_unreadable")
    after = live(client, waiting)
    assert (after["status"], after["final"], after["poll"]) == ("rejected", True, None)
    assert reasons_shown(after["html"]) == ["moderator_unreadable"]
    assert "Take it again in good light" in after["html"]


@pytest.mark.parametrize(("status", "poll"), [("received", 2), ("processing", 2), ("accepted", None)])
def test_the_page_polls_quickly_while_reading_and_not_once_decided(client, status, poll):
    submission = SubmissionFactory(status=status)
    assert live(client, submission)["poll"] == poll
    html = page(client, submission)
    assert ("fetch(live.dataset.url" in html) is (poll is not None)
    # Without JavaScript the page still reloads itself while undecided.
    assert ('<noscript><meta http-equiv="refresh"' in html) is (poll is not None)


def test_the_live_fragment_speaks_the_readers_language(client, waiting):
    ru = client.get(f"/s/{waiting.pk}/live/").json()["html"]
    assert "Ваш чек проверит модератор" in ru


def test_the_live_fragment_is_reached_only_by_the_id_and_only_read(client, waiting):
    assert client.get(f"/s/{uuid.uuid4()}/live/").status_code == 404
    assert client.get(f"/s/{waiting.campaign.slug}/live/").status_code == 404
    assert client.post(f"/s/{waiting.pk}/live/").status_code == 405


def test_the_live_fragment_costs_what_the_page_costs(client, waiting):
    with CaptureQueriesContext(connection) as fragment:
        live(client, waiting)
    assert len(fragment) <= 2  # the submission with its campaign (and extras' relations); nothing per reason


# --- the participant's own earlier copy ---------------------------------------------------------------------


def copy_of(original, participant, code="duplicate_slip", owner=PHONE) -> Submission:
    return SubmissionFactory(
        campaign=original.campaign,
        participant=participant,
        status=Status.REJECTED,
        reasons=[{"code": code, "details": {}}],
        duplicate_of=original,
        owner_hash=owner,
    )


@pytest.mark.parametrize("code", ["duplicate_slip", "duplicate_photo", "moderator_duplicate"])
def test_own_earlier_is_the_participants_own_original_only(campaign, code):
    original = SubmissionFactory(campaign=campaign, status=Status.ACCEPTED)
    mine = copy_of(original, original.participant, code)
    theirs = copy_of(original, ParticipantFactory(), code)
    assert own_earlier(mine, {code}) == original
    assert own_earlier(theirs, {code}) is None
    assert own_earlier(mine, {"amount_mismatch"}) is None  # refused for another reason
    mine.status = Status.MODERATION
    assert own_earlier(mine, {code}) is None


def test_own_copy_says_the_earlier_one_counts_and_links_it(client, campaign):
    original = SubmissionFactory(campaign=campaign, status=Status.ACCEPTED, owner_hash=PHONE)
    again = copy_of(original, original.participant)
    html = page(client, again)
    assert "You have already sent this slip." in html
    assert "that submission is the one that counts. Its status: accepted." in html
    assert f'href="/s/{original.pk}/"' in html
    assert FOREIGN_REFUSAL not in html and "Your slip is not accepted." not in html
    assert reasons_shown(html) == ["own_duplicate"]


@pytest.mark.parametrize("owner", [STRANGER, ""], ids=["another browser", "the API"])
def test_the_same_contact_from_elsewhere_reads_the_status_but_gets_no_link(client, campaign, owner):
    """A typed contact proves nothing: whoever typed it with a copy of the slip learns that it was sent and its
    status, but not the id that opens it (its promo code, its card digits, its appeal)."""
    original = SubmissionFactory(campaign=campaign, status=Status.ACCEPTED, owner_hash=PHONE)
    again = copy_of(original, original.participant, owner=owner)
    for html in (page(client, again), live(client, again)["html"]):
        assert "that submission is the one that counts. Its status: accepted." in html
        assert str(original.pk) not in html and "Open that submission" not in html
    assert str(original.pk) not in str(api(client, again))


def test_own_copy_of_a_revoked_submission_does_not_say_it_counts(client, campaign):
    original = SubmissionFactory(campaign=campaign, status=Status.REVOKED)
    html = page(client, copy_of(original, original.participant))
    assert "Its status: revoked." in html and "the one that counts" not in html


def test_someone_elses_copy_is_refused_without_a_word_of_the_other(client, campaign):
    original = SubmissionFactory(campaign=campaign, status=Status.ACCEPTED)
    theirs = copy_of(original, ParticipantFactory())
    for html in (page(client, theirs), live(client, theirs)["html"]):
        assert FOREIGN_REFUSAL in html and "Your slip is not accepted." in html
        assert str(original.pk) not in html
        assert "You already sent" not in html and "You have already sent" not in html
        assert "Each slip takes part once" in html


def upload(campaign, photo, truth, contact, owner=PHONE) -> Submission:
    submission = submissions.submission_create(
        campaign=campaign, contact=contact, photo=photo_intake(photo), typed_amount=truth.amount,
        typed_card_last4=truth.card_last4, consent_version="1", channel="page", owner_hash=owner,
    )  # fmt: skip
    processing.submission_process(submission_id=submission.pk)
    return Submission.objects.get(pk=submission.pk)


def test_the_same_slip_sent_again_through_the_real_decision(client, campaign, slip):
    """End to end: the decision refuses both copies; the owner reads that the first counts, another person a
    plain refusal."""
    photo, truth = slip
    first = upload(campaign, photo, truth, "+79990000001")
    assert first.status == Status.ACCEPTED, first.reasons
    again = upload(campaign, photo, truth, "8 999 000-00-01")
    someone = upload(campaign, photo, truth, "+79990000002")
    assert again.status == someone.status == Status.REJECTED
    own, foreign = page(client, again), page(client, someone)
    assert "that submission is the one that counts" in own and f'href="/s/{first.pk}/"' in own
    assert [r["code"] for r in someone.reasons] == ["duplicate_photo"] and someone.duplicate_of_id == first.pk
    assert "This photo has already been submitted." in foreign and str(first.pk) not in foreign
    impostor = page(client, upload(campaign, photo, truth, "+79990000001", owner=STRANGER))
    assert "that submission is the one that counts" in impostor and str(first.pk) not in impostor


def api(client, submission) -> dict:
    response = client.get(f"/api/v1/submissions/{submission.pk}/", **EN)
    assert response.status_code == 200
    return response.json()


def test_the_api_says_the_same_of_an_own_copy_and_keeps_the_stable_code(client, campaign):
    """A client app shows what the page shows: the earlier submission counts, and its status."""
    original = SubmissionFactory(campaign=campaign, status=Status.ACCEPTED)
    body = api(client, copy_of(original, original.participant, "duplicate_photo"))
    (reason,) = body["reasons"]
    assert reason["code"] == "duplicate_photo"  # what clients branch on, as before
    assert "that submission is the one that counts. Its status: accepted." in reason["message"]
    assert reason["next"] == ""
    earlier = body["duplicate_of"]
    assert datetime.fromisoformat(earlier.pop("created_at")) == original.created_at
    assert earlier == {"status": "accepted"}  # not its id: a typed contact proves no ownership
    assert str(original.pk) not in str(body)


def test_the_api_names_no_one_elses_submission_and_says_what_to_do(client, campaign):
    original = SubmissionFactory(campaign=campaign, status=Status.ACCEPTED)
    body = api(client, copy_of(original, ParticipantFactory()))
    assert body["duplicate_of"] is None and str(original.pk) not in str(body)
    (reason,) = body["reasons"]
    assert reason["code"] == "duplicate_slip" and reason["message"] == FOREIGN_REFUSAL
    assert reason["next"] == "Each slip takes part once: upload the slip of another purchase."
    waiting = api(client, SubmissionFactory(campaign=campaign, status=Status.MODERATION))
    assert (
        waiting["next_step"] == "Nothing to do meanwhile: a person will check the slip and decide."
    )  # no "page"
    refused = SubmissionFactory(
        campaign=campaign, status=Status.REJECTED, reasons=[{"code": "amount_mismatch", "details": {}}]
    )
    (reason,) = api(client, refused)["reasons"]
    assert reason["next"].startswith("If you typed the amount wrong, upload the slip again")
    assert api(client, original)["duplicate_of"] is None


# --- the signed list of one's own submissions ---------------------------------------------------------------


def mine_url(submission) -> str:
    token = mine_token(submission_id=submission.pk, campaign_id=submission.campaign_id)
    return reverse("promo:mine", kwargs={"slug": submission.campaign.slug, "token": token})


def sent(campaign, participant=None, owner=PHONE, **kwargs) -> Submission:
    """An upload from a browser (`owner`: its cookie's hash, promo.owners)."""
    participant = participant or ParticipantFactory()
    return SubmissionFactory(campaign=campaign, participant=participant, owner_hash=owner, **kwargs)


def test_every_status_page_of_a_browser_upload_links_the_participants_list(client, campaign):
    submission = sent(campaign, status=Status.ACCEPTED)
    html = page(client, submission)
    assert f'href="{mine_url(submission)}"' in html
    assert "All your submissions in this campaign" in html


def test_an_upload_without_a_browser_has_no_list(client, campaign):
    """The API and batches give no owner: the id the client holds is the key, and a list by contact is refused."""
    submission = sent(campaign, owner="")
    assert "mine/" not in page(client, submission)
    assert client.get(mine_url(submission)).status_code == 404


def test_typing_someone_elses_contact_lists_only_ones_own_uploads(client, campaign):
    """The attack a contact-keyed list allowed: upload anything with the victim's phone number, follow the list
    link, read their submissions and promo codes. The list is one browser's uploads under one contact."""
    victim = ParticipantFactory()
    theirs = sent(campaign, victim, status=Status.ACCEPTED)
    mine = sent(campaign, victim, owner=STRANGER)
    html = client.get(mine_url(mine), **EN).content.decode()
    assert f'href="/s/{mine.pk}/"' in html and str(theirs.pk) not in html
    # A shared phone: two people's uploads from one browser stay two lists.
    flatmate = sent(campaign, owner=PHONE)
    html = client.get(mine_url(theirs), **EN).content.decode()
    assert f'href="/s/{theirs.pk}/"' in html and str(flatmate.pk) not in html and str(mine.pk) not in html


def test_the_list_shows_the_participants_submissions_in_this_campaign_only(client, campaign):
    participant = ParticipantFactory()
    accepted = sent(campaign, participant, status=Status.ACCEPTED, typed_amount=Decimal("2586.60"))
    waiting = sent(campaign, participant, status=Status.MODERATION)
    elsewhere = sent(CampaignFactory(), participant)
    someone = sent(campaign)
    response = client.get(mine_url(accepted), **EN)
    html = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert f'href="/s/{accepted.pk}/"' in html and f'href="/s/{waiting.pk}/"' in html
    assert str(elsewhere.pk) not in html and str(someone.pk) not in html
    assert "₽2,586.60" in html and "Accepted" in html and "In moderation" in html
    assert participant.contact not in html
    assert html.index(str(waiting.pk)) < html.index(str(accepted.pk))  # the newest first
    ru = client.get(mine_url(accepted)).content.decode()
    assert "2\xa0586,60\xa0₽" in ru


def test_a_tampered_or_foreign_token_finds_nothing(client, campaign):
    submission = sent(campaign)
    other = sent(CampaignFactory())
    url = mine_url(submission)
    token = url.rstrip("/").rsplit("/", 1)[1]
    value, signature = token.split(":", 1)
    assert value == submission.pk.hex  # no participant's number in it
    forged = [
        f"{other.pk.hex}:{signature}",  # another submission under this signature
        f"{sent(campaign).pk.hex}:{signature}",  # another participant's, same campaign
        f"{value}:{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}",
        value,
        "x",
        f"{value}:",
        "%00",
    ]
    for bad in forged:
        assert client.get(f"/c/{campaign.slug}/mine/{bad}/").status_code == 404, bad
    # A good token of another campaign, used here; this one's token used under another campaign.
    assert client.get(mine_url(other).replace(other.campaign.slug, campaign.slug)).status_code == 404
    assert client.get(url.replace(campaign.slug, other.campaign.slug)).status_code == 404
    assert client.get(url.replace(campaign.slug, "nope")).status_code == 404
    assert client.post(url).status_code == 405
    # Signed right, but for a submission the campaign does not hold (a bug elsewhere must not open a list).
    foreign = mine_token(submission_id=other.pk, campaign_id=campaign.pk)
    assert client.get(f"/c/{campaign.slug}/mine/{foreign}/").status_code == 404


def test_any_of_a_participants_status_pages_opens_the_same_list(client, campaign):
    participant = ParticipantFactory()
    first, second = (sent(campaign, participant) for _ in range(2))
    lists = [client.get(mine_url(s), **EN).content.decode() for s in (first, second)]
    for html in lists:
        assert f'href="/s/{first.pk}/"' in html and f'href="/s/{second.pk}/"' in html


def test_an_erased_participant_gets_nothing(client, campaign):
    submission = sent(campaign)
    url = mine_url(submission)
    assert client.get(url).status_code == 200
    participant_erase_by_id(participant=submission.participant, actor="test")
    assert client.get(url).status_code == 404
    assert "mine/" not in page(client, submission)  # nor is the link offered any more


def test_the_list_costs_the_same_queries_for_one_or_many(client, campaign):
    participant = ParticipantFactory()
    first = sent(campaign, participant)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(mine_url(first)).status_code == 200
        return len(captured)

    one = count()
    for _ in range(7):
        sent(campaign, participant)
    assert count() == one <= 3
