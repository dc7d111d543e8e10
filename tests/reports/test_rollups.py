"""The rollup-backed report against a straightforward recomputation from the rows, on random campaigns (every
status, channel, reason, repair, moderator, reading and a few time zones), on SQLite and PostgreSQL: when first
built, after moderators accept, reject, revoke and reopen and new uploads arrive (an incremental refresh of the
changed days only), and against a full rebuild of the same rows. And the proof that amounts at 3 significant
digits count every bin of the histogram exactly."""

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from math import ceil, floor
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from promo.models import Campaign, StatusTransition, Submission
from promo.transitions import submission_transition
from reports.models import (
    DailyAmount,
    DailyDecisionTime,
    DailyMerchant,
    DailyOutcome,
    DailyParticipants,
    DailyPaymentSystem,
    DailyTraffic,
    DailyWait,
    ParticipantDay,
    RollupState,
)
from reports.rollups import rollups_mark_stale, rollups_refresh, three_significant_digits
from reports.selectors import (
    AMOUNT_BINS,
    AUTOMATIC_REASONS,
    CHANNELS,
    DECISION_FRACTIONS,
    FINAL_STATUSES,
    WAIT_FRACTIONS,
    Period,
    Report,
    _round_width,
)
from tests.factories import CampaignFactory
from tests.reports.fixtures import add, participants

pytestmark = pytest.mark.django_db
Status = Submission.Status
TABLES = (
    DailyTraffic,
    DailyOutcome,
    DailyDecisionTime,
    DailyWait,
    DailyPaymentSystem,
    DailyMerchant,
    DailyAmount,
    ParticipantDay,
    DailyParticipants,
)
REASONS = [" amount_mismatch ", " card_mismatch not_a_slip ", " duplicate_photo ", " moderator_rejected ", ""]
REPAIRS_ = ["", " date_mask_repaired ", " amount_digit_repaired card_tail_search ", " payment_system_fuzzy "]


# --- random campaigns -----------------------------------------------------------------------------------------


def random_amount(rng: random.Random) -> Decimal:
    """Cents to millions, many right at a round bin's edge (where a wrong cut would show)."""
    magnitude = rng.choice([1, 10, 100, 1000, 10_000, 100_000, 1_000_000])
    if rng.random() < 0.3:
        return Decimal(rng.choice([1, 2, 25, 5, 10, 20, 50]) * magnitude) / rng.choice([1, 10])
    return (Decimal(rng.randrange(1, 1000 * magnitude)) / 100).quantize(Decimal("0.01"))


def random_campaign(rng: random.Random, tz: str, n: int = 240) -> tuple[Campaign, list[User]]:
    campaign = CampaignFactory(starts_on=date(2026, 10, 1), ends_on=date(2026, 12, 31), timezone=tz)
    moderators = [User.objects.create_user(f"mod-{tz}-{i}", is_staff=True) for i in range(3)]
    people = participants(40, prefix=f"+79{sum(map(ord, tz)) % 100:02d}")
    rows = [random_row(rng, people, moderators) for _ in range(n)]
    with_trail(add(campaign, rows))
    return campaign, moderators


def with_trail(submissions: list[Submission]) -> list[Submission]:
    """The audit line each row's last move would have written, stamped with its decided_at as a move is."""
    StatusTransition.objects.bulk_create(
        StatusTransition(
            submission=s,
            from_status=Status.PROCESSING,
            to_status=s.status,
            actor="test",
            created_at=s.decided_at,
        )
        for s in submissions
        if s.decided_at is not None
    )
    return submissions


def random_row(rng: random.Random, people, moderators, start: datetime | None = None) -> dict[str, Any]:
    start = start or datetime(2026, 9, 29, tzinfo=UTC)
    created = start + timedelta(seconds=rng.randrange(0, 20 * 86400), microseconds=rng.randrange(10**6))
    row: dict[str, Any] = {
        "participant": rng.choice(people[: rng.choice([5, 40])]),
        "created_at": created,
        "channel": rng.choice(CHANNELS),
        "status": Status.PROCESSING,
    }
    kind = rng.random()
    if kind < 0.08:
        row["status"] = rng.choice([Status.RECEIVED, Status.PROCESSING])
        return row
    auto = rng.choice([Status.ACCEPTED, Status.ACCEPTED, Status.REJECTED, Status.MODERATION])
    row.update(
        auto_outcome=auto,
        auto_decided_at=created + timedelta(microseconds=rng.randrange(1, 40_000_000)),
        status=auto,
        reason_codes=rng.choice(REASONS) if auto == Status.REJECTED else "",
        repairs=rng.choice(REPAIRS_) if auto == Status.ACCEPTED else "",
    )
    row["decided_at"] = row["auto_decided_at"]
    if auto == Status.MODERATION:
        waiting = row["auto_decided_at"]
        if rng.random() < 0.25:
            row["waiting_since"] = waiting
        else:
            wait = timedelta(
                seconds=rng.choice([60, 3600, rng.randrange(1, 20_000)]), microseconds=rng.randrange(2)
            )
            row.update(
                status=rng.choice([Status.ACCEPTED, Status.REJECTED]),
                decided_by=rng.choice(moderators),
                decided_at=waiting + wait,
                moderation_wait=wait,
            )
    elif rng.random() < 0.1:  # a person overturned the machine
        row.update(
            decided_by=rng.choice(moderators), decided_at=created + timedelta(hours=rng.randrange(1, 50))
        )
        row["status"] = (
            Status.ACCEPTED if auto == Status.REJECTED else rng.choice([Status.REJECTED, Status.REVOKED])
        )
        if rng.random() < 0.5:
            row["moderation_wait"] = timedelta(
                seconds=rng.randrange(1, 9000), microseconds=rng.randrange(10**6)
            )
    if row["status"] == Status.ACCEPTED or rng.random() < 0.1:
        row["typed_amount"] = random_amount(rng)
        row["read"] = {
            "amount": random_amount(rng) if rng.random() < 0.9 else None,
            "payment_system": rng.choice(["MIR", "VISA", "MASTERCARD", ""]),
            "merchant": rng.choice(
                ["", "Магнит", "Пятёрочка", "Лента", "=cmd"] + [f"Shop {i}" for i in range(25)]
            ),
        }
    return row


# --- the straightforward recomputation --------------------------------------------------------------------------


def percentile_cont(values: list, fraction: float) -> Any:
    if not values:
        return None
    values = sorted(values)
    position = fraction * (len(values) - 1)
    low = floor(position)
    value = values[low]
    if position > low:
        weight = position - low
        value = value + (values[low + 1] - value) * (
            Decimal(str(weight)) if isinstance(value, Decimal) else weight
        )
    return value


def ceil_units(duration: timedelta, unit_us: int) -> int:
    microseconds = (duration.days * 86400 + duration.seconds) * 10**6 + duration.microseconds
    return ceil(microseconds / unit_us) if microseconds % unit_us else microseconds // unit_us


def expected(period: Period) -> dict[str, Any]:
    """Every figure of the report recomputed from the rows in Python, as the definitions say."""
    campaign, tz = period.campaign, period.campaign.tz
    rows = list(Submission.objects.filter(campaign=campaign).select_related("recognition"))
    in_period = [s for s in rows if period.date_from <= s.created_at.astimezone(tz).date() <= period.date_to]
    first_day: dict[int, date] = {}
    for s in rows:
        day = s.created_at.astimezone(tz).date()
        first_day[s.participant_id] = min(first_day.get(s.participant_id, day), day)
    days = {}
    for day in period.days:
        sent = [s for s in in_period if s.created_at.astimezone(tz).date() == day]
        people = {s.participant_id for s in sent}
        days[day] = (
            len(sent),
            len(people),
            sum(first_day[p] == day for p in people),
            {c: sum(s.channel == c for s in sent) for c in CHANNELS},
        )
    hours = [sum(s.created_at.astimezone(tz).hour == h for s in in_period) for h in range(24)]
    auto = [s for s in in_period if s.auto_decided_at and s.auto_outcome]
    reasons: dict[str, int] = {}
    for s in in_period:
        if s.auto_outcome == Status.REJECTED:
            for code in set(s.reason_codes.split()) & set(AUTOMATIC_REASONS):
                reasons[code] = reasons.get(code, 0) + 1
    overturned = [
        s
        for s in in_period
        if s.auto_outcome == Status.ACCEPTED
        and s.decided_by_id
        and s.status in (Status.REJECTED, Status.REVOKED)
    ]
    repairs = {
        code: (
            sum(s.auto_outcome == Status.ACCEPTED and code in s.repairs.split() for s in in_period),
            sum(code in s.repairs.split() for s in overturned),
        )
        for code in rollups_repairs()
    }
    outcomes = {
        "total": len(in_period),
        "participants": len({s.participant_id for s in in_period}),
        "auto_accepted": sum(s.auto_outcome == Status.ACCEPTED for s in in_period),
        "auto_rejected": sum(s.auto_outcome == Status.REJECTED for s in in_period),
        "to_moderation": sum(s.auto_outcome == Status.MODERATION for s in in_period),
        "undecided": sum(s.status in (Status.RECEIVED, Status.PROCESSING) for s in in_period),
        "moderators_accepted": sum(bool(s.decided_by_id) and s.status == Status.ACCEPTED for s in in_period),
        "moderators_rejected": sum(bool(s.decided_by_id) and s.status == Status.REJECTED for s in in_period),
        "overturned_to_rejected": len(overturned),
        "overturned_to_accepted": sum(
            s.auto_outcome == Status.REJECTED and bool(s.decided_by_id) and s.status == Status.ACCEPTED
            for s in in_period
        ),
        "revoked": sum(s.status == Status.REVOKED for s in in_period),
        "waiting": sum(s.status == Status.MODERATION for s in in_period),
        "accepted": sum(s.status == Status.ACCEPTED for s in in_period),
        "rejected": sum(s.status == Status.REJECTED for s in in_period),
        "moderation_waiting": sum(
            s.auto_outcome == Status.MODERATION and s.status == Status.MODERATION for s in in_period
        ),
        "people_on_moderation": {
            status: sum(
                bool(s.decided_by_id) and s.status == status and s.auto_outcome == Status.MODERATION
                for s in in_period
            )
            for status in FINAL_STATUSES
        },
        "people_on_machine_decision": {
            status: sum(
                bool(s.decided_by_id) and s.status == status and s.auto_outcome != Status.MODERATION
                for s in in_period
            )
            for status in FINAL_STATUSES
        },
        "rejected_by_reason": dict(sorted(reasons.items(), key=lambda item: (-item[1], item[0]))),
        "repairs": repairs,
        "decision_time": {
            f: percentile_cont(
                [
                    timedelta(microseconds=ceil_units(s.auto_decided_at - s.created_at, 100_000) * 100_000)
                    for s in auto
                ],
                f,
            )
            for f in DECISION_FRACTIONS
        },
    }
    waited = [
        ceil_units(s.moderation_wait, 10**6)
        for s in rows
        if s.moderation_wait is not None and period.start <= s.decided_at < period.end
    ]
    target = campaign.moderation_target_minutes * 60
    waits = (
        len(waited),
        sum(w > target for w in waited),
        {f: percentile_cont([timedelta(seconds=w) for w in waited], f) for f in WAIT_FRACTIONS},
    )
    readings = [s.recognition for s in in_period if s.status == Status.ACCEPTED and hasattr(s, "recognition")]
    systems: dict[str, int] = {}
    merchants: dict[str, int] = {}
    for r in readings:
        systems[r.payment_system] = systems.get(r.payment_system, 0) + 1
        if r.merchant:
            merchants[r.merchant] = merchants.get(r.merchant, 0) + 1
    amounts = [r.amount if r.amount is not None else r.submission.typed_amount for r in readings]
    bins = []
    if amounts:
        cut = [three_significant_digits(a) for a in amounts]
        p95 = percentile_cont(cut, 0.95)
        width = _round_width((p95 or max(cut)) / AMOUNT_BINS)
        n_bins = max(1, min(AMOUNT_BINS + 1, int(max(amounts) // width) + 1))
        first = min(int(min(amounts) // width), n_bins - 1)
        # The bins counted on the EXACT amounts: the rollup's cut ones must land in the same.
        counts = [min(int(a // width), n_bins - 1) for a in amounts]
        bins = [
            (width * i, width * (i + 1) if i < n_bins - 1 else None, counts.count(i))
            for i in range(first, n_bins)
        ]
    return {
        "days": days,
        "hours": hours,
        "outcomes": outcomes,
        "waits": waits,
        "payment_systems": sorted(systems.items(), key=lambda item: (-item[1], item[0])),
        "merchants": sorted(merchants.items(), key=lambda item: (-item[1], item[0]))[:20],
        "amounts": (len(amounts), bins),
    }


def rollups_repairs():
    from promo.repairs import REPAIRS

    return REPAIRS


def figures(report: Report) -> dict[str, Any]:
    o = report.outcomes
    return {
        "days": {d.day: (d.submissions, d.participants, d.new_participants, d.channels) for d in report.days},
        "hours": report.hours,
        "outcomes": {
            name: getattr(o, name)
            for name in (
                "total",
                "participants",
                "auto_accepted",
                "auto_rejected",
                "to_moderation",
                "undecided",
                "moderators_accepted",
                "moderators_rejected",
                "overturned_to_rejected",
                "overturned_to_accepted",
                "revoked",
                "waiting",
                "accepted",
                "rejected",
                "moderation_waiting",
                "people_on_moderation",
                "people_on_machine_decision",
                "rejected_by_reason",
                "repairs",
                "decision_time",
            )
        },
        "waits": (report.waits.count, report.waits.past_target, report.waits.percentiles),
        "payment_systems": report.payment_systems,
        "merchants": report.merchants,
        "amounts": (report.amounts.count, report.amounts.bins),
    }


def assert_report_is_the_rows(campaign: Campaign, periods: list[tuple[date, date]]) -> None:
    for date_from, date_to in periods:
        period = Period(campaign=campaign, date_from=date_from, date_to=date_to)
        got, want = figures(Report(period=period, now=timezone.now())), expected(period)
        for key in want:
            assert got[key] == want[key], (key, date_from, date_to)


def tables(campaign: Campaign) -> dict[str, list]:
    """Every rollup row of the campaign, comparable across two builds."""
    out = {}
    for model in TABLES:
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in ("id", "campaign_id")]
        out[model.__name__] = sorted(
            model.objects.filter(campaign=campaign).values_list(*fields), key=lambda row: tuple(map(str, row))
        )
    return out


def today_in(campaign: Campaign) -> date:
    return timezone.now().astimezone(campaign.tz).date()


# --- the tests ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "seed"), [("Europe/Moscow", 1), ("America/New_York", 2), ("Asia/Kamchatka", 3)]
)
def test_the_report_read_from_rollups_is_the_rows_recomputed(tz, seed):
    rng = random.Random(seed)
    campaign, moderators = random_campaign(rng, tz)
    today = today_in(campaign)
    periods = [
        (date(2026, 10, 1), today),
        (date(2026, 9, 28), date(2026, 10, 20)),
        (date(2026, 10, 4), date(2026, 10, 9)),
        (date(2026, 10, 7), date(2026, 10, 7)),
    ]
    assert_report_is_the_rows(campaign, periods)
    assert RollupState.objects.get(campaign=campaign).rebuilt_at is not None

    # Moderators at work (through the one writer of moves), and new uploads on past days and today.
    submissions = list(Submission.objects.filter(campaign=campaign).order_by("created_at"))
    moved = 0
    for s in submissions:
        person = rng.choice(moderators)
        if s.status == Status.MODERATION and rng.random() < 0.6:
            submission_transition(
                submission=s, to=rng.choice([Status.ACCEPTED, Status.REJECTED]), actor="m", user=person
            )
        elif s.status == Status.ACCEPTED and s.moderation_wait is not None and rng.random() < 0.5:
            # A decision after a wait revoked or reopened: its wait moves from its old decision day to today.
            submission_transition(
                submission=s, to=rng.choice([Status.REVOKED, Status.MODERATION]), actor="m", user=person
            )
        elif s.status == Status.REJECTED and rng.random() < 0.15:
            submission_transition(submission=s, to=Status.MODERATION, actor="participant")
        else:
            continue
        moved += 1
    assert moved > 20
    people = participants(10, prefix="+7955")
    newcomers = [
        random_row(rng, people + [s.participant for s in submissions[:5]], moderators) for _ in range(30)
    ]
    newcomers += [
        random_row(rng, people, moderators, start=timezone.now() - timedelta(hours=2)) for _ in range(5)
    ]
    with_trail(add(campaign, newcomers))
    rebuilt_at = RollupState.objects.get(campaign=campaign).rebuilt_at

    assert_report_is_the_rows(campaign, periods)
    state = RollupState.objects.get(campaign=campaign)
    assert state.rebuilt_at == rebuilt_at  # refreshed day by day, not rebuilt
    incremental = tables(campaign)
    rollups_refresh(campaign=campaign, rebuild=True)
    assert tables(campaign) == incremental


def test_a_refresh_recomputes_only_the_days_that_changed():
    rng = random.Random(5)
    campaign, moderators = random_campaign(rng, "Europe/Moscow", n=120)
    rollups_refresh(campaign=campaign)
    Submission.objects.filter(campaign=campaign).update(updated_at=timezone.now() - timedelta(hours=1))
    refreshed = rollups_refresh(campaign=campaign)
    assert (refreshed.rebuilt, refreshed.sent_days, refreshed.decided_days) == (False, 0, 0)
    waiting = (
        Submission.objects.filter(campaign=campaign, status=Status.MODERATION).order_by("created_at").first()
    )
    submission_transition(submission=waiting, to=Status.ACCEPTED, actor="m", user=moderators[0])
    refreshed = rollups_refresh(campaign=campaign)
    # The day it was sent; today (decided now) and the day of its earlier move that wrote decided_at (sent to
    # moderation: recomputed for nothing, as any day an earlier decision after a wait might have been on).
    assert waiting.created_at.astimezone(campaign.tz).date() != today_in(campaign)
    assert (refreshed.rebuilt, refreshed.sent_days, refreshed.decided_days) == (False, 1, 2)
    assert DailyWait.objects.filter(campaign=campaign, day=today_in(campaign)).get().n == 1


def test_rows_deleted_or_written_in_the_past_are_counted_after_a_mark_of_staleness():
    rng = random.Random(6)
    campaign, moderators = random_campaign(rng, "Europe/Moscow", n=60)
    period = Period(campaign=campaign, date_from=date(2026, 10, 1), date_to=date(2026, 10, 31))
    before = Report(period=period, now=timezone.now()).outcomes.total
    Submission.objects.filter(campaign=campaign).update(updated_at=timezone.now() - timedelta(hours=1))
    # Written as demo traffic is: updated_at in the past, which no watermark sees.
    people = participants(3, prefix="+7966")
    added = add(
        campaign,
        [random_row(rng, people, moderators, start=datetime(2026, 10, 2, tzinfo=UTC)) for _ in range(10)],
    )
    Submission.objects.filter(pk__in=[s.pk for s in added]).update(
        updated_at=datetime(2026, 10, 3, tzinfo=UTC)
    )
    assert Report(period=period, now=timezone.now()).outcomes.total == before  # not seen: the reason to mark
    rollups_mark_stale(campaign_id=campaign.pk)
    assert Report(period=period, now=timezone.now()).outcomes.total == before + 10
    Submission.objects.filter(pk__in=[s.pk for s in added[:4]]).delete()
    rollups_mark_stale(campaign_id=campaign.pk)
    assert_report_is_the_rows(campaign, [(date(2026, 10, 1), date(2026, 10, 31))])


def test_a_new_time_zone_rebuilds_the_days():
    rng = random.Random(7)
    campaign, _moderators = random_campaign(rng, "Europe/Moscow", n=80)
    assert_report_is_the_rows(campaign, [(date(2026, 10, 1), date(2026, 10, 31))])
    Campaign.objects.filter(pk=campaign.pk).update(timezone="Pacific/Auckland")
    campaign.refresh_from_db()
    assert_report_is_the_rows(campaign, [(date(2026, 10, 1), date(2026, 10, 31))])
    assert RollupState.objects.get(campaign=campaign).timezone == "Pacific/Auckland"


def test_a_refresh_that_finds_nothing_changes_nothing():
    rng = random.Random(8)
    campaign, _moderators = random_campaign(rng, "Europe/Moscow", n=40)
    rollups_refresh(campaign=campaign)
    built = tables(campaign)
    rollups_refresh(campaign=campaign)
    assert tables(campaign) == built


# --- the amounts' resolution ----------------------------------------------------------------------------------

WIDTHS = [Decimal(step) * Decimal(10) ** k for k in range(0, 9) for step in ("1", "2", "2.5", "5")]


def test_three_significant_digits_cuts_toward_zero_and_keeps_amounts_below_ten():
    cases = {
        "0.01": "0.01",
        "9.99": "9.99",
        "10.00": "10.00",
        "12.34": "12.3",
        "99.99": "99.9",
        "123.45": "123",
        "999.99": "999",
        "1234.56": "1230",
        "98765.43": "98700",
        "1000000.00": "1000000",
        "9999999999.99": "9990000000",
        "-5.50": "-5.50",
    }
    for amount, cut in cases.items():
        assert three_significant_digits(Decimal(amount)) == Decimal(cut), amount


def test_amounts_at_3_significant_digits_fall_in_the_same_bin_at_every_width():
    """The proof of three_significant_digits' docstring, checked: every width the histogram can choose, every
    cap of bins, amounts at and around every edge and at random."""
    rng = random.Random(11)
    for width in WIDTHS:
        edges = [width * k for k in range(0, 12)]
        amounts = {a + d for a in edges for d in (Decimal("-0.01"), Decimal(0), Decimal("0.01"))}
        amounts |= {(Decimal(rng.randrange(1, 10**12)) / 100).quantize(Decimal("0.01")) for _ in range(300)}
        amounts |= {(width * Decimal(rng.random() * 12)).quantize(Decimal("0.01")) for _ in range(300)}
        for amount in amounts:
            if amount < 0:
                continue
            cut = three_significant_digits(amount)
            for n_bins in range(1, AMOUNT_BINS + 2):
                assert min(int(cut // width), n_bins - 1) == min(int(amount // width), n_bins - 1), (
                    amount,
                    width,
                )


def test_the_database_cuts_amounts_as_python_does():
    rng = random.Random(12)
    campaign = CampaignFactory(starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 31))
    (person,) = participants(1, prefix="+7977")
    amounts = [random_amount(rng) for _ in range(300)] + [
        Decimal(v)
        for v in (
            "0.01",
            "9.99",
            "10.00",
            "10.01",
            "99.99",
            "100.00",
            "999.99",
            "1000.00",
            "1009.99",
            "12345678.91",
            "9999999999.99",
        )
    ]
    add(
        campaign,
        [
            {
                "participant": person,
                "created_at": datetime(2026, 10, 2, 10, tzinfo=UTC),
                "status": "accepted",
                "read": {"amount": amount},
            }
            for amount in amounts
        ],
    )
    rollups_refresh(campaign=campaign)
    want: dict[Decimal, int] = {}
    for amount in amounts:
        want[three_significant_digits(amount)] = want.get(three_significant_digits(amount), 0) + 1
    got = dict(DailyAmount.objects.filter(campaign=campaign).values_list("amount", "n"))
    assert got == want


def test_waits_and_decision_times_are_rounded_up_to_their_resolution():
    campaign = CampaignFactory(
        starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 31), moderation_target_minutes=1
    )
    (person,) = participants(1, prefix="+7988")
    moderator = User.objects.create_user("rounding", is_staff=True)
    created = datetime(2026, 10, 2, 10, tzinfo=UTC)
    rows = [
        {
            "participant": person,
            "created_at": created,
            "status": "accepted",
            "auto_outcome": "moderation",
            "auto_decided_at": created + timedelta(seconds=seconds),
            "decided_by": moderator,
            "decided_at": created + timedelta(hours=1),
            "moderation_wait": timedelta(seconds=wait),
        }
        for seconds, wait in ((5, 60), (5.01, 60.000001), (0.1, 59.5), (12.3456, 3600))
    ]
    add(campaign, rows)
    rollups_refresh(campaign=campaign)
    assert dict(DailyDecisionTime.objects.filter(campaign=campaign).values_list("tenths", "n")) == {
        50: 1,
        51: 1,
        1: 1,
        124: 1,
    }
    assert dict(DailyWait.objects.filter(campaign=campaign).values_list("seconds", "n")) == {
        60: 2,
        61: 1,
        3600: 1,
    }
    report = Report(
        period=Period(campaign=campaign, date_from=date(2026, 10, 1), date_to=date(2026, 10, 31)),
        now=timezone.now(),
    )
    # Past the 1-minute target: 60.000001 s and an hour, exactly as the rows say (60 s is not past it).
    assert (report.waits.count, report.waits.past_target) == (4, 2)


def test_the_periodic_task_refreshes_running_campaigns_and_leaves_long_ended_ones():
    from reports.tasks import refresh_rollups

    today = timezone.localdate()
    running = CampaignFactory(
        slug="running", starts_on=today - timedelta(days=3), ends_on=today + timedelta(days=3)
    )
    ended = CampaignFactory(
        slug="ended", starts_on=date(2025, 1, 1), ends_on=today - timedelta(days=60), is_active=False
    )
    (person,) = participants(1, prefix="+7933")
    for campaign in (running, ended):
        add(
            campaign,
            [
                {
                    "participant": person,
                    "created_at": timezone.now() - timedelta(hours=1),
                    "status": "received",
                }
            ],
        )
    done = refresh_rollups()
    assert [d["campaign"] for d in done] == ["running"] and done[0]["rebuilt"]
    assert DailyTraffic.objects.filter(campaign=running).exists()
    assert not RollupState.objects.filter(campaign=ended).exists()


def test_the_command_refreshes_or_rebuilds_one_campaign_or_all():
    from io import StringIO

    from django.core.management import CommandError, call_command

    rng = random.Random(9)
    campaign, _moderators = random_campaign(rng, "Europe/Moscow", n=30)
    out = StringIO()
    call_command("reports_rollup", campaign=campaign.slug, stdout=out)
    assert f"{campaign.slug}: rebuilt in" in out.getvalue()
    call_command("reports_rollup", stdout=out)
    assert (
        f"{campaign.slug}: 1 days sent" not in out.getvalue()
    )  # its rows changed minutes ago: days recounted
    assert "days sent" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("reports_rollup", campaign="nothing-like-it")
