"""export_labels: moderators' decisions as a labelled set holding only what a person confirmed, readable by the
project's own evaluation, never with a photo that may show a full card number."""

import json
from datetime import date, time
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from evaluation.management.commands.evaluate_recognition import read_labels
from evaluation.recognition_scores import summarize
from moderation.labels import json_field, labels_export, not_a_document_means_other
from moderation.models import FieldCorrection
from moderation.services import moderation_approve, moderation_correct, moderation_reject
from promo.models import Submission
from tests.factories import CampaignFactory, RecognitionFactory, SubmissionFactory, jpeg_bytes

pytestmark = pytest.mark.django_db
Status = Submission.Status
SLIP_DATE = date(2026, 10, 12)


@pytest.fixture
def moderator():
    user = User.objects.create_user("mod", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["change_queueitem", "moderate_any_campaign"])
    )
    return User.objects.get(pk=user.pk)  # permissions are cached on the instance


@pytest.fixture
def campaign():
    return CampaignFactory(slug="autumn", starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 31))


def decided(campaign, moderator, status=Status.ACCEPTED, kind="slip", corrections=(), reasons=None, **kwargs):
    """A submission a moderator decided (or the machine, with moderator=None), with its reading and corrections."""
    submission = SubmissionFactory(
        campaign=campaign,
        status=status,
        decided_by=moderator,
        decided_at=timezone.now(),
        reasons=reasons or [],
        **kwargs,
    )
    if kind is not None:
        RecognitionFactory(submission=submission, campaign=campaign, kind=kind, date=SLIP_DATE)
    for field, value in corrections:
        FieldCorrection.objects.create(submission=submission, field=field, value=value, moderator=moderator)
    return submission


def export(tmp_path, slug="autumn") -> tuple[str, dict[str, dict]]:
    """Runs the command; its summary line and the labels by submission id."""
    out = StringIO()
    call_command("export_labels", str(tmp_path / "set"), "--campaign", slug, stdout=out)
    text = (tmp_path / "set" / "labels.jsonl").read_text(encoding="utf-8")
    lines = [json.loads(line) for line in text.splitlines()]
    return out.getvalue(), {line["submission"]: line for line in lines}


def test_an_acceptance_without_corrections_is_the_typed_amount_and_card_and_the_kind(
    tmp_path, campaign, moderator
):
    submission = decided(campaign, moderator)
    summary, labels = export(tmp_path)
    assert labels[str(submission.pk)] == {
        "image": f"{submission.pk}.jpg",
        "kind": "slip",
        "amount": 1234.5,
        "card_last4": "4821",
        "submission": str(submission.pk),
        "status": "accepted",
        "campaign": "autumn",
    }
    assert "exported 1, skipped 0" in summary


def test_an_acceptance_through_the_services_writes_the_corrected_fields(tmp_path, campaign, moderator):
    submission = SubmissionFactory(
        campaign=campaign, status=Status.MODERATION, typed_amount=Decimal("980.00"), typed_card_last4="1111"
    )
    RecognitionFactory(
        submission=submission, campaign=campaign, kind="receipt", amount=Decimal("890.00"), date=SLIP_DATE
    )
    submission = Submission.objects.get(pk=submission.pk)
    moderation_correct(submission=submission, moderator=moderator, field="card_last4", value="2222")
    moderation_correct(submission=submission, moderator=moderator, field="merchant", value="ООО Ромашка")
    moderation_correct(submission=submission, moderator=moderator, field="time", value="09:05")
    moderation_correct(
        submission=submission, moderator=moderator, field="time", value="19:05"
    )  # the latest counts
    moderation_approve(submission=submission, moderator=moderator)
    _, labels = export(tmp_path)
    line = labels[str(submission.pk)]
    assert {key: line.get(key) for key in ("kind", "amount", "card_last4", "time", "merchant", "date")} == {
        "kind": "receipt",
        "amount": 980.0,  # typed, confirmed by the acceptance: not the machine's 890
        "card_last4": "2222",
        "time": "19:05",
        "merchant": "ООО Ромашка",
        "date": None,  # the machine read it, nobody confirmed it
    }


def test_a_corrected_amount_keeps_its_cents(tmp_path, campaign, moderator):
    submission = decided(campaign, moderator, corrections=[("amount", "9982.83"), ("date", "2026-10-13")])
    _, labels = export(tmp_path)
    line = labels[str(submission.pk)]
    assert (line["amount"], line["date"]) == (9982.83, "2026-10-13")


def test_a_rejection_as_not_a_document_is_other_where_every_purchase_document_counts(
    tmp_path, campaign, moderator
):
    campaign.documents = ["slip", "receipt"]
    campaign.save()
    submission = SubmissionFactory(campaign=campaign, status=Status.MODERATION)
    RecognitionFactory(submission=submission, campaign=campaign, kind="slip", date=SLIP_DATE)
    moderation_reject(submission=submission, moderator=moderator, code="moderator_not_a_document")
    _, labels = export(tmp_path)
    assert labels[str(submission.pk)] == {
        "image": f"{submission.pk}.jpg",
        "kind": "other",  # and nothing typed: a rejection confirms no amount or card
        "submission": str(submission.pk),
        "status": "rejected",
        "campaign": "autumn",
    }


def test_a_rejection_as_not_a_document_of_a_slip_only_campaign_says_nothing_of_the_kind(
    tmp_path, campaign, moderator
):
    """A shop receipt is "not a document the campaign accepts" where only slips count: no "other" label."""
    not_accepted = decided(
        campaign,
        moderator,
        status=Status.REJECTED,
        reasons=[{"code": "moderator_not_a_document", "details": {}}],
    )
    summary, labels = export(tmp_path)
    assert str(not_accepted.pk) not in labels  # nothing labelled: the photo is not copied either
    assert "nothing confirmed (a rejection with no corrected field): 1" in summary
    assert not (tmp_path / "set" / f"{not_accepted.pk}.jpg").exists()


@pytest.mark.parametrize(
    ("documents", "other"),
    [
        (["slip"], False),
        (["receipt"], False),  # a sure slip is sent to a person, who may refuse it as not accepted
        (["card_receipt"], False),
        (["slip", "card_receipt"], False),  # a cash receipt is refused as not accepted
        (["slip", "receipt"], True),
        (["card_receipt", "receipt"], True),
        (["slip", "card_receipt", "receipt"], True),
    ],
)
def test_not_a_document_means_other_only_where_slips_and_any_receipt_count(documents, other):
    assert not_a_document_means_other(documents) is other


def test_rejections_and_revocations_write_only_corrected_fields(tmp_path, campaign, moderator):
    rejected = decided(
        campaign,
        moderator,
        status=Status.REJECTED,
        reasons=[{"code": "moderator_amount_differs", "details": {}}],
        corrections=[("amount", "120.00")],
    )
    revoked = decided(
        campaign,
        moderator,
        status=Status.REVOKED,
        reasons=[{"code": "moderator_revoked", "details": {"note": "edited"}}],
        corrections=[("card_last4", "0042"), ("payment_system", "MIR")],
    )
    _, labels = export(tmp_path)
    assert {k: v for k, v in labels[str(rejected.pk)].items() if k not in ("image", "submission")} == {
        "amount": 120.0,
        "status": "rejected",
        "campaign": "autumn",
    }
    assert {k: v for k, v in labels[str(revoked.pk)].items() if k not in ("image", "submission")} == {
        "card_last4": "0042",
        "payment_system": "MIR",
        "status": "revoked",
        "campaign": "autumn",
    }


def test_only_final_decisions_of_people_with_a_safe_photo_are_exported(tmp_path, campaign, moderator):
    exported = decided(campaign, moderator)
    decided(campaign, None)  # the machine accepted it
    decided(campaign, None, status=Status.REJECTED)
    decided(
        campaign, moderator, status=Status.MODERATION
    )  # reopened (services clear decided_by; a stray row)
    redaction = decided(campaign, moderator, needs_redaction=True)
    erased = decided(campaign, moderator, erased_at=timezone.now())
    Submission.objects.filter(pk=erased.pk).update(photo="")
    decided(CampaignFactory(slug="spring"), moderator)  # another campaign
    summary, labels = export(tmp_path)
    assert list(labels) == [str(exported.pk)]
    written = sorted(path.name for path in (tmp_path / "set").iterdir())
    assert written == sorted([f"{exported.pk}.jpg", "labels.jsonl"])  # no temporary file left either
    assert f"{redaction.pk}.jpg" not in written
    assert (
        "exported 1, skipped 0; not exportable: decided by the machine: 2, photo erased: 1, awaiting redaction: 1"
        in summary
    )


def test_a_missing_photo_file_is_skipped_and_the_rest_exported(tmp_path, campaign, moderator):
    first, lost, last = (decided(campaign, moderator) for _ in range(3))
    default_storage.delete(lost.photo.name)
    summary, labels = export(tmp_path)
    assert set(labels) == {str(first.pk), str(last.pk)}
    assert not (tmp_path / "set" / f"{lost.pk}.jpg").exists()
    assert "exported 2, skipped 1 (photo file missing: 1)" in summary


def test_the_folder_is_created_and_an_earlier_labels_file_replaced(tmp_path, campaign, moderator):
    submission = decided(campaign, moderator)
    folder = tmp_path / "set"
    folder.mkdir()
    (folder / "labels.jsonl").write_text('{"image": "stale.jpg"}\n', encoding="utf-8")
    _, labels = export(tmp_path)
    assert list(labels) == [str(submission.pk)]
    nested = tmp_path / "a" / "b"
    call_command("export_labels", str(nested), "--campaign", "autumn", stdout=StringIO())
    assert (nested / "labels.jsonl").is_file() and (nested / f"{submission.pk}.jpg").is_file()


def test_an_unknown_campaign_is_refused(tmp_path, campaign):
    with pytest.raises(CommandError, match="no campaign with slug 'winter' \\(known: autumn\\)"):
        call_command("export_labels", str(tmp_path / "set"), "--campaign", "winter")
    assert not (tmp_path / "set").exists()


def test_the_export_is_read_and_scored_by_the_evaluation(tmp_path, campaign, moderator):
    campaign.documents = ["slip", "receipt"]
    campaign.save()
    decided(campaign, moderator, kind="receipt", corrections=[("date", "2026-10-13"), ("time", "08:30")])
    decided(
        campaign, moderator, status=Status.REJECTED, kind=None, reasons=[{"code": "moderator_not_a_document"}]
    )
    export(tmp_path)
    labels = read_labels(tmp_path / "set")
    # The labels as predictions: every labelled field then scores as read right, extra keys and all.
    summary = summarize(labels, [dict(label) for label in labels])
    assert summary["images"] == summary["scored"] == 2
    fields = summary["fields"]
    assert {name: fields[name]["labelled"] for name in fields} == {
        "kind": 2, "amount": 1, "date": 1, "time": 1, "card_last4": 1, "payment_system": 0, "merchant": 0,
    }  # fmt: skip
    assert all(score["accuracy"] in (1.0, None) for score in fields.values())
    assert summary["kind_confusion"] == {
        "receipt": {"receipt": 1, "other": 0},
        "other": {"receipt": 0, "other": 1},
    }


def test_the_evaluate_recognition_command_runs_on_the_export(tmp_path, campaign, moderator):
    decided(campaign, moderator)
    export(tmp_path)
    out = StringIO()
    call_command("evaluate_recognition", str(tmp_path / "set"), stdout=out)
    assert "1 images, 1 scored, errors: 0" in out.getvalue()


def _queries_to_export(tmp_path, campaign, moderator, rows: int, chunk_size: int = 500) -> int:
    for n in range(rows):
        decided(campaign, moderator, corrections=[("date", "2026-10-13"), ("merchant", f"Shop {n}")])
    decided(campaign, moderator, kind=None)  # never read: no Recognition row
    with CaptureQueriesContext(connection) as queries:
        result = labels_export(campaign=campaign, folder=tmp_path / f"set-{rows}", chunk_size=chunk_size)
    assert result.exported == rows + 1
    return len(queries)


def test_the_query_count_does_not_grow_with_the_rows(tmp_path, moderator):
    one = _queries_to_export(tmp_path, CampaignFactory(), moderator, rows=1)
    ten = _queries_to_export(tmp_path, CampaignFactory(), moderator, rows=10)
    assert one == ten


def test_chunks_keep_every_row_and_its_corrections(tmp_path, campaign, moderator):
    submissions = [decided(campaign, moderator, corrections=[("merchant", f"Shop {n}")]) for n in range(7)]
    labels_export(campaign=campaign, folder=tmp_path / "set", chunk_size=3)
    lines = read_labels(tmp_path / "set")
    assert [line["submission"] for line in lines] == [str(s.pk) for s in submissions]  # oldest first
    assert [line["merchant"] for line in lines] == [f"Shop {n}" for n in range(7)]


@pytest.mark.parametrize(
    ("field", "value", "written"),
    [
        ("amount", Decimal("1234.50"), 1234.5),
        ("amount", Decimal("0.10"), 0.1),
        ("amount", Decimal("9999999999.99"), 9999999999.99),  # the largest the column holds, to the cent
        ("date", date(2026, 10, 2), "2026-10-02"),
        ("time", time(7, 5), "07:05"),
        ("card_last4", "0042", "0042"),
        ("payment_system", "MIR", "MIR"),
        ("merchant", "ООО Ромашка", "ООО Ромашка"),
        ("merchant", "Shop 4111 1111 1111 1111", "Shop ************1111"),  # never a full card number
    ],
)
def test_values_are_written_in_the_eval_formats_types(field, value, written):
    assert json_field(field, value) == written


def test_a_photo_is_copied_byte_for_byte(tmp_path, campaign, moderator):
    photo = jpeg_bytes(colour="black")
    submission = decided(campaign, moderator)
    with default_storage.open(submission.photo.name, "wb") as stored:
        stored.write(photo)
    export(tmp_path)
    assert (tmp_path / "set" / f"{submission.pk}.jpg").read_bytes() == photo
