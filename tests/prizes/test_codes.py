import io
import re

import pytest
from django.contrib.auth.models import Permission, User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from moderation.services import moderation_reopen, moderation_revoke
from prizes import codes
from prizes.models import CodeShortage, PrizeSettings, PromoCode
from promo.models import Submission
from tests.factories import CampaignFactory
from tests.prizes.conftest import accepted, code_of, move, pool, waiting

Status = Submission.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def senior():
    user = User.objects.create_user("senior", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["revoke_acceptance", "change_queueitem", "moderate_any_campaign"]
        )
    )
    return User.objects.get(pk=user.pk)


# --- handing out ---------------------------------------------------------------------------------------------------


def test_each_acceptance_gets_its_own_code_in_pool_order():
    campaign = CampaignFactory()
    pool(campaign, 3)
    first, second = accepted(campaign), accepted(campaign)
    assert (code_of(first), code_of(second)) == ("CODE0000", "CODE0001")
    assert codes.free_codes(campaign.pk).count() == 1


def test_a_campaign_without_codes_hands_out_nothing_and_notes_no_shortage():
    campaign, other = CampaignFactory(), CampaignFactory()
    pool(other, 2)  # another campaign's pool is not this one's
    submission = accepted(campaign)
    assert code_of(submission) is None
    assert not CodeShortage.objects.exists()
    assert codes.free_codes(other.pk).count() == 2


def test_an_empty_pool_keeps_the_acceptance_and_notes_a_shortage():
    campaign = CampaignFactory()
    pool(campaign, 1)
    lucky, unlucky = accepted(campaign), accepted(campaign)
    unlucky.refresh_from_db()
    assert unlucky.status == Status.ACCEPTED
    assert code_of(lucky) == "CODE0000" and code_of(unlucky) is None
    shortage = CodeShortage.objects.get()
    assert (shortage.submission_id, shortage.campaign_id, shortage.resolved_at) == (
        unlucky.pk,
        campaign.pk,
        None,
    )


def test_rejections_and_moderation_hand_out_nothing():
    campaign = CampaignFactory()
    pool(campaign, 2)
    move(waiting(campaign), Status.REJECTED)
    waiting(campaign)
    assert codes.free_codes(campaign.pk).count() == 2


def test_the_database_refuses_a_second_code_for_a_submission():
    campaign = CampaignFactory()
    pool(campaign, 2)
    submission = accepted(campaign)
    spare = codes.free_codes(campaign.pk).get()
    spare.submission = submission
    with pytest.raises(IntegrityError), transaction.atomic():
        spare.save(update_fields=["submission"])


def test_a_failing_receiver_rolls_the_acceptance_back_with_its_code(monkeypatch):
    campaign = CampaignFactory()
    pool(campaign, 1)
    submission = waiting(campaign)

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(codes.CodeShortage.objects, "filter", broken)  # fails after the code is bound
    with pytest.raises(RuntimeError):
        move(submission, Status.ACCEPTED)
    assert Submission.objects.get(pk=submission.pk).status == Status.MODERATION
    assert code_of(submission) is None and codes.free_codes(campaign.pk).count() == 1


# --- reopen, revoke, re-accept -----------------------------------------------------------------------------------


def test_a_reopened_acceptance_keeps_its_code_and_gets_no_second_when_accepted_again(senior):
    campaign = CampaignFactory()
    pool(campaign, 3)
    submission = accepted(campaign)
    moderation_reopen(submission=submission, moderator=senior, why="look again")
    assert code_of(submission) == "CODE0000"
    move(submission, Status.ACCEPTED)
    assert list(PromoCode.objects.filter(submission=submission).values_list("code", flat=True)) == [
        "CODE0000"
    ]
    assert codes.free_codes(campaign.pk).count() == 2


@pytest.mark.parametrize(
    ("on_revoke", "free_after", "voided_after"),
    [(PrizeSettings.OnRevoke.RETURN, 2, 0), (PrizeSettings.OnRevoke.VOID, 1, 1)],
)
def test_a_revoked_acceptance_returns_or_voids_its_code_as_the_campaign_says(
    senior, on_revoke, free_after, voided_after
):
    campaign = CampaignFactory()
    PrizeSettings.objects.create(campaign=campaign, on_revoke=on_revoke)
    pool(campaign, 2)
    submission = accepted(campaign)
    moderation_revoke(submission=submission, moderator=senior, why="someone else's slip")
    assert code_of(submission) is None
    assert codes.free_codes(campaign.pk).count() == free_after
    voided = PromoCode.objects.filter(voided_at__isnull=False)
    assert voided.count() == voided_after
    if voided_after:
        assert voided.get().voided_from_id == submission.pk
    else:  # the returned code goes to the next acceptance
        assert code_of(accepted(campaign)) == "CODE0000"


def test_without_prize_settings_a_revocation_voids_the_code(senior):
    campaign = CampaignFactory()
    pool(campaign, 1)
    submission = accepted(campaign)
    moderation_revoke(submission=submission, moderator=senior, why="fraud")
    assert PromoCode.objects.get().voided_at is not None
    assert code_of(accepted(campaign)) is None  # a voided code is never handed out again


def test_a_reopened_acceptance_then_rejected_gives_up_its_code(senior):
    campaign = CampaignFactory()
    PrizeSettings.objects.create(campaign=campaign, on_revoke=PrizeSettings.OnRevoke.RETURN)
    pool(campaign, 1)
    submission = accepted(campaign)
    moderation_reopen(submission=submission, moderator=senior, why="look again")
    move(Submission.objects.get(pk=submission.pk), Status.REJECTED)
    assert code_of(submission) is None and codes.free_codes(campaign.pk).count() == 1


def test_a_revoked_then_reaccepted_submission_gets_a_fresh_code(senior):
    campaign = CampaignFactory()
    pool(campaign, 2)
    submission = accepted(campaign)
    moderation_revoke(submission=submission, moderator=senior, why="fraud?")
    moderation_reopen(
        submission=Submission.objects.get(pk=submission.pk), moderator=senior, why="it was fine"
    )
    move(Submission.objects.get(pk=submission.pk), Status.ACCEPTED)
    assert code_of(submission) == "CODE0001"


def test_shortages_are_filled_once_codes_are_uploaded(senior):
    campaign = CampaignFactory()
    pool(campaign, 1)
    accepted(campaign)
    short, revoked = accepted(campaign), accepted(campaign)
    moderation_revoke(submission=revoked, moderator=senior, why="fraud")
    pool(campaign, 3, prefix="MORE")
    given, still_short = codes.shortages_fill(shortages=CodeShortage.objects.all())
    assert (given, still_short) == (1, 0)  # the revoked one gets none
    assert code_of(short) == "MORE0000" and code_of(revoked) is None
    assert CodeShortage.objects.get(submission=short).resolved_at is not None
    assert CodeShortage.objects.get(submission=revoked).resolved_at is None


# --- the upload --------------------------------------------------------------------------------------------------


def upload(campaign, content: bytes):
    return codes.promo_codes_upload(
        campaign=campaign, upload=io.BytesIO(content), size=len(content), user=None
    )


def test_upload_takes_the_first_column_strips_dedupes_and_skips_a_header():
    campaign = CampaignFactory()
    PromoCode.objects.create(campaign=campaign, code="OLD1")
    content = '\ufeffКод;note\n A1 ;x\nB2;y\n\nA1;again\nOLD1\n"C3";z\n'.encode()
    report = upload(campaign, content)
    assert (report.added, report.duplicates_in_file, report.already_in_pool, report.empty_lines) == (
        3,
        1,
        1,
        1,
    )
    assert set(PromoCode.objects.filter(campaign=campaign).values_list("code", flat=True)) == {
        "OLD1",
        "A1",
        "B2",
        "C3",
    }
    assert "Codes added: 3; duplicates skipped: 2" in codes.upload_summary(report)


def test_upload_refuses_too_long_and_unprintable_codes_by_line():
    campaign = CampaignFactory()
    report = upload(campaign, b"OK1\n" + b"X" * 65 + b"\nBAD\x07\nOK2\n")
    assert report.added == 2 and report.too_long == [2] and report.invalid == [3]
    summary = codes.upload_summary(report)
    assert "longer than 64 characters: 1 (lines 2)" in summary and "(lines 3)" in summary


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Код\nПРИЗ1\n".encode("cp1251"), "not UTF-8 text (line 1)"),
        (b"A1\nA2\n\xff\xfe\n", "not UTF-8 text (line 3)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a text file"),
    ],
)
def test_upload_of_a_file_that_is_not_utf8_text_says_so(content, message):
    campaign = CampaignFactory()
    with pytest.raises(ValidationError, match=re.escape(message)):
        upload(campaign, content)
    assert not PromoCode.objects.exists()


def test_upload_over_the_size_limit_is_refused_unread(monkeypatch):
    campaign = CampaignFactory()
    monkeypatch.setattr(codes, "MAX_FILE_BYTES", 100)
    with pytest.raises(ValidationError, match="larger than"):
        codes.promo_codes_upload(campaign=campaign, upload=io.BytesIO(b"A\n" * 10), size=10_000, user=None)
    with pytest.raises(ValidationError, match="larger than"):  # a size that lies: the bytes are counted
        codes.promo_codes_upload(campaign=campaign, upload=io.BytesIO(b"A1\n" * 50), size=10, user=None)


def test_a_cyrillic_code_in_utf8_is_kept():
    campaign = CampaignFactory()
    assert upload(campaign, "ПРИЗ-1\n".encode()).added == 1
    assert PromoCode.objects.get().code == "ПРИЗ-1"
