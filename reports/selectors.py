"""The campaign report's figures, read from the daily rollups (reports.rollups) in a fixed, small number of queries.

Every figure is over one campaign's submissions sent in a period of days in the campaign's time zone (the days
its marketing people speak of), except the moderation backlog, which is the queue as it stands now (read live:
it is small, and served by an index). No query reads a photo, a contact or a typed card number: the report is
safe to show the marketing role. The rollups are brought up to date before the first figure is read (Report),
so the page is always fresh; the periodic task keeps them so, and the page rarely has anything to recompute.

Definitions (the page and its CSV files say the same):
- accepted / rejected automatically: the machine's own decision (`auto_outcome`), kept when a person later
  decided otherwise; sent to moderation: the machine left it to a person.
- where the submissions stand now: each submission's status now (accepted, rejected, revoked, waiting for a
  moderator, still being read); the five add up to all submissions.
- decided by people: the submission's last word is a person's (`decided_by` set: accepted, rejected or revoked),
  split by what the machine had said: sent to moderation, or accepted / rejected itself (the person's word then
  came on an appeal, a reopening or a revocation; the rollups keep only the latest state, so they tell these
  three apart no more than they count a submission decided twice more than once).
- overturned: a person's final word (accepted, rejected or revoked) differs from the machine's accepted/rejected.
- share decided automatically: accepted + rejected automatically, of everything the machine decided (the three).
- a repair's contribution: automatic acceptances that relied on it, as a share of all submissions; its overturns:
  of those acceptances, the share a person later rejected or revoked.
- percentiles are percentile_cont's over values kept at a resolution: the upload-to-decision time in tenths of a
  second and moderation waits in whole seconds (both rounded up); the amount histogram's width is chosen from the
  95th percentile of amounts at 3 significant digits, and its bins count exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cached_property
from math import floor, log10
from typing import Any

from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
)

from promo.models import Campaign, Submission
from promo.reasons import MESSAGES, by_a_person
from promo.repairs import REPAIRS
from reports.models import (
    DailyAmount,
    DailyDecisionTime,
    DailyMerchant,
    DailyOutcome,
    DailyParticipants,
    DailyPaymentSystem,
    DailyTraffic,
    DailyWait,
)
from reports.percentiles import counted_percentiles, percentile_aggregates, percentiles, uses_percentile_cont
from reports.rollups import TENTH_OF_A_SECOND_US, rollups_refresh

Status = Submission.Status
Channel = Submission.Channel

# The channels in the order the page shows them; "" is an upload stored before its channel was recorded.
CHANNELS = (Channel.PAGE, Channel.API, Channel.BATCH, "")
# Reasons the machine gives (a person's reasons are not automatic rejections).
AUTOMATIC_REASONS = tuple(code for code in MESSAGES if not by_a_person(code))
# A person's last words, in the order the page shows them.
FINAL_STATUSES = (Status.ACCEPTED, Status.REJECTED, Status.REVOKED)
WAIT_FRACTIONS = (0.5, 0.9, 0.99)
DECISION_FRACTIONS = (0.5, 0.95)
TOP_MERCHANTS = 20
# The amount histogram: about this many bins of a round width up to the 95th percentile, the rest in one bin.
AMOUNT_BINS = 10
# A report covers at most this many days (a year and a bit): the charts stay readable, the queries bounded.
MAX_PERIOD_DAYS = 400
CENT = Decimal("0.01")


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


def _of(model: type, period: Period) -> QuerySet:
    """The rollup's rows of the period's days."""
    return model.objects.filter(
        campaign=period.campaign, day__gte=period.date_from, day__lte=period.date_to
    ).order_by()


def traffic_by_day(period: Period) -> list[DayRow]:
    """Submissions, distinct participants, new participants and channels per day of the period (two queries).

    New: the participant's first submission in the campaign (whenever that was) falls on that day; returning:
    the other participants who sent something that day."""
    rows = {day: DayRow(day=day) for day in period.days}
    for group in _of(DailyTraffic, period).values("day", "channel").annotate(total=Sum("n")):
        row = rows.get(group["day"])
        if row is not None and group["channel"] in row.channels:
            row.channels[group["channel"]] += group["total"]
            row.submissions += group["total"]
    people = (
        _of(DailyParticipants, period)
        .values("day")
        .annotate(total=Sum("n"), new=Sum("n", filter=Q(previous_day__isnull=True)))
    )
    for group in people:
        row = rows.get(group["day"])
        if row is not None:
            row.participants, row.new_participants = group["total"], group["new"] or 0
    return list(rows.values())


def traffic_by_hour(period: Period) -> list[int]:
    """Submissions per hour of the day (0 to 23) in the campaign's time zone, over the whole period."""
    counts = [0] * 24
    for group in _of(DailyTraffic, period).values("hour").annotate(total=Sum("n")):
        counts[int(group["hour"])] = group["total"]
    return counts


def participants_in(period: Period) -> int:
    """Distinct participants who sent something in the period: each counted on their first day in it (the day
    they sent before it, if any, is before the period)."""
    first_in_period = Q(previous_day__isnull=True) | Q(previous_day__lt=period.date_from)
    return _of(DailyParticipants, period).filter(first_in_period).aggregate(total=Sum("n"))["total"] or 0


# --- Sections 2, 3, 4 and 6: outcomes, repairs, automation, upload-to-decision time ----------------------------


@dataclass
class Outcomes:
    total: int
    participants: int
    auto_accepted: int
    auto_rejected: int
    to_moderation: int
    undecided: int  # still being read (received or processing)
    overturned: int
    overturned_to_rejected: int  # the machine accepted, a person rejected or revoked
    overturned_to_accepted: int  # the machine rejected, a person accepted
    revoked: int
    waiting: int
    accepted: int  # the status now, whoever decided
    rejected: int
    # A person's last word (status: submissions) on what the machine sent to moderation, and on what it had
    # accepted or rejected itself (appeals, reopenings and revocations).
    people_on_moderation: dict[str, int]
    people_on_machine_decision: dict[str, int]
    moderation_waiting: int  # sent to moderation by the machine and waiting now (again, after a reopening)
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

    @property
    def moderators_accepted(self) -> int:
        return self.people_on_moderation[Status.ACCEPTED] + self.people_on_machine_decision[Status.ACCEPTED]

    @property
    def moderators_rejected(self) -> int:
        return self.people_on_moderation[Status.REJECTED] + self.people_on_machine_decision[Status.REJECTED]

    @property
    def people_decided(self) -> int:
        return sum(self.people_on_moderation.values()) + sum(self.people_on_machine_decision.values())

    @property
    def status_now(self) -> dict[str, int]:
        """Every submission by where it stands now: the five add up to the total."""
        return {
            Status.ACCEPTED: self.accepted,
            Status.REJECTED: self.rejected,
            Status.REVOKED: self.revoked,
            Status.MODERATION: self.waiting,
            Status.PROCESSING: self.undecided,
        }


def _tenths(value: int) -> timedelta:
    return timedelta(microseconds=int(value) * TENTH_OF_A_SECOND_US)


def _seconds(value: int) -> timedelta:
    return timedelta(seconds=int(value))


def outcomes(period: Period) -> Outcomes:
    """The outcome mix, the automatic rejections by reason, each repair's contribution and the upload-to-decision
    time, in three queries.

    The mix is counted by grouping on what decides it (status, the machine's word, whether a person decided,
    the reasons of a rejection and the repairs of an acceptance): a few hundred groups at most, which Python sums
    into every figure."""
    grouped = (
        _of(DailyOutcome, period)
        .values("status", "auto_outcome", "by_person", "reason_key", "repair_key")
        .annotate(n=Sum("n"))
    )
    counts = dict.fromkeys(
        ("total", "auto_accepted", "auto_rejected", "to_moderation", "undecided", "overturned_to_rejected",
         "overturned_to_accepted", "revoked", "waiting", "accepted", "rejected", "moderation_waiting"),
        0,
    )  # fmt: skip
    people_on_moderation = dict.fromkeys(FINAL_STATUSES, 0)
    people_on_machine_decision = dict.fromkeys(FINAL_STATUSES, 0)
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
        overturned = auto == Status.ACCEPTED and by_person and status in (Status.REJECTED, Status.REVOKED)
        counts["overturned_to_rejected"] += n if overturned else 0
        counts["overturned_to_accepted"] += (
            n if auto == Status.REJECTED and by_person and status == Status.ACCEPTED else 0
        )
        counts["revoked"] += n if status == Status.REVOKED else 0
        counts["waiting"] += n if status == Status.MODERATION else 0
        counts["accepted"] += n if status == Status.ACCEPTED else 0
        counts["rejected"] += n if status == Status.REJECTED else 0
        counts["moderation_waiting"] += n if auto == Status.MODERATION and status == Status.MODERATION else 0
        if by_person and status in FINAL_STATUSES:
            people = people_on_moderation if auto == Status.MODERATION else people_on_machine_decision
            people[status] += n
        for code in set((group["reason_key"] or "").split()):
            if code in AUTOMATIC_REASONS:
                reasons[code] = reasons.get(code, 0) + n
        for code in set((group["repair_key"] or "").split()):
            if code in relied:
                relied[code] += n
                relied_overturned[code] += n if overturned else 0
    decision_time = counted_percentiles(
        _of(DailyDecisionTime, period).annotate(value=F("tenths")).values("value").annotate(n=Sum("n")),
        DECISION_FRACTIONS,
        _tenths,
    )
    return Outcomes(
        participants=participants_in(period),
        overturned=counts["overturned_to_rejected"] + counts["overturned_to_accepted"],
        rejected_by_reason=dict(sorted(reasons.items(), key=lambda item: (-item[1], item[0]))),
        repairs={code: (relied[code], relied_overturned[code]) for code in REPAIRS},
        decision_time=decision_time.percentiles,
        people_on_moderation=people_on_moderation,
        people_on_machine_decision=people_on_machine_decision,
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
    """The campaign's moderation queue as it stands (whatever the period): how long each has waited so far.
    Read live: the queue is small, and (campaign, status, created_at) finds it."""
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
    """The decisions people made in the period (by the day they were made): how long each had waited, in whole
    seconds rounded up (so "past the target", a whole number of minutes, is exact)."""
    target = timedelta(minutes=period.campaign.moderation_target_minutes)
    counted = counted_percentiles(
        _of(DailyWait, period).annotate(value=F("seconds")).values("value").annotate(n=Sum("n")),
        WAIT_FRACTIONS,
        _seconds,
        above=int(target.total_seconds()),
    )
    return Waits(
        count=counted.count, past_target=counted.above, target=target, percentiles=counted.percentiles
    )


# --- Section 7: accepted slips --------------------------------------------------------------------------------


def payment_systems(period: Period) -> list[tuple[str, int]]:
    """Accepted slips per payment system read on them ("" where none was read), most first."""
    grouped = _of(DailyPaymentSystem, period).values("payment_system").annotate(total=Sum("n"))
    return sorted(((g["payment_system"], g["total"]) for g in grouped), key=lambda item: (-item[1], item[0]))


def top_merchants(period: Period, limit: int = TOP_MERCHANTS) -> list[tuple[str, int]]:
    """The merchants most accepted slips came from (a blank merchant name is left out)."""
    grouped = (
        _of(DailyMerchant, period)
        .values("merchant")
        .annotate(total=Sum("n"))
        .order_by("-total", "merchant")[:limit]
    )
    return [(g["merchant"], g["total"]) for g in grouped]


@dataclass
class Histogram:
    """Bins [low, high) of a round width; the last is open (`high` None) and holds everything above."""

    bins: list[tuple[Decimal, Decimal | None, int]]
    count: int


def _money(value: Any) -> Decimal:
    """A stored amount as a Decimal in cents (SQLite hands raw SQL's numbers back as floats)."""
    return Decimal(str(value)).quantize(CENT)


def amount_histogram(period: Period) -> Histogram:
    """Accepted slips by amount, in bins of a round width (1, 2, 2.5 or 5 times a power of ten) reaching the 95th
    percentile, so that a few huge amounts do not squash the rest into one bar (one query). Amounts are kept at
    3 significant digits, which every such width is a multiple of where it matters (reports.rollups), so each
    bin counts exactly; and there are few such amounts (at most 900 for each power of ten), so Python sums the
    period's counts of each into the bins."""
    counted = [
        (_money(amount), n)
        for amount, n in _of(DailyAmount, period)
        .values("amount")
        .annotate(total=Sum("n"))
        .order_by("amount")
        .values_list("amount", "total")
    ]
    count = sum(n for _amount, n in counted)
    if not count:
        return Histogram(bins=[], count=0)
    lowest, highest = counted[0][0], counted[-1][0]
    p95 = _percentile_of_counts(counted, count, 0.95)
    width = _round_width((p95 or highest) / AMOUNT_BINS)
    n_bins = max(1, min(AMOUNT_BINS + 1, int(highest // width) + 1))
    # Bins below the lowest amount are dropped: a campaign whose slips start at 500 starts its histogram there.
    first_bin = min(int(lowest // width), n_bins - 1)
    counts = [0] * n_bins
    for amount, n in counted:
        counts[min(int(amount // width), n_bins - 1)] += n
    bins = []
    for i in range(first_bin, n_bins):
        high = width * (i + 1) if i < n_bins - 1 else None
        bins.append((width * i, high, counts[i]))
    return Histogram(bins=bins, count=count)


def _percentile_of_counts(counted: list[tuple[Decimal, int]], count: int, fraction: float) -> Decimal:
    """percentile_cont over the amounts, from (amount, how many) in ascending order."""
    position = fraction * (count - 1)
    low = floor(position)
    values: list[Decimal] = []
    seen = 0
    for amount, n in counted:
        seen += n
        while len(values) < 2 and seen > low + len(values):
            values.append(amount)
        if len(values) == 2:
            break
    value = values[0]
    if position > low and len(values) == 2:
        value = value + (values[1] - value) * Decimal(str(position - low))
    return value


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
    number of queries whatever the campaign's size), a chart's CSV file only the one it needs.

    The campaign's rollups are refreshed once, before the first figure that reads them (the backlog is live)."""

    def __init__(self, *, period: Period, now: datetime) -> None:
        self.period = period
        self.now = now
        self._fresh = False

    def _refreshed(self) -> Period:
        if not self._fresh:
            rollups_refresh(campaign=self.period.campaign)
            self._fresh = True
        return self.period

    @cached_property
    def days(self) -> list[DayRow]:
        return traffic_by_day(self._refreshed())

    @cached_property
    def hours(self) -> list[int]:
        return traffic_by_hour(self._refreshed())

    @cached_property
    def outcomes(self) -> Outcomes:
        return outcomes(self._refreshed())

    @cached_property
    def backlog(self) -> Waits:
        return backlog_now(self.period.campaign, self.now)

    @cached_property
    def waits(self) -> Waits:
        return moderation_waits(self._refreshed())

    @cached_property
    def payment_systems(self) -> list[tuple[str, int]]:
        return payment_systems(self._refreshed())

    @cached_property
    def amounts(self) -> Histogram:
        return amount_histogram(self._refreshed())

    @cached_property
    def merchants(self) -> list[tuple[str, int]]:
        return top_merchants(self._refreshed())

    @property
    def new_participants(self) -> int:
        return sum(day.new_participants for day in self.days)

    @property
    def channels(self) -> dict[str, int]:
        return {value: sum(day.channels[value] for day in self.days) for value in CHANNELS}
