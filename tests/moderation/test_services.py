"""Decisions by people meet the machine's guards; claims keep two moderators off one submission."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from moderation.models import FieldCorrection, ReviewClaim
from moderation.services import (
    ClaimHeld,
    GuardFailed,
    TransitionNotAllowed,
    claim_next,
    claim_take,
    moderation_approve,
    moderation_ask_photo,
    moderation_correct,
    moderation_reject,
    moderation_reopen,
    moderation_revoke,
)
from promo.appeals import AppealNotAllowed, submission_appeal
from promo.models import Recognition, Submission
from tests.factories import CampaignFactory, ParticipantFactory, RecognitionFactory, SubmissionFactory

pytestmark = pytest.mark.django_db
Status = Submission.Status
SLIP_DATE = date(2026, 10, 12)


def staff(name: str, *perms: str) -> User:
    user = User.objects.create_user(name, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=perms))
    return User.objects.get(pk=user.pk)  # permissions are cached on the instance


@pytest.fixture
def moderator():
    return staff("mod", "change_queueitem", "moderate_any_campaign")


@pytest.fixture
def senior():
    return staff(
        "senior", "change_queueitem", "moderate_any_campaign", "override_guards", "revoke_acceptance"
    )


@pytest.fixture
def campaign():
    return CampaignFactory(starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 31))


def waiting(campaign, amount="1234.50", card="4821", status=Status.MODERATION, read_date=SLIP_DATE, **kwargs):
    submission = SubmissionFactory(
        campaign=campaign, status=status, typed_amount=Decimal(amount), typed_card_last4=card, **kwargs
    )
    RecognitionFactory(
        submission=submission, campaign=campaign, amount=Decimal(amount), card_last4=card, date=read_date
    )
    if status == Status.MODERATION:
        Submission.objects.filter(pk=submission.pk).update(waiting_since=timezone.now())
    return Submission.objects.get(pk=submission.pk)


def test_approval_accepts_and_records_the_moderator(campaign, moderator):
    submission = waiting(campaign)
    moderation_approve(submission=submission, moderator=moderator, note="looks right")
    submission.refresh_from_db()
    assert submission.status == Status.ACCEPTED and submission.decided_by == moderator
    assert submission.reasons[0]["code"] == "moderator_accepted"
    last = submission.transitions.last()
    assert (last.from_status, last.to_status, last.actor, last.overridden) == (
        Status.MODERATION, Status.ACCEPTED, "mod", [],
    )  # fmt: skip


def test_approving_a_copy_of_an_accepted_slip_is_refused_then_a_senior_overrides(campaign, moderator, senior):
    waiting(campaign, status=Status.ACCEPTED)  # the same slip (date, amount, card), someone else's, accepted
    copy = waiting(campaign)
    with pytest.raises(GuardFailed) as refused:
        moderation_approve(submission=copy, moderator=moderator)
    assert [f.code for f in refused.value.failures] == ["duplicate_slip"]
    copy.refresh_from_db()
    assert copy.status == Status.MODERATION
    with pytest.raises(PermissionDenied):  # a plain moderator cannot justify their way past a guard
        moderation_approve(submission=copy, moderator=moderator, justification="I know them")
    moderation_approve(submission=copy, moderator=senior, justification="two purchases, same amount: checked")
    copy.refresh_from_db()
    last = copy.transitions.last()
    assert copy.status == Status.ACCEPTED
    assert last.overridden == ["duplicate_slip"] and "checked" in last.note


def test_approval_over_the_participants_limit_is_refused(campaign, moderator):
    campaign.max_accepted_per_campaign = 1
    campaign.save()
    participant = ParticipantFactory()
    waiting(campaign, amount="10.00", status=Status.ACCEPTED, participant=participant)
    second = waiting(campaign, amount="20.00", participant=participant)
    with pytest.raises(GuardFailed) as refused:
        moderation_approve(submission=second, moderator=moderator)
    assert [f.code for f in refused.value.failures] == ["limit_per_campaign"]


def test_campaign_rules_are_checked_on_the_confirmed_fields(campaign, moderator):
    campaign.min_amount = Decimal("500")
    campaign.save()
    small = waiting(campaign, amount="100.00")
    with pytest.raises(GuardFailed) as refused:
        moderation_approve(submission=small, moderator=moderator)
    assert [f.code for f in refused.value.failures] == ["below_min_amount"]
    # Read in September for sure: the moderator sees it is October and corrects it; then it passes.
    late = waiting(campaign, read_date=date(2026, 9, 12))
    Recognition.objects.filter(submission=late).update(
        fields={"date": {"value": "2026-09-12", "confidence": 1.0}}
    )
    late.refresh_from_db()
    with pytest.raises(GuardFailed):
        moderation_approve(submission=late, moderator=moderator)
    moderation_correct(submission=late, moderator=moderator, field="date", value="2026-10-12")
    moderation_approve(submission=late, moderator=moderator)
    late.refresh_from_db()
    assert late.status == Status.ACCEPTED and late.recognition.date == date(2026, 10, 12)
    correction = FieldCorrection.objects.get(submission=late)
    assert (correction.field, correction.read_value, correction.value) == ("date", "2026-09-12", "2026-10-12")


def test_an_accepted_misreading_is_compared_as_the_moderator_confirmed_it(campaign, moderator):
    """The OCR read 1284.50; the moderator accepted the typed 1234.50: a later copy read right is a duplicate."""
    first = waiting(campaign)
    Recognition.objects.filter(submission=first).update(amount=Decimal("1284.50"))
    moderation_approve(submission=first, moderator=moderator)
    assert Recognition.objects.get(submission=first).amount == Decimal("1234.50")
    with pytest.raises(GuardFailed):
        moderation_approve(submission=waiting(campaign), moderator=moderator)


def test_corrections_are_validated(campaign, moderator):
    submission = waiting(campaign)
    for field, value in [("amount", "abc"), ("card_last4", "12345"), ("date", "31.10.2026"), ("payment_system", "CAT")]:  # fmt: skip
        with pytest.raises(ValidationError):
            moderation_correct(submission=submission, moderator=moderator, field=field, value=value)
    moderation_correct(submission=submission, moderator=moderator, field="amount", value="1 234,5")
    assert FieldCorrection.objects.get().value == "1234.50"


def test_rejection_with_a_reason_and_a_written_one(campaign, moderator):
    first, second = waiting(campaign, amount="1.00"), waiting(campaign, amount="2.00")
    moderation_reject(submission=first, moderator=moderator, code="moderator_card_differs")
    with pytest.raises(ValueError):
        moderation_reject(submission=second, moderator=moderator, code="moderator_rejected", note=" ")
    moderation_reject(submission=second, moderator=moderator, code="moderator_rejected", note="a screenshot")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == Status.REJECTED
    assert first.reasons[0] == {"code": "moderator_card_differs", "details": {}}
    assert second.reasons[0] == {"code": "moderator_rejected", "details": {"note": "a screenshot"}}
    assert " moderator_card_differs " in first.reason_codes


def test_asking_for_a_better_photo_lets_the_same_slip_come_again(campaign, moderator):
    blurred = waiting(campaign)
    moderation_ask_photo(submission=blurred, moderator=moderator, note="the amount is under a finger")
    blurred.refresh_from_db()
    assert blurred.status == Status.REJECTED and blurred.reasons[0]["code"] == "better_photo_needed"
    again = waiting(campaign, participant=blurred.participant)  # the same slip, the same participant
    moderation_approve(submission=again, moderator=moderator)  # its own rejected upload is no original


def test_a_claim_keeps_others_off_and_expires(campaign, moderator):
    other = staff("other", "change_queueitem", "moderate_any_campaign")
    submission = waiting(campaign)
    claim_take(submission=submission, moderator=moderator)
    claim_take(submission=submission, moderator=moderator)  # one's own claim is extended
    with pytest.raises(ClaimHeld) as held:
        claim_take(submission=submission, moderator=other)
    assert held.value.claim.moderator == moderator
    with pytest.raises(ClaimHeld):
        moderation_approve(submission=submission, moderator=other)
    ReviewClaim.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    claim_take(submission=submission, moderator=other)
    assert ReviewClaim.objects.get().moderator == other


def test_next_takes_the_longest_waiting_unclaimed(campaign, moderator):
    other = staff("other", "change_queueitem", "moderate_any_campaign")
    oldest, middle, newest = (waiting(campaign, amount=f"{n}.00") for n in (1, 2, 3))
    now = timezone.now()
    for age, submission in ((30, oldest), (20, middle), (10, newest)):
        Submission.objects.filter(pk=submission.pk).update(waiting_since=now - timedelta(minutes=age))
    queue = Submission.objects.filter(campaign=campaign)
    assert claim_next(moderator=other, queue=queue) == oldest
    assert claim_next(moderator=moderator, queue=queue) == middle
    assert claim_next(moderator=moderator, queue=queue) == oldest.__class__.objects.get(
        pk=middle.pk
    )  # still mine
    assert claim_next(moderator=other, queue=queue) == oldest


def test_reopen_revoke_and_the_freed_limit(campaign, moderator, senior):
    campaign.max_accepted_per_campaign = 1
    campaign.save()
    participant = ParticipantFactory()
    accepted = waiting(campaign, amount="10.00", status=Status.ACCEPTED, participant=participant)
    with pytest.raises(PermissionDenied):
        moderation_revoke(submission=accepted, moderator=moderator, why="fraud")
    with pytest.raises(ValidationError):
        moderation_revoke(submission=accepted, moderator=senior, why=" ")
    moderation_revoke(submission=accepted, moderator=senior, why="the same slip sold online")
    accepted.refresh_from_db()
    assert accepted.status == Status.REVOKED
    assert accepted.reasons[0] == {
        "code": "moderator_revoked",
        "details": {"note": "the same slip sold online"},
    }
    moderation_approve(
        submission=waiting(campaign, amount="20.00", participant=participant), moderator=moderator
    )
    with pytest.raises(PermissionDenied):  # a revocation is reopened by a senior only
        moderation_reopen(submission=accepted, moderator=moderator, why="mistake")
    moderation_reopen(submission=accepted, moderator=senior, why="the seller was the participant's shop")
    accepted.refresh_from_db()
    assert accepted.status == Status.MODERATION and accepted.waiting_since is not None
    assert [t.to_status for t in accepted.transitions.all()] == [Status.REVOKED, Status.MODERATION]


def test_a_participant_appeals_an_automatic_rejection_once(campaign, moderator):
    rejected = waiting(campaign, status=Status.REJECTED, reasons=[{"code": "amount_mismatch", "details": {}}])
    submission_appeal(submission=rejected)
    rejected.refresh_from_db()
    assert rejected.status == Status.MODERATION and rejected.appealed_at is not None
    assert [r["code"] for r in rejected.reasons] == ["appealed", "amount_mismatch"]
    moderation_reject(submission=rejected, moderator=moderator, code="moderator_amount_differs")
    rejected.refresh_from_db()
    with pytest.raises(AppealNotAllowed):
        submission_appeal(submission=rejected)
    assert rejected.reasons[0]["code"] == "moderator_amount_differs"
    assert "appealed" not in rejected.reason_codes


def test_deciding_what_moved_meanwhile_changes_nothing(campaign, moderator):
    submission = waiting(campaign)
    stale = Submission.objects.get(pk=submission.pk)
    moderation_reject(submission=submission, moderator=moderator, code="moderator_edited")
    with pytest.raises(TransitionNotAllowed):
        moderation_approve(submission=stale, moderator=moderator)
    assert Submission.objects.get(pk=submission.pk).status == Status.REJECTED
