from datetime import date
from decimal import Decimal
from unittest import mock

import pytest
from celery import current_app

from promo import jobs, processing, submissions, transitions
from promo.intake import photo_intake
from promo.models import StatusTransition, Submission
from tests.factories import SubmissionFactory, reading_of

Status = Submission.Status
pytestmark = pytest.mark.django_db


def upload(campaign, photo: bytes, amount: str, card: str, contact: str = "+7 999 000-00-01") -> Submission:
    return submissions.submission_create(
        campaign=campaign,
        contact=contact,
        photo=photo_intake(photo),
        typed_amount=Decimal(amount),
        typed_card_last4=card,
        consent_version="1",
        channel="page",
    )


def test_matching_slip_is_read_and_accepted(campaign, slip, django_capture_on_commit_callbacks):
    photo, truth = slip
    with django_capture_on_commit_callbacks(execute=True):
        submission = upload(campaign, photo, str(truth.amount), truth.card_last4)
    submission.refresh_from_db()
    assert submission.status == Status.ACCEPTED, submission.reasons
    assert [r["code"] for r in submission.reasons] == ["slip_matches"]
    recognition = submission.recognition
    assert recognition.amount == truth.amount
    assert recognition.card_last4 == truth.card_last4
    assert recognition.date == truth.date
    assert recognition.lines and recognition.full_text
    assert recognition.timings_ms["total"] > 0
    assert submission.participant.contact == "+79990000001"
    assert list(submission.transitions.values_list("from_status", "to_status", "actor")) == [
        ("", Status.RECEIVED, "participant"),
        (Status.RECEIVED, Status.PROCESSING, "worker"),
        (Status.PROCESSING, Status.ACCEPTED, "system"),
    ]


@pytest.mark.parametrize(
    ("policy", "status"), [({}, Status.REJECTED), ({"amount_mismatch": "moderation"}, Status.MODERATION)]
)
def test_wrong_typed_amount_is_refused_with_what_was_read(
    campaign, slip, django_capture_on_commit_callbacks, policy, status
):
    campaign.failure_policy = policy
    campaign.reject_confidence = campaign.min_confidence  # a campaign refusing every confident mismatch
    campaign.save()
    photo, truth = slip
    with django_capture_on_commit_callbacks(execute=True):
        submission = upload(campaign, photo, str(truth.amount + 1), truth.card_last4)
    submission.refresh_from_db()
    assert submission.status == status
    assert [r["code"] for r in submission.reasons] == ["amount_mismatch"]
    assert submission.reasons[0]["details"] == {"read": str(truth.amount), "typed": str(truth.amount + 1)}
    amount_check = next(c for c in submission.checks if c["check"] == "amount")
    assert amount_check["outcome"] == "fail" and amount_check["evidence"]["typed"] == str(truth.amount + 1)


def test_landscape_is_rejected_as_not_a_slip(campaign, landscape, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submission = upload(campaign, landscape, "100.00", "1234")
    submission.refresh_from_db()
    assert submission.status == Status.REJECTED
    assert [r["code"] for r in submission.reasons] == ["not_a_slip"]


def test_processing_is_enqueued_only_after_commit(campaign, slip, django_capture_on_commit_callbacks):
    photo, truth = slip
    with mock.patch.object(type(current_app.tasks[jobs.PROCESS_TASK]), "apply_async") as send:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            submission = upload(campaign, photo, str(truth.amount), truth.card_last4)
        send.assert_not_called()
        submission.refresh_from_db()
        assert submission.enqueued_at is None
        for callback in callbacks:
            callback()
    send.assert_called_once_with(args=[str(submission.pk)])
    submission.refresh_from_db()
    assert submission.enqueued_at is not None


def test_processing_twice_gives_one_result():
    submission = SubmissionFactory()
    reading_calls = []

    def fake_recognize(photo, **options):
        reading_calls.append(photo)
        raise AssertionError("must not be reached twice")

    with mock.patch("promo.processing.recognize", side_effect=fake_recognize):
        processing.submission_process(submission_id=submission.pk)
        assert processing.submission_process(submission_id=submission.pk) is None
    assert len(reading_calls) == 1
    assert StatusTransition.objects.filter(submission=submission, to_status=Status.PROCESSING).count() == 1


def test_recognition_failure_ends_in_moderation_not_limbo():
    submission = SubmissionFactory()
    with mock.patch("promo.processing.recognize", side_effect=RuntimeError("engine crashed")):
        processing.submission_process(submission_id=submission.pk)
    submission.refresh_from_db()
    assert submission.status == Status.MODERATION
    assert [r["code"] for r in submission.reasons] == ["recognition_failed"]
    assert "engine crashed" in submission.recognition.error


def test_transitions_outside_the_state_machine_are_refused():
    submission = SubmissionFactory()
    with pytest.raises(transitions.TransitionNotAllowed):
        transitions.submission_transition(submission=submission, to=Status.ACCEPTED, actor="test")
    transitions.submission_transition(submission=submission, to=Status.PROCESSING, actor="test")
    transitions.submission_transition(submission=submission, to=Status.REJECTED, actor="test")
    # A rejection goes nowhere but back to a person (a reopening or the participant's appeal).
    for target in set(Status.values) - {Status.MODERATION}:
        with pytest.raises(transitions.TransitionNotAllowed):
            transitions.submission_transition(submission=submission, to=target, actor="test")
    transitions.submission_transition(submission=submission, to=Status.MODERATION, actor="test")


def test_a_stale_copy_cannot_move_a_submission_someone_else_moved():
    submission = SubmissionFactory()
    stale = Submission.objects.get(pk=submission.pk)
    transitions.submission_transition(submission=submission, to=Status.PROCESSING, actor="worker-1")
    with pytest.raises(transitions.TransitionNotAllowed):
        transitions.submission_transition(submission=stale, to=Status.PROCESSING, actor="worker-2")


def test_decision_uses_what_was_read_and_the_campaign_rules():
    submission = SubmissionFactory(typed_amount=Decimal("1234.50"), typed_card_last4="4821")
    submission.campaign.payment_systems = ["VISA"]
    submission.campaign.save()
    reading = reading_of(
        amount=Decimal("1234.50"), date=date(2026, 11, 21), card_last4="4821", payment_system="MIR"
    )
    with mock.patch("promo.processing.recognize", return_value=reading):
        processing.submission_process(submission_id=submission.pk)
    submission.refresh_from_db()
    assert submission.status == Status.REJECTED
    assert [r["code"] for r in submission.reasons] == ["payment_system_not_allowed"]
    assert {c["check"]: c["outcome"] for c in submission.checks}["payment_system"] == "fail"
    assert submission.recognition.payment_system == "MIR"
    assert submission.recognition.campaign_id == submission.campaign_id


def test_a_failure_that_quotes_a_card_number_is_stored_masked(campaign, slip):
    photo, truth = slip
    submission = upload(campaign, photo, str(truth.amount), truth.card_last4)
    with mock.patch("promo.processing.recognize", side_effect=ValueError("choked on 4111 1111 1111 1111")):
        processing.submission_process(submission_id=submission.pk)
    submission.refresh_from_db()
    assert submission.status == Status.MODERATION
    assert "4111 1111 1111 1111" not in submission.recognition.error
    assert submission.recognition.error.endswith("1111")


@pytest.mark.parametrize(
    ("seed", "documents", "codes"),
    [
        (
            0,
            ["slip", "card_receipt"],
            ["slip_matches"],
        ),  # a receipt printing `VISA **** 8764` proves the payment
        (1, ["slip", "card_receipt"], ["receipt_without_card"]),  # paid in cash: nothing shows a card
        (1, ["slip", "card_receipt", "receipt"], ["slip_matches"]),  # any receipt: the card is not asked for
    ],
)
def test_a_receipt_is_decided_by_what_the_campaign_accepts(
    campaign, django_capture_on_commit_callbacks, seed, documents, codes
):
    from tests.conftest import generated_photo

    campaign.documents = documents
    campaign.save(update_fields=["documents"])
    photo, truth = generated_photo(seed, "receipt", "ru")
    with django_capture_on_commit_callbacks(execute=True):
        submission = upload(campaign, photo, str(truth.amount), truth.card_last4 or "4821")
    submission.refresh_from_db()
    assert submission.recognition.kind == "receipt"
    assert [r["code"] for r in submission.reasons] == codes, submission.checks
    kind_check = next(c for c in submission.checks if c["check"] == "document_kind")
    assert kind_check["evidence"]["accepted"] == documents


def test_a_refund_is_refused_on_either_engines_reading_of_its_heading():
    from recognition.types import OcrLine

    submission = SubmissionFactory(typed_amount=Decimal("1234.50"), typed_card_last4="4821")
    reading = reading_of(amount=Decimal("1234.50"), date=date(2026, 11, 21), card_last4="4821")
    box = ((0, 0), (100, 0), (100, 20), (0, 20))
    # PP-OCR garbled the Cyrillic heading; Tesseract's second reading of the line says it.
    reading.lines = [
        OcrLine("KACCOBBIN 4EK", 0.9, box),
        OcrLine("B0ЗBPAI IIPNX", 0.5, box, "ВОЗВРАТ ПРИХОДА", 0.8),
    ]
    with mock.patch("promo.processing.recognize", return_value=reading):
        processing.submission_process(submission_id=submission.pk)
    submission.refresh_from_db()
    assert (submission.status, [r["code"] for r in submission.reasons]) == (Status.REJECTED, ["refund"])
    refund = next(c for c in submission.checks if c["check"] == "refund")
    assert refund["evidence"] == {"printed": "ВОЗВРАТ ПРИХОДА"}


def test_a_refund_is_refused_on_its_fiscal_qr_alone():
    """The heading was not read at all, but the QR says `n=2` (возврат прихода)."""
    from recognition.fiscal_qr import parse_fiscal_qr

    submission = SubmissionFactory(typed_amount=Decimal("1234.50"), typed_card_last4="4821")
    reading = reading_of(amount=Decimal("1234.50"), date=date(2026, 11, 21), card_last4="4821")
    reading.fiscal = parse_fiscal_qr(
        "t=20261121T1412&s=1234.50&fn=9960440300123456&i=12345&fp=1234567890&n=2"
    )
    with mock.patch("promo.processing.recognize", return_value=reading):
        processing.submission_process(submission_id=submission.pk)
    submission.refresh_from_db()
    assert (submission.status, [r["code"] for r in submission.reasons]) == (Status.REJECTED, ["refund"])
    refund = next(c for c in submission.checks if c["check"] == "refund")
    assert refund["evidence"] == {"printed": "fiscal QR n=2"}


@pytest.mark.parametrize(
    ("tip_value", "outcome"),
    [
        ("________", (Status.MODERATION, ["low_confidence"])),  # blank: a tip written in by hand may be paid
        (
            "5.00",
            (Status.REJECTED, ["amount_mismatch"]),
        ),  # printed in its own box on the tip's row: no open tip
    ],
)
def test_an_open_tip_line_is_read_on_its_printed_row_not_its_box(tip_value, outcome):
    from recognition.types import OcrLine

    def at(text, top, left, right):
        return OcrLine(text, 0.95, ((left, top), (right, top), (right, top + 20), (left, top + 20)))

    submission = SubmissionFactory(typed_amount=Decimal("154.00"), typed_card_last4="4821")
    reading = reading_of(
        confidence=0.9996, amount=Decimal("118.46"), date=date(2026, 11, 21), card_last4="4821"
    )
    reading.lines = [at("Subtotal", 0, 10, 120), at("118.46", 0, 300, 380), at("TIP", 30, 10, 60)]
    reading.lines.append(at(tip_value, 30, 300, 380))
    with mock.patch("promo.processing.recognize", return_value=reading):
        processing.submission_process(submission_id=submission.pk)
    submission.refresh_from_db()
    assert (submission.status, [r["code"] for r in submission.reasons]) == outcome, submission.checks


def test_the_automatic_decision_its_repairs_and_a_persons_overturn_are_kept_apart():
    """The reports' facts: what the machine said and when, the repairs it relied on, and how long a person
    was waited for; a person's later word does not overwrite the machine's."""
    submission = SubmissionFactory(typed_amount=Decimal("1234.50"), typed_card_last4="4821")
    reading = reading_of(amount=Decimal("1234.50"), date=date(2026, 11, 21), card_last4="4821")
    repaired = reading.fields["date"]
    reading.fields["date"] = type(repaired)(
        repaired.value, repaired.confidence, repaired.candidates, ("date_mask_repaired",)
    )
    with mock.patch("promo.processing.recognize", return_value=reading):
        processing.submission_process(submission_id=submission.pk)
    submission.refresh_from_db()
    assert submission.status == Status.ACCEPTED, submission.reasons
    assert (submission.auto_outcome, submission.repairs) == (Status.ACCEPTED, " date_mask_repaired ")
    assert submission.auto_decided_at == submission.decided_at
    automatic_at = submission.auto_decided_at

    transitions.submission_transition(submission=submission, to=Status.MODERATION, actor="moderator")
    submission.refresh_from_db()
    waiting_since = submission.waiting_since
    transitions.submission_transition(submission=submission, to=Status.REJECTED, actor="moderator")
    submission.refresh_from_db()
    assert (submission.auto_outcome, submission.auto_decided_at) == (Status.ACCEPTED, automatic_at)
    assert submission.moderation_wait == submission.decided_at - waiting_since
    assert submission.moderation_wait.total_seconds() >= 0


def test_recognition_that_gives_up_is_an_automatic_moderation():
    submission = SubmissionFactory()
    with mock.patch("promo.processing.recognize", side_effect=RuntimeError("engine crashed")):
        processing.submission_process(submission_id=submission.pk)
    submission.refresh_from_db()
    assert (submission.status, submission.auto_outcome, submission.repairs) == (
        Status.MODERATION,
        "moderation",
        "",
    )
    assert submission.auto_decided_at is not None and submission.moderation_wait is None
