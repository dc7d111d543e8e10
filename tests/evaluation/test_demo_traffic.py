"""seed_demo_traffic: demo submissions as the real code would have written them, in bulk, and removable."""

import itertools
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import CommandError, call_command

from evaluation.demo_traffic import (
    COPIES,
    DEMO_ENGINE,
    demo_submissions,
    demo_traffic_clear,
    demo_traffic_seed,
)
from moderation.models import FieldCorrection
from promo.jobs import jobs_sweep
from promo.models import Campaign, Participant, Recognition, StatusTransition, Submission
from promo.privacy import campaign_apply_retention, participant_erase_by_id
from promo.reasons import MESSAGES
from promo.repairs import AMOUNT_DIGIT, REPAIRS
from promo.transitions import codes_column
from tests.factories import CampaignFactory, RecognitionFactory, SubmissionFactory

Status = Submission.Status
pytestmark = pytest.mark.django_db
# A campaign in the past: its rows do not depend on when the test runs.
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PEOPLE = {"participant"}
MACHINE = {"system", "worker"}


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo_traffic", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def autumn(db):
    return CampaignFactory(
        slug="autumn", name="Autumn", starts_on=date(2026, 9, 1), ends_on=date(2026, 10, 31)
    )


@pytest.fixture
def strict(db):
    """A campaign that can refuse for more reasons: a payment system, a minimum, a limit per participant."""
    return CampaignFactory(
        slug="strict",
        starts_on=date(2026, 9, 1),
        ends_on=date(2026, 10, 31),
        payment_systems=["VISA", "MIR"],
        min_amount=Decimal("700.00"),
        max_accepted_per_campaign=3,
        timezone="Asia/Vladivostok",
    )


def assert_coherent(campaign: Campaign, now: datetime) -> dict[str, int]:
    """Every invariant the real code keeps, on every demo row of the campaign; returns counts to judge the mix."""
    rows = list(demo_submissions(campaign).select_related("recognition", "participant"))
    trails = defaultdict(list)
    for move in StatusTransition.objects.filter(submission__in=rows).order_by("created_at", "id"):
        trails[move.submission_id].append(move)
    moderators = set(User.objects.filter(username__startswith="demo-moderator").values_list("pk", flat=True))
    counts = Counter()
    assert len({s.photo_sha256 for s in rows}) == len(rows)
    for s in rows:
        trail, reading = trails[s.pk], s.recognition
        counts[s.status] += 1
        counts[f"auto_{s.auto_outcome}"] += 1
        # Where it came from and when, in the campaign's period, with the rules accepted at the upload.
        assert s.channel in Submission.Channel.values
        assert campaign.starts_at <= s.created_at < min(campaign.ends_at, now)
        assert s.consent_version == campaign.rules_version and s.consent_at == s.created_at
        assert not s.photo and s.participant.contact.startswith(f"demo-{campaign.slug}-")
        assert s.participant.contact.endswith("@example.invalid")
        # The machine's word, once, seconds to minutes after the upload.
        assert s.auto_outcome in (Status.ACCEPTED, Status.REJECTED, Status.MODERATION)
        assert timedelta(seconds=0.5) < s.auto_decided_at - s.created_at < timedelta(minutes=45)
        # The audit trail: allowed edges, chained, in time, ending where the row is.
        assert trail[0].from_status == "" and trail[0].to_status == Status.RECEIVED
        assert trail[0].actor == "participant" and trail[0].created_at == s.created_at
        for before, after in itertools.pairwise(trail):
            assert after.from_status == before.to_status
            assert after.to_status in Submission.TRANSITIONS[after.from_status]
            assert after.created_at >= before.created_at
        assert trail[-1].to_status == s.status and s.updated_at == trail[-1].created_at
        assert trail[2].from_status == Status.PROCESSING and trail[2].to_status == s.auto_outcome
        assert trail[2].actor in MACHINE and trail[2].created_at == s.auto_decided_at
        assert all(m.created_at <= now for m in trail)
        # Who decided: a person iff the last move was a moderator's; the machine's moves name nobody.
        last = trail[-1]
        by_person = last.actor not in MACHINE | PEOPLE
        assert (s.decided_by_id is not None) == by_person
        if by_person:
            assert last.user_id == s.decided_by_id in moderators and last.actor == s.decided_by.username
        assert s.decided_at == last.created_at
        # Waiting for a person: only what is in moderation, from when it entered it.
        assert (s.waiting_since is not None) == (s.status == Status.MODERATION)
        if s.status == Status.MODERATION:
            assert s.waiting_since == last.created_at and s.decided_by_id is None
            counts["backlog"] += 1
        waited = [(a, b) for a, b in itertools.pairwise(trail) if a.to_status == Status.MODERATION]
        if s.moderation_wait is not None:
            (entered, decided), *_ = [(a, b) for a, b in waited if b.user_id]
            assert (
                decided.user_id in moderators and s.moderation_wait == decided.created_at - entered.created_at
            )
        else:  # nobody decided it out of moderation (the machine did, a revocation, or it still waits)
            assert not any(b.user_id for a, b in waited)
        # Reasons: known codes, and their column written with them.
        assert s.reasons and s.reason_codes == codes_column(s.reasons)
        assert all(r["code"] in MESSAGES for r in s.reasons)
        # Repairs only where the machine accepted, and the reading's rules say which.
        repairs = s.repairs.split()
        assert set(repairs) <= set(REPAIRS)
        if repairs:
            assert s.auto_outcome == Status.ACCEPTED and s.repairs == f" {' '.join(repairs)} "
            counts.update(repairs)
        # The reading: demo engine, the campaign copied, amounts as the decision had them.
        assert reading.engine == DEMO_ENGINE and reading.campaign_id == campaign.pk
        if s.status == Status.ACCEPTED:
            if AMOUNT_DIGIT in repairs:
                assert reading.amount != s.typed_amount and s.checks[5]["evidence"]["repaired_positions"]
            else:
                assert reading.amount == s.typed_amount
            assert reading.card_last4 == s.typed_card_last4
            assert campaign.starts_on <= reading.date <= campaign.ends_on
            assert s.typed_amount >= campaign.min_amount
            if campaign.payment_systems:
                assert reading.payment_system in campaign.payment_systems
        for code in repairs:
            if code != AMOUNT_DIGIT:
                field = {"date_mask_repaired": "date", "card_tail_search": "card_last4"}.get(
                    code, "payment_system"
                )
                assert code in reading.fields[field]["rules"]
        if s.auto_outcome == Status.REJECTED and trail[2].note == "amount_mismatch":
            assert reading.amount != s.typed_amount or s.status == Status.ACCEPTED
        if set(s.reason_codes.split()) & set(COPIES):
            assert s.duplicate_of_id is not None
        counts["appealed"] += s.appealed_at is not None
    return counts


def test_the_command_seeds_coherent_rows_and_says_what_it_did(autumn):
    out = seed("--campaign", "autumn", "--n", "400", "--seed", "3")
    assert "400 submissions" in out and "rows/s" in out and "automatic decisions: accepted" in out
    assert demo_submissions(autumn).count() == Submission.objects.count() == 400
    assert Recognition.objects.filter(engine=DEMO_ENGINE).count() == 400
    assert StatusTransition.objects.count() >= 3 * 400
    people = Counter(Submission.objects.values_list("participant_id", flat=True))
    assert Participant.objects.count() == len(people) < 400  # returning participants
    assert max(people.values()) >= 4  # a heavy tail
    assert_coherent(autumn, NOW)


def test_the_mix_is_the_seed_case(autumn):
    report = demo_traffic_seed(campaign=autumn, n=3000, seed=5, now=NOW, batch=700)
    counts = assert_coherent(autumn, NOW)
    assert report.rows == 3000 and report.statuses == Counter(
        {k: v for k, v in counts.items() if k in Status.values}
    )
    automatic = (counts["auto_accepted"] + counts["auto_rejected"]) / 3000
    assert 0.71 <= automatic <= 0.85
    assert 0.6 <= counts["auto_accepted"] / 3000 <= 0.72
    assert 0.01 < counts["date_mask_repaired"] / 3000 < 0.03
    assert 0.02 < counts[AMOUNT_DIGIT] / 3000 < 0.045
    assert 0.02 < counts["payment_system_fuzzy"] / 3000 < 0.045
    assert 0 < counts["card_tail_search"] / 3000 < 0.02
    assert counts["appealed"] > 10 and counts[Status.REVOKED] < 30
    decided_by_people = Submission.objects.filter(decided_by__isnull=False)
    assert decided_by_people.filter(
        auto_outcome=Status.REJECTED, status=Status.ACCEPTED
    ).exists()  # appeals won
    assert decided_by_people.filter(auto_outcome=Status.MODERATION, status=Status.REJECTED).exists()
    late = Submission.objects.filter(moderation_wait__gt=timedelta(minutes=autumn.moderation_target_minutes))
    assert 0 < late.count() < decided_by_people.count()
    # Evenings are busier than nights, in the campaign's time zone.
    hours = Counter(
        s.astimezone(autumn.tz).hour for s in Submission.objects.values_list("created_at", flat=True)
    )
    assert hours[20] > 3 * hours[4]
    # The launch week is busier than a week in the middle.
    first = Submission.objects.filter(created_at__lt=autumn.starts_at + timedelta(days=7)).count()
    middle = Submission.objects.filter(
        created_at__gte=autumn.starts_at + timedelta(days=28),
        created_at__lt=autumn.starts_at + timedelta(days=35),
    ).count()
    assert first > 1.5 * middle
    # What a moderator typed in before accepting is recorded as their correction, and is what the reading says.
    for correction in FieldCorrection.objects.select_related("submission__recognition"):
        assert correction.submission.status in (Status.ACCEPTED, Status.REVOKED)
        assert str(getattr(correction.submission.recognition, correction.field)) == correction.value


def test_a_campaign_with_rules_gets_only_the_refusals_it_can_make(strict):
    demo_traffic_seed(campaign=strict, n=1500, seed=2, now=NOW)
    assert_coherent(strict, NOW)
    codes = Counter(
        code for codes in Submission.objects.values_list("reason_codes", flat=True) for code in codes.split()
    )
    assert codes["payment_system_not_allowed"] and codes["below_min_amount"] and codes["limit_per_campaign"]
    accepted = Counter(
        Submission.objects.filter(status=Status.ACCEPTED).values_list("participant_id", flat=True)
    )
    assert max(accepted.values()) <= 3


def test_a_plain_campaign_refuses_for_no_rule_it_does_not_have(autumn):
    demo_traffic_seed(campaign=autumn, n=1500, seed=2, now=NOW)
    reasons = " ".join(Submission.objects.values_list("reason_codes", flat=True))
    for code in (
        "payment_system_not_allowed",
        "payment_system_unread",
        "below_min_amount",
        "limit_per_campaign",
    ):
        assert f" {code} " not in reasons


def test_a_running_campaign_has_a_small_backlog_waiting_now(db):
    now = datetime.now(tz=UTC)
    running = CampaignFactory(slug="running", starts_on=(now - timedelta(days=20)).date(), ends_on=(now + timedelta(days=20)).date())  # fmt: skip
    demo_traffic_seed(campaign=running, n=2000, seed=4, now=now, days=10)
    counts = assert_coherent(running, now)
    assert 0 < counts["backlog"] < 0.04 * 2000  # a few days of it: most of what came in lately is decided
    assert Submission.objects.earliest("created_at").created_at >= now - timedelta(days=10, minutes=31)
    waiting = Submission.objects.filter(status=Status.MODERATION)
    assert all(now - s.waiting_since < timedelta(days=3) for s in waiting)


def test_the_same_seed_gives_the_same_rows_and_another_seed_others(autumn):
    def snapshot():
        return list(
            Submission.objects.order_by("created_at", "id").values_list(
                "id", "created_at", "status", "auto_outcome", "typed_amount", "reasons", "participant__contact",
                "recognition__merchant", "decided_at", "moderation_wait",
            )
        )  # fmt: skip

    demo_traffic_seed(campaign=autumn, n=300, seed=8, now=NOW, batch=100)
    first = snapshot()
    seed("--campaign", "autumn", "--clear", "--n", "0")
    assert not Submission.objects.exists() and not Participant.objects.exists()
    demo_traffic_seed(campaign=autumn, n=300, seed=8, now=NOW, batch=70)  # the batch size changes nothing
    assert snapshot() == first
    seed("--campaign", "autumn", "--clear", "--n", "0")
    demo_traffic_seed(campaign=autumn, n=300, seed=9, now=NOW)
    assert {row[0] for row in snapshot()}.isdisjoint({row[0] for row in first})


def test_seeding_again_adds_rows_with_new_ids_and_returning_participants(autumn):
    demo_traffic_seed(campaign=autumn, n=200, seed=1, now=NOW)
    participants = Participant.objects.count()
    demo_traffic_seed(campaign=autumn, n=200, seed=1, now=NOW)
    assert (
        Submission.objects.count()
        == 400
        == len(set(Submission.objects.values_list("photo_sha256", flat=True)))
    )
    assert Participant.objects.count() < 2 * participants


def test_clear_removes_the_campaigns_demo_rows_and_nothing_else(autumn, strict):
    real = SubmissionFactory(campaign=autumn, status=Status.ACCEPTED)
    RecognitionFactory(submission=real, campaign=autumn)
    demo_traffic_seed(campaign=autumn, n=150, seed=1, now=NOW)
    demo_traffic_seed(campaign=strict, n=50, seed=1, now=NOW)
    copied = demo_submissions(autumn).first()
    copy = SubmissionFactory(
        campaign=autumn, status=Status.REJECTED, duplicate_of=copied
    )  # a real copy of a demo one
    out = seed("--campaign", "autumn", "--clear", "--n", "0")
    assert "deleted 150 demo submissions" in out
    assert set(Submission.objects.filter(campaign=autumn)) == {real, copy}
    copy.refresh_from_db()
    assert copy.duplicate_of_id is None
    assert demo_submissions(strict).count() == 50
    assert not Participant.objects.filter(contact__startswith="demo-autumn-").exists()
    assert Participant.objects.filter(contact__startswith="demo-strict-").exists()
    assert Participant.objects.filter(pk=real.participant_id).exists()
    assert not StatusTransition.objects.filter(submission__campaign=autumn).exclude(submission=real).exists()
    assert Recognition.objects.filter(campaign=autumn).count() == 1


def test_clear_then_seed_in_one_command(autumn):
    seed("--campaign", "autumn", "--n", "100")
    out = seed("--campaign", "autumn", "--n", "120", "--clear")
    assert "deleted 100" in out and demo_submissions(autumn).count() == 120


def test_an_unknown_campaign_or_one_without_a_past_is_refused(autumn):
    with pytest.raises(CommandError, match=r"no campaign with the slug .nope..*autumn"):
        seed("--campaign", "nope", "--n", "10")
    future = date.today() + timedelta(days=30)
    CampaignFactory(slug="later", starts_on=future, ends_on=future + timedelta(days=30))
    with pytest.raises(CommandError, match="has no past to fill"):
        seed("--campaign", "later", "--n", "10")
    with pytest.raises(CommandError):
        seed("--campaign", "autumn", "--n", "-5")
    assert not Submission.objects.exists()


def test_setup_demo_seeds_the_demo_campaign_once(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("setup_demo", "--traffic", "120", stdout=out, stderr=StringIO())
    campaign = Campaign.objects.get(slug="demo")
    assert demo_submissions(campaign).count() == 120 and "120 submissions" in out.getvalue()
    out = StringIO()
    call_command("setup_demo", "--traffic", "120", stdout=out, stderr=StringIO())
    assert demo_submissions(campaign).count() == 120 and "nothing added" in out.getvalue()
    assert_coherent(campaign, datetime.now(tz=UTC))


def test_setup_demo_without_traffic(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("setup_demo", "--no-traffic", stdout=StringIO())
    assert Campaign.objects.filter(slug="demo").exists() and not Submission.objects.exists()


# --- the rest of the system meets rows without photos --------------------------------------------------------


@pytest.fixture
def moderator(client):
    user = User.objects.create_user("mod", password="pw", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_queueitem", "change_queueitem", "view_submission", "moderate_any_campaign"]
        )
    )
    client.force_login(user)
    return user


def test_the_admin_shows_demo_rows_without_photos_and_rows_without_a_reading(client, moderator):
    now = datetime.now(tz=UTC)
    running = CampaignFactory(slug="running", starts_on=(now - timedelta(days=20)).date(), ends_on=(now + timedelta(days=20)).date())  # fmt: skip
    demo_traffic_seed(campaign=running, n=800, seed=4, now=now, days=10)
    unread = SubmissionFactory(
        campaign=running, photo="", status=Status.MODERATION, waiting_since=now
    )  # no reading
    waiting = demo_submissions(running).filter(status=Status.MODERATION)
    assert waiting.exists()
    queue = client.get("/admin/moderation/queueitem/", HTTP_ACCEPT_LANGUAGE="en")
    assert queue.status_code == 200 and "photo erased" in queue.content.decode()
    listing = client.get("/admin/promo/submission/", HTTP_ACCEPT_LANGUAGE="en")
    assert listing.status_code == 200
    pages = [unread, *waiting[:3], *demo_submissions(running).exclude(status=Status.MODERATION)[:20]]
    pages += list(demo_submissions(running).filter(repairs__contains=AMOUNT_DIGIT)[:2])
    for submission in pages:
        page = client.get(f"/admin/moderation/queueitem/{submission.pk}/review/", HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 200, submission.reason_codes
        assert "photo erased" in page.content.decode()
    repaired = demo_submissions(running).filter(repairs__contains="date_mask_repaired").first()
    if repaired is not None:
        page = client.get(f"/admin/moderation/queueitem/{repaired.pk}/review/", HTTP_ACCEPT_LANGUAGE="en")
        assert "date mask XX/XX/XY repaired" in page.content.decode()
    assert client.get(f"/moderation/photo/{waiting[0].pk}/").status_code == 404


def test_the_queue_and_review_queries_do_not_grow_with_demo_traffic(
    client, moderator, django_assert_max_num_queries
):
    now = datetime.now(tz=UTC)
    running = CampaignFactory(slug="running", starts_on=(now - timedelta(days=20)).date(), ends_on=(now + timedelta(days=20)).date())  # fmt: skip
    demo_traffic_seed(campaign=running, n=1500, seed=6, now=now, days=10)
    waiting = demo_submissions(running).filter(status=Status.MODERATION).first()
    client.get(f"/admin/moderation/queueitem/{waiting.pk}/review/")  # takes the claim
    with django_assert_max_num_queries(25):
        assert client.get("/admin/moderation/queueitem/").status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(f"/admin/moderation/queueitem/{waiting.pk}/review/").status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get("/admin/promo/submission/").status_code == 200


def test_the_sweep_leaves_demo_rows_alone(autumn):
    demo_traffic_seed(campaign=autumn, n=300, seed=1, now=NOW)
    before = dict(Submission.objects.values_list("pk", "status"))
    assert not Submission.objects.filter(status__in=[Status.RECEIVED, Status.PROCESSING]).exists()
    assert jobs_sweep().touched == 0
    assert dict(Submission.objects.values_list("pk", "status")) == before


def test_retention_and_erasure_take_demo_rows_and_clear_still_finds_them(autumn):
    demo_traffic_seed(campaign=autumn, n=120, seed=1, now=NOW)
    participant = Participant.objects.first()
    erasure = participant_erase_by_id(participant=participant, actor="test")
    assert erasure.files_deleted == 0 and erasure.submissions == participant.submissions.count()
    assert campaign_apply_retention(campaign=autumn, batch=1000) == 120 - erasure.submissions
    autumn.refresh_from_db()
    assert autumn.personal_data_purged_at is not None
    assert not Submission.objects.filter(erased_at__isnull=True).exists()
    assert Recognition.objects.filter(card_last4="").count() == 120  # scrubbed; the engine stays
    # Anonymised participants are no longer demo-<campaign>-n: their rows are still found by their reading.
    assert seed("--campaign", "autumn", "--clear", "--n", "0").startswith("deleted 120 ")
    assert not Submission.objects.exists()


def test_seeded_and_cleared_demo_traffic_leaves_the_reports_rollups_right(autumn):
    """Demo rows carry times of the past (no watermark sees them): seeding and clearing mark the rollups stale,
    and the report then equals the rows recomputed."""
    from reports.rollups import rollups_refresh
    from tests.reports.test_rollups import assert_report_is_the_rows

    october = [(date(2026, 9, 1), date(2026, 10, 31)), (date(2026, 10, 5), date(2026, 10, 12))]
    demo_traffic_seed(campaign=autumn, n=300, seed=3, now=NOW)
    assert_report_is_the_rows(autumn, october)
    # Rows of the past added after a refresh: invisible to the watermark, counted through the mark.
    Submission.objects.filter(campaign=autumn).update(updated_at=NOW - timedelta(days=1))
    rollups_refresh(campaign=autumn)
    demo_traffic_seed(campaign=autumn, n=200, seed=4, now=NOW)
    assert_report_is_the_rows(autumn, october)
    demo_traffic_clear(campaign=autumn)
    assert_report_is_the_rows(autumn, october)
