"""A participant asks, once, for a person to check an automatic rejection: the service, the API and the page."""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from moderation.services import moderation_reject
from promo.appeals import AppealNotAllowed, can_appeal, submission_appeal
from promo.models import StatusTransition, Submission
from tests.factories import SubmissionFactory

pytestmark = pytest.mark.django_db
Status = Submission.Status
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
MISREAD = {"code": "amount_mismatch", "details": {"read": "1284.50", "typed": "1234.50"}}
MISREAD_MESSAGE = "The amount on the slip (1284.50) differs from the amount you typed (1234.50)."
APPEALED_MESSAGE = "You asked for a person to check this decision; a moderator will look at it."
BUTTON = "Ask a person to check"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def moderator(django_user_model):
    return django_user_model.objects.create_user(username="mod", password="x", is_staff=True)


def machine_rejection(**fields) -> Submission:
    return SubmissionFactory(status=Status.REJECTED, reasons=[MISREAD], decided_at=timezone.now(), **fields)


def refused_cases(moderator) -> dict[str, tuple[Submission, str]]:
    """Submissions a participant may not appeal, and why."""
    rejected = {"status": Status.REJECTED, "decided_at": timezone.now()}
    return {
        "already appealed": (
            SubmissionFactory(
                status=Status.MODERATION,
                appealed_at=timezone.now(),
                reasons=[{"code": "appealed", "details": {}}, MISREAD],
            ),
            "already_appealed",
        ),
        "appealed, then rejected by a moderator": (
            SubmissionFactory(
                **rejected,
                decided_by=moderator,
                appealed_at=timezone.now(),
                reasons=[{"code": "moderator_amount_differs", "details": {}}, MISREAD],
            ),
            "already_appealed",
        ),
        "rejected by a moderator": (
            SubmissionFactory(
                **rejected,
                decided_by=moderator,
                reasons=[{"code": "moderator_rejected", "details": {"note": "Not a slip."}}],
            ),
            "decided_by_moderator",
        ),
        "a moderator asked for a better photo": (
            SubmissionFactory(**rejected, reasons=[{"code": "better_photo_needed", "details": {"note": ""}}]),
            "decided_by_moderator",
        ),
        "duplicate slip": (
            SubmissionFactory(**rejected, reasons=[{"code": "duplicate_slip", "details": {}}]),
            "not_changeable",
        ),
        "duplicate photo": (
            SubmissionFactory(**rejected, reasons=[{"code": "duplicate_photo", "details": {}}]),
            "not_changeable",
        ),
        "limit per day": (
            SubmissionFactory(
                **rejected, reasons=[MISREAD, {"code": "limit_per_day", "details": {"limit": "3"}}]
            ),
            "not_changeable",
        ),
        "photo erased": (machine_rejection(erased_at=timezone.now()), "photo_erased"),
        "accepted": (
            SubmissionFactory(status=Status.ACCEPTED, reasons=[{"code": "slip_matches", "details": {}}]),
            "not_rejected",
        ),
        "in moderation": (
            SubmissionFactory(status=Status.MODERATION, reasons=[{"code": "amount_unread", "details": {}}]),
            "not_rejected",
        ),
        "still being read": (SubmissionFactory(status=Status.PROCESSING), "not_rejected"),
        "revoked": (
            SubmissionFactory(
                status=Status.REVOKED,
                decided_by=moderator,
                reasons=[{"code": "moderator_revoked", "details": {"note": "Edited photo."}}],
            ),
            "not_rejected",
        ),
    }


REFUSED = [
    "already appealed",
    "appealed, then rejected by a moderator",
    "rejected by a moderator",
    "a moderator asked for a better photo",
    "duplicate slip",
    "duplicate photo",
    "limit per day",
    "photo erased",
    "accepted",
    "in moderation",
    "still being read",
    "revoked",
]


def test_refused_cases_are_the_listed_ones(moderator):
    assert list(refused_cases(moderator)) == REFUSED


# --- the service ------------------------------------------------------------------------------------------------


def test_appeal_sends_an_automatic_rejection_to_a_moderator_once():
    submission = machine_rejection()
    assert can_appeal(submission)

    submission_appeal(submission=submission)

    submission.refresh_from_db()
    assert submission.status == Status.MODERATION
    assert submission.appealed_at is not None
    assert submission.waiting_since is not None  # in the queue from now
    # The rejection's reasons stay on record under the appeal.
    assert [r["code"] for r in submission.reasons] == ["appealed", "amount_mismatch"]
    move = StatusTransition.objects.get(submission=submission)
    expected = ("rejected", "moderation", "participant", "appeal")
    assert (move.from_status, move.to_status, move.actor, move.note) == expected
    assert not can_appeal(submission)
    with pytest.raises(AppealNotAllowed) as refused:
        submission_appeal(submission=submission)
    assert refused.value.why == "already_appealed"
    assert StatusTransition.objects.filter(submission=submission).count() == 1


def test_a_stale_copy_cannot_appeal_again():
    """Two requests read the rejection before either moved it: the conditional update lets one through."""
    first = machine_rejection()
    second = Submission.objects.get(pk=first.pk)
    submission_appeal(submission=first)
    with pytest.raises(AppealNotAllowed) as refused:
        submission_appeal(submission=second)
    assert refused.value.why == "already_appealed"
    assert second.status == Status.MODERATION  # re-read to say why
    assert StatusTransition.objects.filter(submission=first, to_status=Status.MODERATION).count() == 1


@pytest.mark.parametrize("case", REFUSED)
def test_what_cannot_be_appealed_stays_as_it_is(moderator, case):
    submission, why = refused_cases(moderator)[case]
    before = (submission.status, submission.reasons, submission.appealed_at)
    assert not can_appeal(submission)
    with pytest.raises(AppealNotAllowed) as refused:
        submission_appeal(submission=submission)
    assert refused.value.why == why
    submission.refresh_from_db()
    assert (submission.status, submission.reasons, submission.appealed_at) == before
    assert not StatusTransition.objects.filter(submission=submission).exists()


def test_a_moderators_verdict_after_an_appeal_is_final(moderator):
    submission = machine_rejection()
    submission_appeal(submission=submission)
    moderation_reject(submission=submission, moderator=moderator, code="moderator_amount_differs")
    submission.refresh_from_db()
    assert submission.status == Status.REJECTED
    assert not can_appeal(submission)
    with pytest.raises(AppealNotAllowed):
        submission_appeal(submission=submission)


# --- the API ----------------------------------------------------------------------------------------------------


def appeal_url(submission_id) -> str:
    return f"/api/v1/submissions/{submission_id}/appeal/"


def test_api_appeal_answers_with_the_submission_now(api):
    submission = machine_rejection()
    detail = api.get(f"/api/v1/submissions/{submission.pk}/", **EN).json()
    assert detail["can_appeal"] is True
    assert detail["appealed_at"] is None

    response = api.post(appeal_url(submission.pk), **EN)

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "moderation"
    assert body["can_appeal"] is False
    assert body["appealed_at"]
    assert body["reasons"] == [{"code": "appealed", "message": APPEALED_MESSAGE, "next": ""}]
    assert body == api.get(f"/api/v1/submissions/{submission.pk}/", **EN).json()  # the detail's shape
    move = StatusTransition.objects.get(submission=submission)
    assert (move.to_status, move.actor) == ("moderation", "participant")


def test_api_appeal_needs_no_csrf_token_from_an_app():
    submission = machine_rejection()
    response = APIClient(enforce_csrf_checks=True).post(appeal_url(submission.pk), **EN)
    assert response.status_code == 200


def test_api_second_appeal_is_a_conflict_with_a_stable_code(api):
    submission = machine_rejection()
    assert api.post(appeal_url(submission.pk), **EN).status_code == 200
    response = api.post(appeal_url(submission.pk), **EN)
    assert response.status_code == 409
    assert response.json() == {
        "code": "appeal_not_allowed",
        "why": "already_appealed",
        "detail": "You have already asked for a person to check this slip: it can be asked only once.",
    }
    assert StatusTransition.objects.filter(submission=submission).count() == 1


@pytest.mark.parametrize("case", REFUSED)
def test_api_refuses_what_cannot_be_appealed(api, moderator, case):
    submission, why = refused_cases(moderator)[case]
    assert api.get(f"/api/v1/submissions/{submission.pk}/", **EN).json()["can_appeal"] is False
    response = api.post(appeal_url(submission.pk), **EN)
    assert response.status_code == 409
    body = response.json()
    assert (body["code"], body["why"]) == ("appeal_not_allowed", why)
    assert " " in body["detail"]  # words for the participant, not a code
    assert Submission.objects.get(pk=submission.pk).status == submission.status


def test_api_appeal_of_an_unknown_submission_is_404(api):
    response = api.post(appeal_url(uuid.uuid4()), **EN)
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Not found."}
    malformed = api.post("/api/v1/submissions/not-a-uuid/appeal/", **EN)
    assert malformed.status_code == 404 and malformed.json()["code"] == "not_found"


def test_api_appeal_is_a_post(api):
    submission = machine_rejection()
    response = api.get(appeal_url(submission.pk), **EN)
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert response["Allow"] == "POST, OPTIONS"
    assert Submission.objects.get(pk=submission.pk).status == Status.REJECTED


def test_api_shows_only_the_moderators_verdict(api, moderator):
    submission = SubmissionFactory(
        status=Status.REJECTED, decided_by=moderator,
        reasons=[{"code": "moderator_rejected", "details": {"note": "The slip is from another shop."}},
                 {"code": "date_in_future", "details": {"date": "2027-01-01"}}],
    )  # fmt: skip
    reasons = api.get(f"/api/v1/submissions/{submission.pk}/", **EN).json()["reasons"]
    assert reasons == [
        {
            "code": "moderator_rejected",
            "message": "A moderator checked the slip and rejected it: The slip is from another shop.",
            "next": "",
        }
    ]


def test_openapi_schema_documents_the_appeal(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    appeal = schema["paths"]["/api/v1/submissions/{id}/appeal/"]["post"]
    assert {"200", "404", "409"} <= set(appeal["responses"])
    assert "can_appeal" in schema["components"]["schemas"]["Submission"]["properties"]
    assert appeal["responses"]["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert "why" in schema["components"]["schemas"]["Error"]["properties"]


# --- the status page --------------------------------------------------------------------------------------------


def page(client, submission) -> str:
    response = client.get(f"/s/{submission.pk}/", **EN)
    assert response.status_code == 200
    return response.content.decode()


def test_page_offers_the_appeal_under_an_automatic_rejection(client):
    submission = machine_rejection()
    text = page(client, submission)
    assert BUTTON in text
    assert f'action="/s/{submission.pk}/appeal/"' in text
    assert "csrfmiddlewaretoken" in text


@pytest.mark.parametrize("case", REFUSED)
def test_page_hides_the_button_when_it_cannot_be_appealed(client, moderator, case):
    submission, _ = refused_cases(moderator)[case]
    assert BUTTON not in page(client, submission)


def test_page_appeal_goes_back_to_the_page_that_says_a_moderator_will_look(client):
    submission = machine_rejection()
    response = client.post(f"/s/{submission.pk}/appeal/", **EN)
    assert response.status_code == 302
    assert response["Location"] == f"/s/{submission.pk}/"

    text = page(client, submission)
    assert "A moderator will check your slip." in text
    assert APPEALED_MESSAGE in text
    assert MISREAD_MESSAGE not in text  # the rejection's reason is the record now, not the message
    assert BUTTON not in text
    assert StatusTransition.objects.get(submission=submission).actor == "participant"


def test_page_second_appeal_says_so_in_words(client):
    submission = machine_rejection()
    client.post(f"/s/{submission.pk}/appeal/", **EN)
    response = client.post(f"/s/{submission.pk}/appeal/", follow=True, **EN)
    assert response.status_code == 200
    text = response.content.decode()
    assert "You have already asked for a person to check this slip: it can be asked only once." in text
    assert "A moderator will check your slip." in text
    assert StatusTransition.objects.filter(submission=submission).count() == 1
    assert "already asked" not in page(client, submission)  # said once


def test_page_appeal_refused_for_a_duplicate_says_why(client):
    submission = SubmissionFactory(
        status=Status.REJECTED, reasons=[{"code": "duplicate_slip", "details": {}}]
    )
    response = client.post(f"/s/{submission.pk}/appeal/", follow=True, **EN)
    assert response.status_code == 200
    assert "A check by a person cannot change this decision" in response.content.decode()
    assert Submission.objects.get(pk=submission.pk).status == Status.REJECTED


def test_page_appeal_needs_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    submission = machine_rejection()
    assert client.post(f"/s/{submission.pk}/appeal/", **EN).status_code == 403
    assert Submission.objects.get(pk=submission.pk).status == Status.REJECTED

    client.get(f"/s/{submission.pk}/", **EN)  # sets the CSRF cookie, as a participant's browser has it
    token = client.cookies["csrftoken"].value
    response = client.post(f"/s/{submission.pk}/appeal/", {"csrfmiddlewaretoken": token}, **EN)
    assert response.status_code == 302
    assert Submission.objects.get(pk=submission.pk).status == Status.MODERATION


def test_page_appeal_by_a_link_changes_nothing(client):
    submission = machine_rejection()
    response = client.get(f"/s/{submission.pk}/appeal/", **EN)
    assert response.status_code == 302
    assert response["Location"] == f"/s/{submission.pk}/"
    assert Submission.objects.get(pk=submission.pk).status == Status.REJECTED


def test_page_appeal_of_an_unknown_submission_is_404(client):
    assert client.post(f"/s/{uuid.uuid4()}/appeal/", **EN).status_code == 404


def test_revoked_page_says_the_acceptance_was_withdrawn(client, moderator):
    submission = SubmissionFactory(
        status=Status.REVOKED, decided_by=moderator, decided_at=timezone.now(),
        reasons=[{"code": "moderator_revoked", "details": {"note": "The photo was edited."}},
                 {"code": "moderator_accepted", "details": {}}],
    )  # fmt: skip
    text = page(client, submission)
    assert 'data-status="revoked"' in text
    assert "The acceptance of your slip was withdrawn." in text
    assert "The acceptance of this slip was withdrawn after a check: The photo was edited." in text
    assert "A moderator checked the slip and accepted it." not in text
    assert "Your slip is accepted" not in text
    assert BUTTON not in text


def test_page_shows_only_the_moderators_verdict_under_it(client, moderator):
    submission = SubmissionFactory(
        status=Status.REJECTED, decided_by=moderator, decided_at=timezone.now(),
        reasons=[{"code": "moderator_card_differs", "details": {}},
                 {"code": "low_confidence", "details": {"field": "card_last4"}}],
    )  # fmt: skip
    text = page(client, submission)
    assert "A moderator checked the slip: the card on it is not the one" in text
    assert "a moderator will check it" not in text
    assert BUTTON not in text


def test_page_reopened_shows_that_a_moderator_is_checking_again(client, moderator):
    submission = SubmissionFactory(
        status=Status.MODERATION,
        reasons=[
            {"code": "moderator_reopened", "details": {}},
            {"code": "moderator_accepted", "details": {}},
        ],
    )
    text = page(client, submission)
    assert "A moderator is checking this decision again." in text
    assert "accepted it" not in text


def test_page_shows_every_reason_of_the_machines_decision(client):
    submission = SubmissionFactory(
        status=Status.MODERATION,
        reasons=[{"code": "low_confidence", "details": {"field": "amount"}},
                 {"code": "full_card_number", "details": {}}],
    )  # fmt: skip
    text = page(client, submission)
    assert "We are not sure we read the amount correctly; a moderator will check it." in text
    assert "The photo shows a full card number" in text


# --- a real race, on PostgreSQL ---------------------------------------------------------------------------------


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_two_appeals_at_once_move_it_once():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: concurrent transactions on one row (SQLite serialises the whole database)"
        )
    submission = machine_rejection()
    copies = [Submission.objects.get(pk=submission.pk) for _ in range(2)]  # both read it rejected
    barrier = threading.Barrier(len(copies))

    def appeal(copy: Submission) -> str:
        try:
            barrier.wait(timeout=30)
            submission_appeal(submission=copy)
            return "moved"
        except AppealNotAllowed as refused:
            return refused.why
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(copies)) as pool:
        outcomes = sorted(pool.map(appeal, copies, timeout=60))

    assert outcomes == ["already_appealed", "moved"]
    assert StatusTransition.objects.filter(submission=submission, to_status=Status.MODERATION).count() == 1
    assert Submission.objects.get(pk=submission.pk).status == Status.MODERATION
