"""The campaign report's daily rollups (reports.models): kept by recomputing whole days, found by a watermark.

Every move of a submission writes its `updated_at` (promo.transitions), and creation sets it. A refresh finds the
local days (in the campaign's time zone) of the submissions changed since the last refresh: the days they were
sent, and for people's decisions after a wait the days they were decided (now, and before each earlier move:
a revoked or reopened decision leaves the day it was first decided). It then recomputes each of those days from
promo's rows with INSERT ... SELECT ... GROUP BY (the day's old rows deleted first) and moves the watermark to
the time taken when it started. Nothing is counted up or down, so a refresh that runs twice, or a day
recomputed for nothing, gives the same rows; and the page reads a few hundred rows whatever the campaign's size.

Why a margin: `updated_at` is taken in Python before the UPDATE, and the transaction commits later (and another
host's clock may run behind). A move stamped at t that commits after a refresh started at T > t is not seen by
that refresh; the next one looks back to (T - MARGIN), so it is found as long as it committed within MARGIN of
its stamp. MARGIN is minutes, transactions that move submissions last milliseconds to seconds.

What the watermark cannot see, it is told (rollups_mark_stale): rows deleted (demo traffic's --clear) or
written with times of the past (seed_demo_traffic, bench_reports --fill). A stale or missing watermark, or a
campaign whose time zone changed, means a full rebuild: one INSERT ... SELECT ... GROUP BY per table.

One transaction per refresh, holding the campaign's RollupState row (SELECT ... FOR UPDATE): refreshes of one
campaign run one after the other, a mark of staleness waits for the refresh under way (and so is never lost),
and the page never reads a half-refreshed campaign (a moved submission counted on its new decision day but not
yet gone from its old one). Moves of submissions are never blocked: a refresh only reads promo's tables.

Resolutions: the automatic decision time is kept in tenths of a second, moderation waits in whole seconds (both
rounded up), amounts at 3 significant digits (exact below 10): percentiles are exact to that resolution, the
amount histogram's bins exactly (three_significant_digits).
"""

from __future__ import annotations

import logging
import time as clock
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    Func,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractHour, TruncDate
from django.utils import timezone

from promo.models import Campaign, Recognition, StatusTransition, Submission
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

logger = logging.getLogger(__name__)

Status = Submission.Status
MARGIN = timedelta(minutes=5)
# A refresh that found nothing leaves a watermark younger than this as it is.
IDLE_ADVANCE = timedelta(minutes=1)
# Campaigns the periodic task refreshes: running ones, and those ended this recently (people still decide).
REFRESH_AFTER_END = timedelta(days=30)
TENTH_OF_A_SECOND_US = 100_000
SECOND_US = 1_000_000
# The statuses a move writes decided_at with (promo.transitions): a wait's day is its decision's.
DECIDING = (*Submission.FINAL, Status.MODERATION)
READINGS = "rollup_readings"  # a temporary table of one refresh (_insert_readings)
# Tables recomputed by the day the submissions were sent (the waits go by the day they were decided).
SENT_DAY_TABLES = (
    DailyTraffic,
    DailyOutcome,
    DailyDecisionTime,
    DailyPaymentSystem,
    DailyMerchant,
    DailyAmount,
)


# --- resolutions ----------------------------------------------------------------------------------------------


class CeilUnits(Func):
    """A duration in whole `unit_us` microseconds, rounded up (non-negative durations: what the moves write)."""

    output_field = BigIntegerField()

    def __init__(self, expression: Any, unit_us: int) -> None:
        super().__init__(expression)
        self.unit_us = int(unit_us)

    def as_sql(self, compiler, connection, **extra):  # PostgreSQL: an interval
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(CEILING(EXTRACT(EPOCH FROM {sql}) * 1000000 / {self.unit_us}) AS BIGINT)", params

    def as_sqlite(self, compiler, connection, **extra):  # microseconds (Django stores durations so)
        sql, params = compiler.compile(self.source_expressions[0])
        # Exact: both are integers below 2**53, so a whole quotient divides exactly, any other is 1e-6 off one.
        return f"CAST(CEILING(({sql}) * 1.0 / {self.unit_us}) AS INTEGER)", params


def three_significant_digits(amount: Decimal) -> Decimal:
    """An amount cut (toward zero) to 3 significant digits; below 10, as it is (cents are its only digits).

    Why this keeps the histogram exact: its bins are [k·w, (k+1)·w) with w = s·10^j, s in {1, 2, 2.5, 5}, j >= 0,
    and all above 10·w in one. An amount a < 100·10^j has at most j + 2 digits before the point, so the cut
    a' is a multiple of 10^(j-1) with a' <= a < a' + 10^(j-1); w is a multiple of 10^(j-1), so no bin edge lies
    in (a', a] and both fall in one bin. An amount of 100·10^j or more stays at or above it when cut, and both
    are in the open last bin (10·w <= 50·10^j). The lowest and highest amounts pick the first and the number of
    bins by the same floor(a / w), so they agree too; only the 95th percentile that chooses w is read at this
    resolution (tests.reports.test_rollups proves the bins over every width).
    """
    if amount < 10:
        return amount
    digits = amount.adjusted() + 1  # before the point
    quantum = Decimal(10) ** (digits - 3)
    return (amount / quantum).to_integral_value(rounding=ROUND_DOWN) * quantum


class ThreeSignificantDigits(Func):
    """three_significant_digits in SQL, in integer arithmetic on cents (the same on PostgreSQL and SQLite)."""

    output_field = DecimalField(max_digits=14, decimal_places=2)

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        if params:
            raise ValueError("an amount expression without parameters (it is written several times)")
        cents = f"CAST(ROUND(({sql}) * 100) AS BIGINT)"
        ladder = " ".join(
            f"WHEN {cents} < {10 ** (digits + 1)} THEN {cents} / {10 ** (digits - 2)} * {10 ** (digits - 2)}"
            for digits in range(3, 15)
        )
        return f"(CASE WHEN {cents} < 1000 THEN {cents} {ladder} ELSE {cents} END) / 100.0", params


# --- what each table holds, as a query over promo's rows -------------------------------------------------------


def _sent(campaign: Campaign, days: tuple[date, date] | None) -> QuerySet[Submission]:
    queryset = Submission.objects.filter(campaign=campaign).order_by()
    if days is not None:
        queryset = queryset.filter(
            created_at__gte=_start(campaign, days[0]), created_at__lt=_start(campaign, days[1])
        )
    return queryset.annotate(day=TruncDate("created_at", tzinfo=campaign.tz))


def _accepted_readings(campaign: Campaign, days: tuple[date, date] | None) -> QuerySet[Recognition]:
    queryset = Recognition.objects.filter(submission__campaign=campaign, submission__status=Status.ACCEPTED)
    if days is not None:
        queryset = queryset.filter(
            submission__created_at__gte=_start(campaign, days[0]),
            submission__created_at__lt=_start(campaign, days[1]),
        )
    return queryset.order_by().annotate(day=TruncDate("submission__created_at", tzinfo=campaign.tz))


def _sources(
    campaign: Campaign, days: tuple[date, date] | None
) -> dict[type, tuple[QuerySet, dict[str, str]]]:
    """For each table of submissions by the day sent: the grouped query and its columns (table: query)."""
    sent = _sent(campaign, days)
    decided_automatically = Q(auto_decided_at__isnull=False) & ~Q(auto_outcome="")
    decision_time = ExpressionWrapper(F("auto_decided_at") - F("created_at"), output_field=DurationField())
    columns = {"day": "day", "n": "n"}
    return {
        DailyTraffic: (
            sent.annotate(hour=ExtractHour("created_at", tzinfo=campaign.tz))
            .values("day", "hour", "channel")
            .annotate(n=Count("*")),
            {**columns, "hour": "hour", "channel": "channel"},
        ),
        DailyOutcome: (
            sent.annotate(
                by_person=Case(When(decided_by__isnull=False, then=Value(True)), default=Value(False)),
                reason_key=Case(
                    When(auto_outcome=Status.REJECTED, then=F("reason_codes")), default=Value("")
                ),
                repair_key=Case(When(auto_outcome=Status.ACCEPTED, then=F("repairs")), default=Value("")),
            )
            .values("day", "status", "auto_outcome", "by_person", "reason_key", "repair_key")
            .annotate(n=Count("*")),
            {
                **columns,
                **{
                    name: name for name in ("status", "auto_outcome", "by_person", "reason_key", "repair_key")
                },
            },
        ),
        DailyDecisionTime: (
            sent.filter(decided_automatically)
            .annotate(tenths=CeilUnits(decision_time, TENTH_OF_A_SECOND_US))
            .values("day", "tenths")
            .annotate(n=Count("*")),
            {**columns, "tenths": "tenths"},
        ),
    }


def _insert_readings(campaign: Campaign, days: tuple[date, date] | None) -> None:
    """The three tables of accepted slips from one pass over the readings (their join with the submissions is
    the costly part): grouped once into a temporary table, then each table grouped from it."""
    readings = _accepted_readings(campaign, days)
    amount = Coalesce(
        F("amount"), F("submission__typed_amount"), output_field=DecimalField(max_digits=14, decimal_places=2)
    )
    grouped = (
        readings.annotate(bucket=ThreeSignificantDigits(amount))
        .values("day", "payment_system", "merchant", "bucket")
        .annotate(n=Count("*"))
    )
    sql, params = grouped.query.sql_with_params()
    _execute(f"DROP TABLE IF EXISTS {READINGS}", ())
    _execute(f"CREATE TEMPORARY TABLE {READINGS} AS SELECT * FROM ({sql}) grouped", params)
    for model, column, source, where in (
        (DailyPaymentSystem, "payment_system", "payment_system", ""),
        (DailyMerchant, "merchant", "merchant", "WHERE merchant <> ''"),
        (DailyAmount, "amount", "bucket", ""),
    ):
        _execute(
            f"INSERT INTO {_table(model)} (campaign_id, day, {column}, n) "
            f"SELECT %s, day, {source}, SUM(n) FROM {READINGS} {where} GROUP BY day, {source}",
            (campaign.pk,),
        )
    _execute(f"DROP TABLE {READINGS}", ())


def _waits(campaign: Campaign, days: tuple[date, date] | None) -> tuple[QuerySet, dict[str, str]]:
    queryset = Submission.objects.filter(campaign=campaign, moderation_wait__isnull=False).order_by()
    if days is not None:
        queryset = queryset.filter(
            decided_at__gte=_start(campaign, days[0]), decided_at__lt=_start(campaign, days[1])
        )
    grouped = (
        queryset.annotate(
            day=TruncDate("decided_at", tzinfo=campaign.tz),
            seconds=CeilUnits(F("moderation_wait"), SECOND_US),
        )
        .values("day", "seconds")
        .annotate(n=Count("*"))
    )
    return grouped, {"day": "day", "n": "n", "seconds": "seconds"}


def _start(campaign: Campaign, day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=campaign.tz)


# --- SQL helpers ----------------------------------------------------------------------------------------------


def _table(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _day(value: date) -> Any:
    return connection.ops.adapt_datefield_value(value)


def _insert(model: type, campaign: Campaign, queryset: QuerySet, columns: dict[str, str]) -> int:
    """INSERT INTO model (campaign, columns) SELECT ... FROM (the grouped query): the database does it all."""
    sql, params = queryset.query.sql_with_params()
    qn = connection.ops.quote_name
    targets = ", ".join(qn(model._meta.get_field(name).column) for name in columns)
    sources = ", ".join(f"rollup_source.{qn(source)}" for source in columns.values())
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_table(model)} (campaign_id, {targets}) SELECT %s, {sources} FROM ({sql}) rollup_source",
            (campaign.pk, *params),
        )
        return cursor.rowcount


def _execute(sql: str, params: Iterable[Any]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, tuple(params))
        return cursor.rowcount


def _select(sql: str, params: Iterable[Any]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, tuple(params))
        return cursor.fetchall()


# --- rebuild and refresh --------------------------------------------------------------------------------------


@dataclass
class Refreshed:
    campaign: str
    rebuilt: bool
    sent_days: int  # days recomputed by the day sent
    decided_days: int  # days recomputed by the day decided (waits)
    seconds: float


def rollups_mark_stale(*, campaign_id: int) -> None:
    """The next refresh rebuilds the campaign's rollups: rows were deleted, or written with times of the past.

    Waits for a refresh under way (its row lock), so the mark is never overwritten by it."""
    RollupState.objects.filter(campaign_id=campaign_id).update(refreshed_to=None)


def rollups_refresh(*, campaign: Campaign, rebuild: bool = False, wait: bool = True) -> Refreshed | None:
    """Brings the campaign's rollups up to date (see the module's docstring). With `wait=False`, None when
    another refresh of the campaign is under way (the periodic task moves on; the page waits for it)."""
    started = clock.perf_counter()
    with transaction.atomic():
        locked = RollupState.objects.select_for_update(skip_locked=not wait).filter(campaign=campaign)
        state = locked.first()
        if state is None:  # the first refresh of the campaign, or another holds it (wait=False)
            RollupState.objects.bulk_create([RollupState(campaign=campaign)], ignore_conflicts=True)
            state = locked.first()
        if state is None:
            return None
        # Taken once the lock is held: a refresh that waited for another never moves the watermark back.
        now = timezone.now()
        rebuild = rebuild or state.refreshed_to is None or state.timezone != campaign.timezone
        if rebuild:
            _rebuild(campaign)
            sent_days: set[date] = set()
            decided_days: set[date] = set()
        else:
            sent_days, decided_days = _changed_days(campaign, since=state.refreshed_to - MARGIN)
            _recompute(campaign, sent_days=sent_days, decided_days=decided_days)
            if not (sent_days or decided_days) and now - state.refreshed_to < IDLE_ADVANCE:
                # Nothing changed lately: an older watermark only looks back a little further, so the page's
                # frequent views leave it (no write) and the periodic task moves it on.
                return Refreshed(campaign.slug, False, 0, 0, clock.perf_counter() - started)
        RollupState.objects.filter(pk=state.pk).update(
            refreshed_to=now,
            timezone=campaign.timezone,
            refreshed_at=timezone.now(),
            **({"rebuilt_at": timezone.now()} if rebuild else {}),
        )
    return Refreshed(
        campaign=campaign.slug,
        rebuilt=rebuild,
        sent_days=len(sent_days),
        decided_days=len(decided_days),
        seconds=clock.perf_counter() - started,
    )


def rollups_refresh_active(*, today: date | None = None) -> list[Refreshed]:
    """The periodic task's work: every running campaign, and those ended in the last REFRESH_AFTER_END, one
    after another; a campaign another refresh holds is left to it."""
    today = today or timezone.localdate()
    campaigns = Campaign.objects.filter(starts_on__lte=today + timedelta(days=1)).filter(
        Q(is_active=True) | Q(ends_on__gte=today - REFRESH_AFTER_END)
    )
    done = []
    for campaign in campaigns.order_by("pk"):
        refreshed = rollups_refresh(campaign=campaign, wait=False)
        if refreshed is not None:
            done.append(refreshed)
    return done


def _rebuild(campaign: Campaign) -> None:
    """Every table from scratch: one INSERT ... SELECT ... GROUP BY each over the whole campaign."""
    for model in (*SENT_DAY_TABLES, DailyWait, ParticipantDay, DailyParticipants):
        model.objects.filter(campaign=campaign).delete()
    for model, (queryset, columns) in _sources(campaign, None).items():
        _insert(model, campaign, queryset, columns)
    _insert_readings(campaign, None)
    _insert(DailyWait, campaign, *_waits(campaign, None))
    # Each participant's days, each with the day before it (LAG): window functions, on both databases.
    present = _sent(campaign, None).values("participant_id", "day").distinct()
    sql, params = present.query.sql_with_params()
    _execute(
        f"INSERT INTO {_table(ParticipantDay)} (campaign_id, participant_id, day, previous_day) "
        f"SELECT %s, present.participant_id, present.day, "
        f"LAG(present.day) OVER (PARTITION BY present.participant_id ORDER BY present.day) FROM ({sql}) present",
        (campaign.pk, *params),
    )
    _participants_of(campaign, None)
    if connection.vendor == "postgresql":
        # A campaign's rows rewritten at once: the planner's statistics too, or it plans the page's reads for a
        # handful of rows (measured: an on-disk sort of 170,000 waits, 106 against 65 ms).
        for model in (*SENT_DAY_TABLES, DailyWait, DailyParticipants):
            _execute(f"ANALYZE {_table(model)}", ())


def _participants_of(campaign: Campaign, day: date | None) -> None:
    """DailyParticipants of a day (None: all days) counted from ParticipantDay."""
    rows = ParticipantDay.objects.filter(campaign=campaign).order_by()
    done = DailyParticipants.objects.filter(campaign=campaign)
    if day is not None:
        rows, done = rows.filter(day=day), done.filter(day=day)
    done.delete()
    grouped = rows.values("day", "previous_day").annotate(n=Count("*"))
    _insert(DailyParticipants, campaign, grouped, {"day": "day", "previous_day": "previous_day", "n": "n"})


def _changed_days(campaign: Campaign, *, since: datetime) -> tuple[set[date], set[date]]:
    """The local days sent, and decided after a wait (now and at each earlier decision), of the submissions
    changed since `since`."""
    tz = campaign.tz
    changed = Submission.objects.filter(campaign=campaign, updated_at__gte=since).order_by()
    waited = changed.filter(moderation_wait__isnull=False)
    # A decision after a wait that was revoked or reopened since: its wait was counted on the day of the earlier
    # move (a move's transition is stamped with the time it wrote to decided_at).
    before = StatusTransition.objects.filter(submission__in=waited.values("pk"), to_status__in=DECIDING)
    days = (
        changed.annotate(kind=Value("sent"), d=TruncDate("created_at", tzinfo=tz))
        .values_list("kind", "d")
        .union(
            waited.annotate(kind=Value("decided"), d=TruncDate("decided_at", tzinfo=tz)).values_list(
                "kind", "d"
            ),
            before.order_by()
            .annotate(kind=Value("decided"), d=TruncDate("created_at", tzinfo=tz))
            .values_list("kind", "d"),
        )
    )
    sent: set[date] = set()
    decided: set[date] = set()
    for kind, day in days:  # distinct days: a handful of rows
        if day is not None:
            (sent if kind == "sent" else decided).add(_as_date(day))
    return sent, decided


def _as_date(value: Any) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _recompute(campaign: Campaign, *, sent_days: set[date], decided_days: set[date]) -> None:
    """Each day's rows deleted and counted again from promo's rows, then the participants' days."""
    added: list[date] = []
    for day in sorted(sent_days):
        bounds = (day, day + timedelta(days=1))
        for model in SENT_DAY_TABLES:
            model.objects.filter(campaign=campaign, day=day).delete()
        for model, (queryset, columns) in _sources(campaign, bounds).items():
            _insert(model, campaign, queryset, columns)
        _insert_readings(campaign, bounds)
        if _present(campaign, day, bounds):
            added.append(day)
    for day in sorted(decided_days):
        DailyWait.objects.filter(campaign=campaign, day=day).delete()
        _insert(DailyWait, campaign, *_waits(campaign, (day, day + timedelta(days=1))))
    recount = set(added)
    for day in added:  # in order: each step leaves every previous_day right for the days so far
        recount |= _link_next(campaign, day)
    for day in sorted(recount):
        _participants_of(campaign, day)


def _present(campaign: Campaign, day: date, bounds: tuple[date, date]) -> int:
    """Adds the participants who sent something that day and were not yet known to have (submissions are
    never deleted without a mark of staleness, so none leaves). Returns how many were added."""
    people = _sent(campaign, bounds).values("participant_id").distinct()
    sql, params = people.query.sql_with_params()
    table = _table(ParticipantDay)
    return _execute(
        f"INSERT INTO {table} (campaign_id, participant_id, day, previous_day) "
        f"SELECT %s, people.participant_id, %s, (SELECT MAX(p.day) FROM {table} p WHERE p.campaign_id = %s "
        f"AND p.participant_id = people.participant_id AND p.day < %s) FROM ({sql}) people "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} p WHERE p.campaign_id = %s "
        f"AND p.participant_id = people.participant_id AND p.day = %s)",
        (campaign.pk, _day(day), campaign.pk, _day(day), *params, campaign.pk, _day(day)),
    )


def _link_next(campaign: Campaign, day: date) -> set[date]:
    """A participant added on `day` makes it the previous day of their next day after it: those rows are
    updated; returns their days (their counts change)."""
    table = _table(ParticipantDay)
    condition = (
        f"campaign_id = %s AND day > %s AND (previous_day IS NULL OR previous_day < %s) "
        f"AND EXISTS (SELECT 1 FROM {table} cur WHERE cur.campaign_id = %s "
        f"AND cur.participant_id = {table}.participant_id AND cur.day = %s) "
        f"AND NOT EXISTS (SELECT 1 FROM {table} mid WHERE mid.campaign_id = %s "
        f"AND mid.participant_id = {table}.participant_id AND mid.day > %s AND mid.day < {table}.day)"
    )
    d = _day(day)
    params = (campaign.pk, d, d, campaign.pk, d, campaign.pk, d)
    days = {row[0] for row in _select(f"SELECT DISTINCT day FROM {table} WHERE {condition}", params)}
    if days:
        _execute(f"UPDATE {table} SET previous_day = %s WHERE {condition}", (d, *params))
    return {_as_date(value) for value in days}
