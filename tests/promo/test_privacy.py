"""Consent is recorded with each upload; retention and erasure leave no photo and no contact behind (checked on
the storage, not only the rows), keep decisions and figures, and leave an audit line."""

from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from rest_framework.test import APIClient

from evaluation.intake_cases import jpeg_with_gps
from promo.intake import photo_intake
from promo.models import Erasure, Participant, Recognition, Submission
from promo.privacy import retention_apply
from promo.submissions import submission_create
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def upload(campaign, contact: str) -> Submission:
    submission = submission_create(
        campaign=campaign,
        contact=contact,
        photo=photo_intake(jpeg_with_gps()),
        typed_amount="1234.50",
        typed_card_last4="4821",
        consent_version=campaign.rules_version,
        channel="page",
        owner_hash="b" * 64,  # the browser it came from (promo.owners)
    )
    Recognition.objects.create(
        submission=submission, engine="test", kind="slip", amount="1234.50", card_last4="4821", rrn="123456789012",
        payment_system="VISA", full_text="VISA ****4821 RRN 123456789012", lines=[{"text": "VISA ****4821"}],
        fields={"amount": {"value": "1234.50", "confidence": 0.9}, "card_last4": {"value": "4821", "confidence": 0.9}},
    )  # fmt: skip
    Submission.objects.filter(pk=submission.pk).update(
        status=Submission.Status.REJECTED,
        reasons=[{"code": "card_mismatch", "details": {"read": "4821", "typed": "4812"}}],
        checks=[
            {"check": "card_last4", "outcome": "fail", "code": "card_mismatch", "evidence": {"read": "4821"}}
        ],
    )
    return Submission.objects.get(pk=submission.pk)


def files_under(settings) -> list[Path]:
    media = Path(settings.MEDIA_ROOT)
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


def test_consent_is_recorded_with_the_rules_version(campaign):
    campaign.rules_version = "2026-10-a"
    campaign.save()
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = APIClient().post(
        f"/api/v1/campaigns/{campaign.slug}/submissions/",
        {"photo": SimpleUploadedFile("p.jpg", jpeg_with_gps()), "amount": "1", "card_last4": "1234",
         "contact": "+79990000000", "consent": "true"},
        format="multipart",
    )  # fmt: skip
    assert response.status_code == 202
    submission = Submission.objects.get()
    assert submission.consent_version == "2026-10-a"
    assert timezone.now() - submission.consent_at < timedelta(minutes=1)


def test_retention_erases_photos_and_contacts_after_the_period_and_keeps_the_decision(settings):
    ended = CampaignFactory(starts_on=date(2026, 1, 1), ends_on=date(2026, 3, 31), retention_days=30)
    running = CampaignFactory(starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31), retention_days=30)
    gone = upload(ended, "+79990000001")
    kept = upload(running, "+79990000002")
    both = upload(ended, "+79990000003"), upload(running, "+79990000003")
    assert len(files_under(settings)) == 8  # a working copy and an original each

    assert retention_apply(today=date(2026, 4, 30)) == 0  # day 30 of 30: not yet
    assert retention_apply(today=date(2026, 5, 1)) == 2

    remaining = {str(path.relative_to(settings.MEDIA_ROOT)) for path in files_under(settings)}
    assert remaining == {kept.photo.name, kept.original.name, both[1].photo.name, both[1].original.name}
    gone.refresh_from_db()
    assert gone.erased_at and not gone.photo.name and not gone.original.name and gone.typed_card_last4 == ""
    assert gone.owner_hash == "" and kept.owner_hash == "b" * 64  # nothing ties the person's uploads together
    assert gone.status == Submission.Status.REJECTED and gone.typed_amount == 1234.50  # the decision stays
    assert gone.reasons == [{"code": "card_mismatch", "details": {}}]
    assert gone.checks == [{"check": "card_last4", "outcome": "fail", "code": "card_mismatch"}]
    read = gone.recognition
    read.refresh_from_db()
    assert (read.full_text, read.lines, read.card_last4, read.rrn) == ("", [], "", "")
    assert read.amount == 1234.50 and read.payment_system == "VISA" and "card_last4" not in read.fields
    assert Participant.objects.get(pk=gone.participant_id).contact.startswith("erased-")
    # Still in a running campaign: the contact stays until that one's data goes too.
    assert Participant.objects.get(pk=both[0].participant_id).contact == "+79990000003"
    ended.refresh_from_db()
    assert ended.personal_data_purged_at is not None
    audit = Erasure.objects.get()
    assert (audit.why, audit.campaign, audit.submissions, audit.files_deleted) == ("retention", ended, 2, 4)
    assert retention_apply(today=date(2026, 5, 2)) == 0  # nothing left to do, nothing done twice


def test_retention_works_in_batches(settings):
    ended = CampaignFactory(starts_on=date(2026, 1, 1), ends_on=date(2026, 1, 31), retention_days=0)
    for n in range(3):
        upload(ended, f"+7999000000{n}")
    assert retention_apply(today=date(2026, 3, 1), batch=2) == 2
    ended.refresh_from_db()
    assert ended.personal_data_purged_at is None
    assert retention_apply(today=date(2026, 3, 1), batch=2) == 1
    assert files_under(settings) == []


def test_erasure_on_request_by_command_leaves_an_audit_line_and_no_photo(campaign, settings):
    mine = [upload(campaign, "8 (999) 123-45-67") for _ in range(2)]
    other = upload(campaign, "+79990000002")
    out = StringIO()
    call_command("erase_participant", "+7 999 123 45 67", "--note", "ticket 42", stdout=out)
    assert "2 submissions, 4 files deleted" in out.getvalue()
    remaining = {str(path.relative_to(settings.MEDIA_ROOT)) for path in files_under(settings)}
    assert remaining == {other.photo.name, other.original.name}
    participant = Participant.objects.get(pk=mine[0].participant_id)
    assert participant.contact == f"erased-{participant.pk}" and participant.erased_at
    assert not Participant.objects.filter(contact="+79991234567").exists()
    audit = Erasure.objects.get()
    assert (audit.why, audit.participant, audit.submissions, audit.note) == (
        "request",
        participant,
        2,
        "ticket 42",
    )
    assert "1234567" not in str(audit.__dict__)  # the audit names nobody's contact
    with pytest.raises(CommandError, match="no participant"):
        call_command("erase_participant", "+79991234567")


def test_erasure_from_the_admin(campaign, client, settings):
    submission = upload(campaign, "+79990000001")
    admin = User.objects.create_superuser("boss", password="pw")
    client.force_login(admin)
    response = client.post(
        "/admin/promo/participant/",
        {"action": "erase_personal_data", "_selected_action": [submission.participant_id]},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302
    assert files_under(settings) == []
    audit = Erasure.objects.get()
    assert audit.user == admin and audit.actor == "boss"
    page = client.get("/admin/promo/erasure/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "boss" in page
    assert client.get(f"/admin/promo/erasure/{audit.pk}/change/").status_code == 200  # view only
    assert client.post(f"/admin/promo/erasure/{audit.pk}/delete/", {"post": "yes"}).status_code == 403
