"""The campaign report's figures, each computed by the database in a fixed, small number of queries.

Every figure is over one campaign's submissions sent in a period of days in the campaign's time zone (the days
its marketing people speak of), except the moderation backlog, which is the queue as it stands now. No query
reads a photo, a contact or a typed card number: the report is safe to show the marketing role.

Definitions (the page and its CSV files say the same):
- accepted / rejected automatically: the machine's own decision (`auto_outcome`), kept when a person later
  decided otherwise; sent to moderation: the machine left it to a person.
- decided by moderators: the submission stands accepted or rejected by a person (`decided_by` set).
- overturned: a person's final word (accepted, rejected or revoked) differs from the machine's accepted/rejected.
- share decided automatically: accepted + rejected automatically, of everything the machine decided (the three).
- a repair's contribution: automatic acceptances that relied on it, as a share of all submissions; its overturns:
  of those acceptances, the share a person later rejected or revoked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cached_property
from math import floor, log10
from typing import Any

from django.db import connections
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Min,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, ExtractHour, Floor, Least, TruncDate

from promo.models import Campaign, Recognition, Submission
from promo.reasons import MESSAGES, by_a_person
from promo.repairs import REPAIRS
from reports.percentiles import percentile_aggregates, percentiles, uses_percentile_cont

Status = Submission.Status
Channel = Submission.Channel

# The channels in the order the page shows them; "" is an upload stored before its channel was recorded.
CHANNELS = (Channel.PAGE, Channel.API, Channel.BATCH, "")
# Reasons the machine gives (a person's reasons are not automatic rejections).
AUTOMATIC_REASONS = tuple(code for code in MESSAGES if not by_a_person(code))
WAIT_FRACTIONS = (0.5, 0.9, 0.99)
DECISION_FRACTIONS = (0.5, 0.95)
TOP_MERCHANTS = 20
# The amount histogram: about this many bins of a round width up to the 95th percentile, the rest in one bin.
AMOUNT_BINS = 10
# A report covers at most this many days (a year and a bit): the charts stay readable, the queries bounded.
MAX_PERIOD_DAYS = 400


def campaigns_reported_to(user: Any) -> QuerySet[Campaign]:
    """The campaigns a user may see reports of: every campaign for superusers, holders of
    promo.moderate_any_campaign and holders of reports.view_reports (the figures carry no personal data, so the
    marketing role sees them all); none for anyone else."""
    if not (user.is_active and user.is_staff):
        return Campaign.objects.none()
    if (
        user.is_superuser
        or user.has_perm("reports.view_reports")
        or user.has_perm("promo.moderate_any_campaign")
    ):
        return Campaign.objects.all()
    return Campaign.objects.none()


@dataclass(frozen=True)
class Period:
    """A campaign and days from `date_from` to `date_to` (both included), in the campaign's time zone."""

    campaign: Campaign
    date_from: date
    date_to: date

    @classmethod
    def default(cls, campaign: Campaign) -> Period:
        """The campaign's period up to today (all of it once it is over; its first day before it starts)."""
        last = min(campaign.ends_on, max(campaign.today(), campaign.starts_on))
        return cls(campaign=campaign, date_from=campaign.starts_on, date_to=last)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.date_from, time.min, tzinfo=self.campaign.tz)

    @property
    def end(self) -> datetime:
        """The first instant after the period."""
        return datetime.combine(self.date_to + timedelta(days=1), time.min, tzinfo=self.campaign.tz)

    @property
    def days(self) -> list[date]:
        return [self.date_from + timedelta(days=i) for i in range((self.date_to - self.date_from).days + 1)]


def period_submissions(period: Period) -> QuerySet[Submission]:
    return Submission.objects.filter(
        campaign=period.campaign, created_at__gte=period.start, created_at__lt=period.end
    ).order_by()


# --- Section 1: traffic ---------------------------------------------------------------------------------------


@dataclass
class DayRow:
    day: date
    submissions: int = 0
    participants: int = 0
    new_participants: int = 0
    channels: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHANNELS, 0))

    @property
    def returning_participants(self) -> int:
        return self.participants - self.new_participants


def _channel_counts() -> dict[str, Count]:
    return {
        f"channel_{value or 'unknown'}": Count("created_at", filter=Q(channel=value)) for value in CHANNELS
    }


def traffic_by_day(period: Period) -> list[DayRow]:
    """Submissions, distinct participants, new participants and channels per day of the period (two queries).

    New: the participant's first submission in the campaign (whenever that was) falls on that day; returning:
    the other participants who sent something that day."""
    tz = period.campaign.tz
    rows = {day: DayRow(day=day) for day in period.days}
    grouped = (
        period_submissions(period)
        .annotate(day=TruncDate("created_at", tzinfo=tz))
        .values("day")
        .annotate(
            submissions=Count("*"), participants=Count("participant_id", distinct=True), **_channel_counts()
        )
    )
    for group in grouped:
        row = rows.get(_as_date(group["day"]))
        if row is None:
            continue
        row.submissions, row.participants = group["submissions"], group["participants"]
        row.channels = {value: group[f"channel_{value or 'unknown'}"] for value in CHANNELS}
    for day, new in _new_participants_by_day(period):
        if day in rows:
            rows[day].new_participants = new
    return list(rows.values())


def _new_participants_by_day(period: Period) -> list[tuple[date, int]]:
    """Participants by the day of their first submission in the campaign, for first days in the period.

    Grouping twice (the first submission per participant, then the day of it) needs a derived table, which the
    ORM does not write; the inner query is the ORM's, the outer one asks the backend for its time-zone date."""
    firsts = (
        Submission.objects.filter(campaign=period.campaign)
        .order_by()
        .values("participant_id")
        .annotate(first=Min("created_at"))
        .values("first")
    )
    connection = connections[firsts.db]
    inner_sql, inner_params = firsts.query.sql_with_params()
    day_sql, day_params = connection.ops.datetime_cast_date_sql("firsts.first", (), period.campaign.timezone)
    sql = (
        f"SELECT {day_sql} AS day, COUNT(*) FROM ({inner_sql}) firsts "
        f"WHERE firsts.first >= %s AND firsts.first < %s GROUP BY 1 ORDER BY 1"
    )
    params = (
        *day_params,
        *inner_params,
        connection.ops.adapt_datetimefield_value(period.start),
        connection.ops.adapt_datetimefield_value(period.end),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(_as_date(day), count) for day, count in cursor.fetchall()]


def traffic_by_hour(period: Period) -> list[int]:
    """Submissions per hour of the day (0 to 23) in the campaign's time zone, over the whole period."""
    counts = [0] * 24
    grouped = (
        period_submissions(period)
        .annotate(hour=ExtractHour("created_at", tzinfo=period.campaign.tz))
        .values("hour")
        .annotate(n=Count("*"))
    )
    for group in grouped:
        counts[int(group["hour"])] = group["n"]
    return counts


def _as_date(value: Any) -> date:
    """SQLite hands a date back as text from raw SQL."""
    return date.fromisoformat(value) if isinstance(value, str) else value


# --- Sections 2, 3, 4 and 6: outcomes, repairs, automation, upload-to-decision time ----------------------------


@dataclass
class Outcomes:
    total: int
    participants: int
    auto_accepted: int
    auto_rejected: int
    to_moderation: int
    undecided: int  # still being read (received or processing)
    moderators_accepted: int
    moderators_rejected: int
    overturned: int
    overturned_to_rejected: int  # the machine accepted, a person rejected or revoked
    overturned_to_accepted: int  # the machine rejected, a person accepted
    revoked: int
    waiting: int
    rejected_by_reason: dict[str, int]
    repairs: dict[str, tuple[int, int]]  # code: (automatic acceptances relying on it, of them overturned)
    decision_time: dict[float, timedelta | None]  # upload to the automatic decision, p50 and p95

    @property
    def decided_automatically(self) -> int:
        return self.auto_accepted + self.auto_rejected

    @property
    def machine_decided(self) -> int:
        return self.auto_accepted + self.auto_rejected + self.to_moderation

    @property
    def automatic_share(self) -> float | None:
        return self.decided_automatically / self.machine_decided if self.machine_decided else None


def _automatic_decision_time() -> ExpressionWrapper:
    return ExpressionWrapper(F("auto_decided_at") - F("created_at"), output_field=DurationField())


def outcomes(period: Period) -> Outcomes:
    """The outcome mix, the automatic rejections by reason, each repair's contribution and the upload-to-decision
    time, in two queries (and, on SQLite, one small query per percentile).

    The mix is counted by grouping on what decides it (status, the machine's word, whether a person decided,
    the reasons of a rejection and the repairs of an acceptance): a few hundred groups at most, which Python sums
    into every figure. Counting each figure with a filter of its own (a LIKE per reason and repair) cost the
    database 4.5 times as much per row (measured: 560 against 125 ms at 100,000 submissions)."""
    queryset = period_submissions(period)
    grouped = (
        queryset.annotate(
            by_person=Case(When(decided_by__isnull=False, then=Value(True)), default=Value(False)),
            reason_key=Case(When(auto_outcome=Status.REJECTED, then=F("reason_codes")), default=Value("")),
            repair_key=Case(When(auto_outcome=Status.ACCEPTED, then=F("repairs")), default=Value("")),
        )
        .values("status", "auto_outcome", "by_person", "reason_key", "repair_key")
        .annotate(n=Count("*"))
    )
    counts = dict.fromkeys(
        ("total", "auto_accepted", "auto_rejected", "to_moderation", "undecided", "moderators_accepted",
         "moderators_rejected", "overturned_to_rejected", "overturned_to_accepted", "revoked", "waiting"),
        0,
    )  # fmt: skip
    reasons: dict[str, int] = {}
    relied = dict.fromkeys(REPAIRS, 0)
    relied_overturned = dict.fromkeys(REPAIRS, 0)
    for group in grouped:
        n, status, auto, by_person = (
            group["n"],
            group["status"],
            group["auto_outcome"],
            bool(group["by_person"]),
        )
        counts["total"] += n
        counts["auto_accepted"] += n if auto == Status.ACCEPTED else 0
        counts["auto_rejected"] += n if auto == Status.REJECTED else 0
        counts["to_moderation"] += n if auto == Status.MODERATION else 0
        counts["undecided"] += n if status in (Status.RECEIVED, Status.PROCESSING) else 0
        counts["moderators_accepted"] += n if by_person and status == Status.ACCEPTED else 0
        counts["moderators_rejected"] += n if by_person and status == Status.REJECTED else 0
        overturned = auto == Status.ACCEPTED and by_person and status in (Status.REJECTED, Status.REVOKED)
        counts["overturned_to_rejected"] += n if overturned else 0
        counts["overturned_to_accepted"] += (
            n if auto == Status.REJECTED and by_person and status == Status.ACCEPTED else 0
        )
        counts["revoked"] += n if status == Status.REVOKED else 0
        counts["waiting"] += n if status == Status.MODERATION else 0
        for code in set((group["reason_key"] or "").split()):
            if code in AUTOMATIC_REASONS:
                reasons[code] = reasons.get(code, 0) + n
        for code in set((group["repair_key"] or "").split()):
            if code in relied:
                relied[code] += n
                relied_overturned[code] += n if overturned else 0
    decided_automatically = Q(auto_decided_at__isnull=False) & ~Q(auto_outcome="")
    figures: dict[str, Any] = {
        "participants": Count("participant_id", distinct=True),
        "decided_automatically": Count("created_at", filter=decided_automatically),
    }
    if uses_percentile_cont(queryset):
        figures |= percentile_aggregates(
            "decision", _automatic_decision_time(), DECISION_FRACTIONS, decided_automatically
        )
    row = queryset.aggregate(**figures)
    decision_time = percentiles(
        queryset=queryset.filter(decided_automatically),
        expression=_automatic_decision_time(),
        fractions=DECISION_FRACTIONS,
        count=row["decided_automatically"],
        aggregated=row,
        prefix="decision",
    )
    return Outcomes(
        participants=row["participants"],
        overturned=counts["overturned_to_rejected"] + counts["overturned_to_accepted"],
        rejected_by_reason=dict(sorted(reasons.items(), key=lambda item: (-item[1], item[0]))),
        repairs={code: (relied[code], relied_overturned[code]) for code in REPAIRS},
        decision_time=decision_time,
        **counts,
    )


# --- Section 5: moderation ------------------------------------------------------------------------------------


@dataclass
class Waits:
    """How long people were waited for: a count, how many past the campaign's target, and percentiles."""

    count: int
    past_target: int
    target: timedelta
    percentiles: dict[float, timedelta | None]


def backlog_now(campaign: Campaign, now: datetime) -> Waits:
    """The campaign's moderation queue as it stands (whatever the period): how long each has waited so far."""
    target = timedelta(minutes=campaign.moderation_target_minutes)
    queryset = Submission.objects.filter(
        campaign=campaign, status=Status.MODERATION, waiting_since__isnull=False
    ).order_by()
    waited = ExpressionWrapper(
        Value(now, output_field=DateTimeField()) - F("waiting_since"), output_field=DurationField()
    )
    figures: dict[str, Any] = {
        "count": Count("*"),
        "past_target": Count("waiting_since", filter=Q(waiting_since__lt=now - target)),
    }
    if uses_percentile_cont(queryset):
        figures |= percentile_aggregates("wait", waited, WAIT_FRACTIONS)
    row = queryset.aggregate(**figures)
    values = percentiles(
        queryset=queryset,
        expression=waited,
        fractions=WAIT_FRACTIONS,
        count=row["count"],
        aggregated=row,
        prefix="wait",
    )
    return Waits(count=row["count"], past_target=row["past_target"], target=target, percentiles=values)


def moderation_waits(period: Period) -> Waits:
    """The decisions people made in the period (by when they were made): how long each had waited."""
    campaign = period.campaign
    target = timedelta(minutes=campaign.moderation_target_minutes)
    queryset = Submission.objects.filter(
        campaign=campaign,
        moderation_wait__isnull=False,
        decided_at__gte=period.start,
        decided_at__lt=period.end,
    ).order_by()
    figures: dict[str, Any] = {
        "count": Count("*"),
        "past_target": Count("moderation_wait", filter=Q(moderation_wait__gt=target)),
    }
    if uses_percentile_cont(queryset):
        figures |= percentile_aggregates("wait", F("moderation_wait"), WAIT_FRACTIONS)
    row = queryset.aggregate(**figures)
    values = percentiles(
        queryset=queryset,
        expression=F("moderation_wait"),
        fractions=WAIT_FRACTIONS,
        count=row["count"],
        aggregated=row,
        prefix="wait",
    )
    return Waits(count=row["count"], past_target=row["past_target"], target=target, percentiles=values)


# --- Section 7: accepted slips --------------------------------------------------------------------------------


def accepted_readings(period: Period) -> QuerySet[Recognition]:
    """What was read on the submissions that stand accepted (one reading per submission)."""
    return Recognition.objects.filter(
        submission__campaign=period.campaign,
        submission__status=Status.ACCEPTED,
        submission__created_at__gte=period.start,
        submission__created_at__lt=period.end,
    ).order_by()


def payment_systems(period: Period) -> list[tuple[str, int]]:
    """Accepted slips per payment system read on them ("" where none was read), most first."""
    grouped = accepted_readings(period).values("payment_system").annotate(n=Count("*"))
    return sorted(((g["payment_system"], g["n"]) for g in grouped), key=lambda item: (-item[1], item[0]))


def top_merchants(period: Period, limit: int = TOP_MERCHANTS) -> list[tuple[str, int]]:
    """The merchants most accepted slips came from (a blank merchant name is left out)."""
    grouped = (
        accepted_readings(period)
        .exclude(merchant="")
        .values("merchant")
        .annotate(n=Count("*"))
        .order_by("-n", "merchant")[:limit]
    )
    return [(g["merchant"], g["n"]) for g in grouped]


@dataclass
class Histogram:
    """Bins [low, high) of a round width; the last is open (`high` None) and holds everything above."""

    bins: list[tuple[Decimal, Decimal | None, int]]
    count: int


def _amount() -> Coalesce:
    """The amount read on the slip, or the typed one where none was read (a person accepted it)."""
    return Coalesce(
        F("amount"), F("submission__typed_amount"), output_field=DecimalField(max_digits=14, decimal_places=2)
    )


def amount_histogram(period: Period) -> Histogram:
    """Accepted slips by amount, in bins of a round width (1, 2 or 5 times a power of ten) reaching the 95th
    percentile, so that a few huge amounts do not squash the rest into one bar (two queries)."""
    readings = accepted_readings(period)
    figures: dict[str, Any] = {"count": Count("*"), "low": Min(_amount()), "high": Max(_amount())}
    if uses_percentile_cont(readings):
        figures |= percentile_aggregates("amount", _amount(), (0.95,))
    row = readings.aggregate(**figures)
    if not row["count"]:
        return Histogram(bins=[], count=0)
    p95 = percentiles(
        queryset=readings,
        expression=_amount(),
        fractions=(0.95,),
        count=row["count"],
        aggregated=row,
        prefix="amount",
    )[0.95]
    width = _round_width(Decimal(str(p95 or row["high"])) / AMOUNT_BINS)
    n_bins = max(1, min(AMOUNT_BINS + 1, int(Decimal(row["high"]) // width) + 1))
    # Bins below the lowest amount are dropped: a campaign whose slips start at 500 starts its histogram there.
    first_bin = min(int(Decimal(row["low"]) // width), n_bins - 1)
    index = Least(
        Cast(Floor(_amount() / Value(width, output_field=DecimalField())), IntegerField()),
        Value(n_bins - 1),
    )
    counts = dict(readings.annotate(bin=index).values("bin").annotate(n=Count("*")).values_list("bin", "n"))
    bins = []
    for i in range(first_bin, n_bins):
        high = width * (i + 1) if i < n_bins - 1 else None
        bins.append((width * i, high, counts.get(i, 0)))
    return Histogram(bins=bins, count=row["count"])


def _round_width(raw: Decimal) -> Decimal:
    """The smallest of 1, 2, 2.5, 5 times a power of ten at or above `raw` (at least 1 of the currency)."""
    if raw <= 1:
        return Decimal(1)
    exponent = floor(log10(raw))
    for step in ("1", "2", "2.5", "5", "10"):
        width = Decimal(step) * Decimal(10) ** exponent
        if width >= raw:
            return width
    return Decimal(10) ** (exponent + 1)  # pragma: no cover - the loop always returns


# --- The whole report -----------------------------------------------------------------------------------------


class Report:
    """Every figure of the page, each section computed when first read: the page reads them all (the same
    number of queries whatever the campaign's size), a chart's CSV file only the one it needs."""

    def __init__(self, *, period: Period, now: datetime) -> None:
        self.period = period
        self.now = now

    @cached_property
    def days(self) -> list[DayRow]:
        return traffic_by_day(self.period)

    @cached_property
    def hours(self) -> list[int]:
        return traffic_by_hour(self.period)

    @cached_property
    def outcomes(self) -> Outcomes:
        return outcomes(self.period)

    @cached_property
    def backlog(self) -> Waits:
        return backlog_now(self.period.campaign, self.now)

    @cached_property
    def waits(self) -> Waits:
        return moderation_waits(self.period)

    @cached_property
    def payment_systems(self) -> list[tuple[str, int]]:
        return payment_systems(self.period)

    @cached_property
    def amounts(self) -> Histogram:
        return amount_histogram(self.period)

    @cached_property
    def merchants(self) -> list[tuple[str, int]]:
        return top_merchants(self.period)

    @property
    def new_participants(self) -> int:
        return sum(day.new_participants for day in self.days)

    @property
    def channels(self) -> dict[str, int]:
        return {value: sum(day.channels[value] for day in self.days) for value in CHANNELS}
