"""Demo traffic: a campaign filled with submissions as the real code would have written them, in bulk, so that the
marketing reports and the admin can be tried on figures that look like a campaign's (`seed_demo_traffic`).

Each row goes the way an upload goes: the participant sends it (creation), a worker claims it, the automatic
decision accepts, rejects or sends it to a person; a participant may then ask for a person to look at a
rejection, a moderator decides what waits for them (or it still waits), and now and then a senior moderator
revokes an acceptance. The columns the reports read (channel, auto_outcome and its time, reasons and their
codes, repairs, waiting and waited times, decided_at/decided_by) and the audit trail are written as
promo.transitions would write them along that path; the mix of outcomes and repairs is the seed case's
(docs/domain.md: 71% accepted automatically, 80% with the repairs, the rest half bad photos, half misread).

The rows are demo data and say so: every one has a reading by the engine "demo", and their participants'
contacts are `demo-<campaign>-<n>@example.invalid`, so `demo_traffic_clear` removes them and nothing else. No
photo files exist: the admin shows such a submission as a photo erased.

Written with bulk_create in batches, one transaction per batch, no saves and no signals (promo.signals'
receivers are for live moves, not history). The same seed gives the same rows.
"""

from __future__ import annotations

import bisect
import json
import math
import random
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.duration import duration_microseconds

from moderation.models import FieldCorrection, Redaction, ReviewClaim
from promo.appeals import NOT_APPEALABLE
from promo.documents import CARD_RECEIPT, RECEIPT, SLIP, normalize_documents
from promo.jobs import MAX_ATTEMPTS
from promo.models import Campaign, Erasure, Participant, Recognition, StatusTransition, Submission
from promo.reasons import reason
from promo.repairs import AMOUNT_DIGIT, CARD_TAIL, DATE_MASK, PAYMENT_SYSTEM_FUZZY, repairs_column
from promo.transitions import codes_column
from reports.rollups import rollups_mark_stale

Status = Submission.Status

DEMO_ENGINE = "demo"  # the reading's engine: what marks a submission as demo data
CONTACT_DOMAIN = "example.invalid"  # a domain that can never receive mail (RFC 2606)
# The moderators the demo decisions are signed by, with their shares of the work; the first also revokes.
MODERATORS = (("demo-moderator", 0.5), ("demo-moderator-2", 0.3), ("demo-moderator-3", 0.2))
DEFAULT_BATCH = 5_000

# --- the mix (shares of all uploads, or of the outcome named) --------------------------------------------------

# The machine's first word: ~78% decided automatically (accepted or rejected), the rest to people.
AUTO_ACCEPTED, AUTO_REJECTED = 0.655, 0.125
# Repairs the automatic acceptances relied on, as shares of ALL uploads (the seed case's +2%, +3%, +1%, +3%).
REPAIR_SHARES = {DATE_MASK: 0.02, AMOUNT_DIGIT: 0.03, CARD_TAIL: 0.01, PAYMENT_SYSTEM_FUZZY: 0.03}
# Why the machine rejected (campaign-dependent codes are dropped where the campaign cannot produce them).
REJECTIONS = {
    "duplicate_photo": 0.17,
    "duplicate_slip": 0.07,
    "amount_mismatch": 0.17,
    "not_a_slip": 0.14,
    "receipt_not_slip": 0.09,
    "photo_unreadable": 0.10,
    "date_before_start": 0.07,
    "card_mismatch": 0.06,
    "payment_system_not_allowed": 0.06,
    "below_min_amount": 0.04,
    "refund": 0.01,
}
# Why the machine asked a person (low_confidence carries the field it doubted).
MODERATIONS = {
    "low_confidence": 0.42,
    "amount_unread": 0.10,
    "date_unread": 0.10,
    "card_unread": 0.09,
    "possible_duplicate_photo": 0.07,
    "payment_system_unread": 0.05,
    "date_in_future": 0.04,
    "recognition_failed": 0.04,
}
LOW_CONFIDENCE_FIELDS = {"amount": 0.4, "date": 0.25, "card_last4": 0.25, "payment_system": 0.1}
# A person's look: how often a moderator accepts what the machine sent them, by its reason.
MODERATOR_ACCEPTS = {
    "low_confidence": 0.82,
    "amount_unread": 0.7,
    "date_unread": 0.7,
    "card_unread": 0.7,
    "payment_system_unread": 0.75,
    "possible_duplicate_photo": 0.35,
    "date_in_future": 0.85,
    "recognition_failed": 0.55,
}
# Appeals: how often a participant asks a person about an (appealable) automatic rejection, and how often the
# person then accepts. Rejections a person cannot turn (promo.acceptance's guards) are never accepted.
APPEAL_RATE = 0.18
APPEAL_ACCEPTS = {
    "amount_mismatch": 0.35,
    "card_mismatch": 0.3,
    "not_a_slip": 0.25,
    "receipt_not_slip": 0.1,
    "photo_unreadable": 0.3,
}
REVOCATION_RATE = 0.002  # of automatic acceptances: fraud found later
STUCK_RATE = 0.3  # of what entered moderation in the last STUCK_HOURS: still waiting (the backlog)
STUCK_HOURS = 72
CHANNELS = ((Submission.Channel.PAGE, 0.85), (Submission.Channel.API, 0.13), (Submission.Channel.BATCH, 0.02))
# Card payments in Russia by scheme, roughly.
PAYMENT_SHARES = {
    "MIR": 0.45,
    "VISA": 0.27,
    "MASTERCARD": 0.24,
    "UNIONPAY": 0.025,
    "MAESTRO": 0.008,
    "JCB": 0.004,
    "AMEX": 0.003,
}
# Shops as slips print them, the most visited first (drawn with Zipf-like weights).
MERCHANTS = (
    "ПЯТЁРОЧКА", "МАГНИТ", "ПЕРЕКРЁСТОК", "ВКУСВИЛЛ", "ЛЕНТА", "ДИКСИ", "АШАН", "FIX PRICE", "ВЕРНЫЙ",
    "КРАСНОЕ&БЕЛОЕ", "МАГНИТ КОСМЕТИК", "СВЕТОФОР", "МЕТРО", "О'КЕЙ", "ГЛОБУС", "SPAR", "МОНЕТКА", "БРИСТОЛЬ",
    "ВКУСНО - И ТОЧКА", "ЯРЧЕ", "М.ВИДЕО", "DNS", "ЭЛЬДОРАДО", "СИТИЛИНК", "СПОРТМАСТЕР", "ДЕТСКИЙ МИР",
    "ЛЕМАНА ПРО", "ПЕТРОВИЧ", "OBI", "HOFF", "ЛЕТУАЛЬ", "ЗОЛОТОЕ ЯБЛОКО", "РИВ ГОШ", "ПОДРУЖКА",
    "УЛЫБКА РАДУГИ", "ГОРЗДРАВ", "РИГЛА", "АПТЕКА 36,6", "СТОЛИЧКИ", "ЧИТАЙ-ГОРОД", "БУКВОЕД", "АЗБУКА ВКУСА",
    "ШОКОЛАДНИЦА", "КОФЕ ХАУЗ", "ТЕРЕМОК", "ДОДО ПИЦЦА", "БУРГЕР КИНГ", "ROSTIC'S", "БУШЕ", "GLORIA JEANS",
    "OSTIN", "BEFREE", "LOVE REPUBLIC", "ФАМИЛИЯ", "ГАЛАМАРТ", "СТРОЙЛАНДИЯ", "ТВОЙ ДОМ", "ЕВРОСПАР",
    "МАРИЯ-РА", "КОМАНДОР", "МАГНОЛИЯ",
)  # fmt: skip
# Uploads by local hour: the night is quiet, the evening after work is busy.
HOURLY = (0.6, 0.35, 0.2, 0.12, 0.1, 0.12, 0.25, 0.5, 0.8, 1.0, 1.1, 1.2,
          1.4, 1.3, 1.2, 1.2, 1.3, 1.5, 1.9, 2.3, 2.5, 2.3, 1.7, 1.1)  # fmt: skip
WEEKDAYS = (1.0, 1.0, 1.0, 1.0, 1.1, 1.2, 1.1)  # Monday first
MODERATORS_WORK = (8, 23)  # local hours the moderators (a contact centre) work, every day

# The checks in promo.checks.CHECKS order, the gates among them, and the check each reason code comes from.
CHECK_ORDER = ("full_card_number", "same_photo", "photo_legible", "document_kind", "refund", "amount",
               "card_last4", "date", "min_amount", "payment_system", "same_slip", "participant_limits")  # fmt: skip
GATES = frozenset({"same_photo", "photo_legible", "document_kind", "refund"})
CHECK_OF = {
    "duplicate_photo": "same_photo",
    "possible_duplicate_photo": "same_photo",
    "photo_unreadable": "photo_legible",
    "not_a_slip": "document_kind",
    "receipt_not_slip": "document_kind",
    "refund": "refund",
    "amount_mismatch": "amount",
    "amount_unread": "amount",
    "card_mismatch": "card_last4",
    "card_unread": "card_last4",
    "date_before_start": "date",
    "date_unread": "date",
    "date_in_future": "date",
    "below_min_amount": "min_amount",
    "payment_system_not_allowed": "payment_system",
    "payment_system_unread": "payment_system",
    "duplicate_slip": "same_slip",
    "limit_per_day": "participant_limits",
    "limit_per_campaign": "participant_limits",
}
# What a moderator rejects with, by the field or check the machine doubted.
MODERATOR_REJECTS = {
    "amount": "moderator_amount_differs",
    "card_last4": "moderator_card_differs",
    "date": "moderator_outside_period",
    "document_kind": "moderator_not_a_document",
    "same_photo": "moderator_duplicate",
}
# A moderator's words where no usual reason fits (the participant reads them), by the machine's reason.
WRITTEN_NOTES = {
    "payment_system_not_allowed": "The slip was paid with a card this campaign does not accept.",
    "payment_system_unread": "The payment system is not on the photo: photograph the whole slip.",
    "below_min_amount": "The amount is below the campaign's minimum.",
    "refund": "This is a refund, not a purchase.",
}
REVOCATION_NOTES = (
    "The store's registry has no payment with this slip's RRN.",
    "The same slip was found in another participant's uploads with a different card.",
    "The photo was edited: the amount was retouched.",
)
FAILURE = "error: the demo engine could not read this photo"
# The fields a moderator types in from the photo before accepting, when they were misread or unread (a person's
# acceptance writes the typed amount and card itself: promo.acceptance.confirmed_values).
CORRECTED = ("date", "payment_system")
COPIES = ("duplicate_photo", "duplicate_slip", "possible_duplicate_photo")
UNREAD = {
    "amount_unread": "amount",
    "date_unread": "date",
    "card_unread": "card_last4",
    "payment_system_unread": "payment_system",
}
# Reasons from a check that was unsure (the rest failed): promo.checks.
UNSURE_CODES = frozenset({*UNREAD, "low_confidence", "possible_duplicate_photo"})
REPAIRS_IN_ORDER = (DATE_MASK, AMOUNT_DIGIT, CARD_TAIL, PAYMENT_SYSTEM_FUZZY)  # promo.repairs.REPAIRS' order
ALL_PASSED = [{"check": name, "outcome": "pass"} for name in CHECK_ORDER]
REPAIRED_FIELD = {DATE_MASK: "date", CARD_TAIL: "card_last4", PAYMENT_SYSTEM_FUZZY: "payment_system"}


class DemoTrafficError(ValueError):
    """The campaign cannot take demo traffic as asked (it has not started, say)."""


@dataclass
class SeedReport:
    rows: int = 0
    participants: int = 0
    transitions: int = 0
    seconds: float = 0.0
    statuses: Counter = field(default_factory=Counter)
    auto_outcomes: Counter = field(default_factory=Counter)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def demo_contact(campaign: Campaign, number: int) -> str:
    return f"demo-{campaign.slug.lower()}-{number}@{CONTACT_DOMAIN}"


def demo_submissions(campaign: Campaign):
    """The campaign's demo submissions: those read by the demo engine (kept through retention's scrubbing)."""
    return Submission.objects.filter(campaign=campaign, recognition__engine=DEMO_ENGINE)


def demo_participants(campaign: Campaign):
    return Participant.objects.filter(
        contact__startswith=f"demo-{campaign.slug.lower()}-", contact__endswith=f"@{CONTACT_DOMAIN}"
    )


def demo_traffic_clear(*, campaign: Campaign, batch: int = DEFAULT_BATCH) -> int:
    """Deletes the campaign's demo submissions with their readings, audit lines, claims and corrections, and the
    demo participants left without submissions; real rows are never touched. Returns the submissions deleted.

    By id, in batches, each model's rows with one DELETE: QuerySet.delete() would load every submission to
    honour `duplicate_of`'s SET_NULL (minutes for a million), so the links are cleared first.
    """
    # The ids once (a million fit in memory): asking again per batch would join over the campaign each time.
    ids = list(demo_submissions(campaign).values_list("pk", flat=True))
    deleted = 0
    for first in range(0, len(ids), batch):
        chunk = ids[first : first + batch]
        with transaction.atomic():
            # A real submission found to be a copy of a demo one keeps its row; the link goes (SET_NULL).
            Submission.objects.filter(duplicate_of_id__in=chunk).update(duplicate_of=None)
            for model in (Recognition, StatusTransition, FieldCorrection, Redaction, ReviewClaim):
                model.objects.filter(submission_id__in=chunk)._raw_delete(model.objects.db)
            deleted += Submission.objects.filter(pk__in=chunk)._raw_delete(Submission.objects.db)
    if deleted:  # rows gone leave no updated_at behind: the report's rollups are rebuilt when next read
        rollups_mark_stale(campaign_id=campaign.pk)
    orphans = list(demo_participants(campaign).filter(submissions__isnull=True).values_list("pk", flat=True))
    for first in range(0, len(orphans), batch):
        chunk = orphans[first : first + batch]
        with transaction.atomic():
            Erasure.objects.filter(participant_id__in=chunk).update(participant=None)
            Participant.objects.filter(pk__in=chunk)._raw_delete(Participant.objects.db)
    return deleted


def demo_moderators() -> list[Any]:
    """The demo moderators, created on first use (staff, no usable password: nobody logs in as them)."""
    user_model = get_user_model()
    users = []
    for username, _share in MODERATORS:
        user, created = user_model.objects.get_or_create(username=username, defaults={"is_staff": True})
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        users.append(user)
    return users


@contextmanager
def _first_seen_as_given() -> Iterator[None]:
    """bulk_create would stamp Participant.created_at (auto_now_add) with the present; a demo participant was
    first seen at their first upload. Switched back however the block ends (a command's process, or a test's)."""
    first_seen = Participant._meta.get_field("created_at")
    first_seen.auto_now_add = False
    try:
        yield
    finally:
        first_seen.auto_now_add = True


def demo_traffic_seed(
    *,
    campaign: Campaign,
    n: int,
    seed: int = 1,
    days: int | None = None,
    batch: int = DEFAULT_BATCH,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> SeedReport:
    """Adds `n` demo submissions to the campaign, spread over its period up to now (or its last `days`).

    Deterministic for a seed, a campaign, the demo rows it already holds and `now` (which bounds the period
    when the campaign is running). DemoTrafficError when there is no past period to spread them over.
    """
    started = time.perf_counter()
    now = now or timezone.now()
    existing = demo_submissions(campaign).count()
    generator = _Generator(campaign=campaign, n=n, seed=seed, days=days, now=now, existing=existing)
    report = SeedReport()
    with _first_seen_as_given():
        for chunk in generator.batches(batch):
            with transaction.atomic():
                Participant.objects.bulk_create(chunk.participants)
                for submission, person in chunk.waiting_for_participant:
                    person.pk = person.participant.pk
                    submission["participant_id"] = person.pk
                _write(Submission, chunk.submissions)
                _write(Recognition, chunk.recognitions)
                _write(StatusTransition, chunk.transitions)
                _write(FieldCorrection, chunk.corrections)
            report.rows += len(chunk.submissions)
            report.participants += len(chunk.participants)
            report.transitions += len(chunk.transitions)
            report.statuses.update(s["status"] for s in chunk.submissions)
            report.auto_outcomes.update(s["auto_outcome"] for s in chunk.submissions)
            if progress:
                progress(len(chunk.submissions))
    if report.rows:  # rows stamped with times of the past, which the report's watermark does not see
        rollups_mark_stale(campaign_id=campaign.pk)
    if connection.vendor == "postgresql" and report.rows:
        # What autovacuum would do some minutes later: statistics for the planner, so the reports' and the
        # admin's queries over the new rows are planned for their number (unanalysed, it guesses hundreds).
        with connection.cursor() as cursor:
            for model in (Participant, Submission, Recognition, StatusTransition, FieldCorrection):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    report.seconds = time.perf_counter() - started
    return report


# --- the generator ------------------------------------------------------------------------------------------------


@dataclass
class _Batch:
    """One transaction's rows: participants as model instances (their ids come back from the insert), the rest
    as column values by attname (see `_write`)."""

    participants: list[Participant] = field(default_factory=list)
    submissions: list[dict[str, Any]] = field(default_factory=list)
    recognitions: list[dict[str, Any]] = field(default_factory=list)
    transitions: list[dict[str, Any]] = field(default_factory=list)
    corrections: list[dict[str, Any]] = field(default_factory=list)
    waiting_for_participant: list[tuple[dict[str, Any], _Person]] = field(default_factory=list)


@dataclass
class _Person:
    participant: Participant | None  # unsaved until its batch is written; then only `pk` is needed
    pk: int | None
    cards: list[str]
    accepted: int = 0
    accepted_on: Counter = field(default_factory=Counter)
    last_slip: _Slip | None = None


@dataclass(frozen=True)
class _Slip:
    """An accepted slip, for the copies of it uploaded later."""

    pk: uuid.UUID
    typed_amount: Decimal
    card: str
    values: dict[str, Any]


@dataclass
class _Row:
    """One upload as it is being made up: the machine's verdict, what was typed and what was read."""

    code: str
    outcome: str
    created_at: datetime
    auto_at: datetime
    card: str
    original: _Slip | None
    amount: Decimal = Decimal("0")
    printed: dict[str, Any] = field(default_factory=dict)  # what the slip says, whatever was read
    values: dict[str, Any] = field(default_factory=dict)
    kind: str = SLIP
    kind_confidence: float = 0.9
    confidences: dict[str, float] = field(default_factory=dict)
    rules: dict[str, list[str]] = field(default_factory=dict)
    candidates: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    repairs: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    evidence: dict[str, Any] = field(default_factory=dict)
    quality: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class _Move:
    """A line of the audit trail (StatusTransition)."""

    source: str
    target: str
    actor: str
    user: Any
    note: str
    at: datetime


Choices = tuple[list[Any], list[float]]


def _choices(weights: dict[Any, float] | list[tuple[Any, float]]) -> Choices:
    pairs = list(weights.items()) if isinstance(weights, dict) else list(weights)
    return [name for name, _ in pairs], list(_cumulative(weight for _, weight in pairs))


class _Generator:
    def __init__(
        self, *, campaign: Campaign, n: int, seed: int, days: int | None, now: datetime, existing: int
    ):
        self.campaign = campaign
        self.n = n
        self.now = now
        self.tz = campaign.tz
        # The campaign and the rows already there are in the seed: two campaigns, or a second run, never draw
        # the same ids or photo hashes.
        self.rng = random.Random(f"{seed}:{campaign.slug}:{existing}")
        self.end = min(now - timedelta(minutes=30), campaign.ends_at)
        self.start = campaign.starts_at
        if days is not None:
            self.start = max(self.start, self.end - timedelta(days=days))
        if self.end <= self.start:
            raise DemoTrafficError(
                f"campaign {campaign.slug} has no past to fill: it runs {campaign.starts_on} to "
                f"{campaign.ends_on}, and it is {now:%Y-%m-%d %H:%M} UTC"
            )
        self.templates = {model: _template(model) for model in (Submission, Recognition, StatusTransition, FieldCorrection)}  # fmt: skip
        self.documents = normalize_documents(campaign.documents)
        self.allowed_systems = list(campaign.payment_systems)
        self.moderators = demo_moderators()
        self.moderator_choices = _choices(
            list(zip(self.moderators, (share for _, share in MODERATORS), strict=True))
        )
        self.people: dict[int, _Person] = {}
        self.known_contacts = dict(demo_participants(campaign).values_list("contact", "pk"))
        self.recent: deque[_Slip] = deque(maxlen=2_000)  # accepted slips that later uploads copy
        self.rejections = self._mix(REJECTIONS)
        self.moderations = self._mix(MODERATIONS)
        self.repair_rates = {code: share / AUTO_ACCEPTED for code, share in REPAIR_SHARES.items()}
        self.doubted_fields = _choices(
            {name: share for name, share in LOW_CONFIDENCE_FIELDS.items() if self.allowed_systems or name != "payment_system"}
        )  # fmt: skip
        self.channels = _choices([(str(channel), share) for channel, share in CHANNELS])
        self.merchants = _choices([(name, 1 / (rank + 1) ** 1.1) for rank, name in enumerate(MERCHANTS)])
        self.systems = _choices(
            {system: share for system, share in PAYMENT_SHARES.items() if system in (self.allowed_systems or PAYMENT_SHARES)}
        )  # fmt: skip
        self.other_systems = [s for s in PAYMENT_SHARES if s not in self.allowed_systems]
        # Participants: each a heavy-tailed (Pareto) appetite; most upload once or twice, a few dozens of times.
        people = max(1, round(n / 2.6))
        self.person_weights = list(_cumulative(self.rng.paretovariate(1.8) for _ in range(people)))

    def _mix(self, weights: dict[str, float]) -> Choices:
        """The codes this campaign can produce, with their cumulative weights."""
        campaign = self.campaign
        impossible = set()
        if not campaign.payment_systems:
            impossible |= {"payment_system_not_allowed", "payment_system_unread"}
        if not campaign.min_amount:
            impossible.add("below_min_amount")
        if set(self.documents) & {RECEIPT, CARD_RECEIPT}:
            impossible.add("receipt_not_slip")
        return _choices({code: weight for code, weight in weights.items() if code not in impossible})

    # -- when --------------------------------------------------------------------------------------------------

    def upload_times(self) -> list[datetime]:
        """n upload times over the window, sorted: a launch spike, a last-week rush, weekends and evenings."""
        rng, tz = self.rng, self.tz
        hour = timedelta(hours=1)
        slots, weights = [], []
        length = self.campaign.ends_on - self.campaign.starts_on
        day_noise: dict[date, float] = {}
        at = self.start
        while at < self.end:
            local = at.astimezone(tz)
            day = local.date()
            if day not in day_noise:
                day_noise[day] = rng.lognormvariate(0, 0.12)
            d = (day - self.campaign.starts_on).days
            daily = 1 + 3.0 * math.exp(-d / 3) + 0.8 * math.exp(-max(0, (length.days - d)) / 4)
            covered = (min(at + hour, self.end) - at) / hour
            slots.append(at)
            weights.append(daily * WEEKDAYS[day.weekday()] * day_noise[day] * HOURLY[local.hour] * covered)
            at += hour
        cumulative = list(_cumulative(weights))
        picked = rng.choices(range(len(slots)), cum_weights=cumulative, k=self.n)
        times = []
        for index in picked:
            slot_end = min(slots[index] + hour, self.end)
            times.append(slots[index] + (slot_end - slots[index]) * rng.random())
        times.sort()
        return times

    def moderator_wait(self, since: datetime) -> timedelta:
        """Minutes in the day, hours when it came in at night (the moderators start at 8), and now and then."""
        rng = self.rng
        local = since.astimezone(self.tz)
        first, last = MODERATORS_WORK
        start = local
        if local.hour >= last:
            start = datetime.combine(local.date() + timedelta(days=1), dtime(first), tzinfo=self.tz)
        elif local.hour < first:
            start = datetime.combine(local.date(), dtime(first), tzinfo=self.tz)
        wait = (start - local) + timedelta(minutes=rng.lognormvariate(math.log(25), 0.9))
        if rng.random() < 0.03:
            wait += timedelta(hours=rng.lognormvariate(math.log(3), 0.8))
        return wait

    # -- who and what ------------------------------------------------------------------------------------------

    def person(self, batch: _Batch, created_at: datetime) -> _Person:
        """Who uploads: a returning participant, or a new one (first seen now)."""
        rng = self.rng
        number = bisect.bisect_left(self.person_weights, rng.random() * self.person_weights[-1])
        person = self.people.get(number)
        if person is None:
            contact = demo_contact(self.campaign, number)
            pk = self.known_contacts.get(contact)
            participant = None
            if pk is None:
                participant = Participant(
                    contact=contact, contact_kind=Participant.ContactKind.EMAIL, created_at=created_at
                )
                batch.participants.append(participant)
            person = _Person(participant=participant, pk=pk, cards=[f"{rng.randrange(10_000):04d}"])
            self.people[number] = person
        return person

    def card_of(self, person: _Person) -> str:
        if self.rng.random() < 0.12:
            if len(person.cards) == 1:
                person.cards.append(f"{self.rng.randrange(10_000):04d}")
            return person.cards[1]
        return person.cards[0]

    def amount(self) -> Decimal:
        """Roubles, log-normal around 1,500; mostly whole or half roubles, as prices are."""
        rng = self.rng
        value = min(250_000.0, max(20.0, rng.lognormvariate(math.log(1500), 0.85)))
        ending = rng.random()
        if ending < 0.6:
            return Decimal(round(value)).quantize(Decimal("0.01"))
        if ending < 0.75:
            return Decimal(math.floor(value)) + Decimal("0.50")
        return Decimal(f"{value:.2f}")

    def amount_at_least(self, minimum: Decimal) -> Decimal:
        amount = self.amount()
        while amount < minimum:
            amount = minimum + self.amount() / 4
            amount = amount.quantize(Decimal("1.00"))
        return amount

    def pick(self, choices: Choices) -> Any:
        names, cumulative = choices
        return names[bisect.bisect_left(cumulative, self.rng.random() * cumulative[-1])]

    def slip_values(self, created_at: datetime, amount: Decimal, card: str) -> dict[str, Any]:
        """What a slip bought shortly before its upload says (in the campaign's period, its time zone)."""
        rng = self.rng
        lag = timedelta(minutes=rng.lognormvariate(math.log(25), 1.2))
        if rng.random() > 0.65:
            lag += timedelta(days=min(10, 1 + int(rng.expovariate(0.6))))
        printed = max(created_at - lag, self.campaign.starts_at).astimezone(self.tz)
        return {
            "amount": amount,
            "date": printed.date(),
            "time": printed.time().replace(second=0, microsecond=0),
            "card_last4": card,
            "payment_system": self.pick(self.systems),
            "merchant": self.pick(self.merchants),
            "rrn": f"{rng.randrange(10**12):012d}",
            "auth_code": f"{rng.randrange(10**6):06d}",
            "terminal_id": f"{rng.randrange(10**8):08d}",
        }

    # -- the rows ----------------------------------------------------------------------------------------------

    def batches(self, size: int) -> Iterator[_Batch]:
        times = self.upload_times()
        for first in range(0, len(times), size):
            batch = _Batch()
            for created_at in times[first : first + size]:
                self.row(batch, created_at)
            yield batch

    def row(self, batch: _Batch, created_at: datetime) -> None:
        """One upload, from its creation to where it stands now; appended to the batch with its reading, its
        audit trail and any correction."""
        rng = self.rng
        person = self.person(batch, created_at)
        card = self.card_of(person)
        local_day = created_at.astimezone(self.tz).date()
        latency = timedelta(seconds=min(1200.0, rng.lognormvariate(math.log(6), 0.55)))
        if rng.random() < 0.04:  # a queue of uploads ahead of it: a minute or several
            latency += timedelta(seconds=min(1200.0, rng.lognormvariate(math.log(90), 0.8)))
        auto_at = created_at + latency

        outcome, code, original = self.automatic_outcome(person, local_day)
        row = _Row(
            code=code, outcome=outcome, created_at=created_at, auto_at=auto_at, card=card, original=original
        )
        self.read(row)
        automatic = [reason(code, **row.details)]
        trail = [
            _Move("", Status.RECEIVED, "participant", None, "", created_at),
            _Move(Status.RECEIVED, Status.PROCESSING, "worker", None, f"attempt 1 of {MAX_ATTEMPTS}",
                  created_at + latency * rng.uniform(0.05, 0.3)),
        ]  # fmt: skip
        if code == "recognition_failed":
            trail.append(_Move(Status.PROCESSING, outcome, "worker", None, f"could not be read automatically: {FAILURE}", auto_at))  # fmt: skip
        else:
            trail.append(_Move(Status.PROCESSING, outcome, "system", None, code, auto_at))
        submission = {
            **self.templates[Submission],
            "id": uuid.UUID(int=rng.getrandbits(128), version=4),
            "campaign_id": self.campaign.pk,
            "participant_id": person.pk,
            "photo_sha256": f"{rng.getrandbits(256):064x}",
            "original_format": "JPEG",
            "typed_amount": row.amount,
            "typed_card_last4": row.card,
            "channel": self.pick(self.channels),
            "consent_version": self.campaign.rules_version,
            "consent_at": created_at,
            "created_at": created_at,
            "enqueued_at": created_at + timedelta(milliseconds=rng.randint(20, 200)),
            "processing_started_at": trail[1].at,
            "attempts": 1,
            "checks": self.checks(row),
            "repairs": repairs_column(row.repairs),
            "duplicate_of_id": original.pk if original else None,
            "last_error": FAILURE if code == "recognition_failed" else "",
            "status": outcome,
            "auto_outcome": outcome,
            "auto_decided_at": auto_at,
            "decided_at": auto_at,
        }
        if person.pk is None:  # a new participant: its id is known once its batch is written, before this row
            batch.waiting_for_participant.append((submission, person))
        reasons = automatic
        waiting_since = auto_at if outcome == Status.MODERATION else None
        if outcome == Status.REJECTED and code not in NOT_APPEALABLE and rng.random() < APPEAL_RATE:
            appealed_at = auto_at + timedelta(hours=rng.lognormvariate(math.log(5), 1.0))
            if appealed_at < self.now:
                submission["appealed_at"] = waiting_since = appealed_at
                submission["status"], submission["decided_at"] = Status.MODERATION, appealed_at
                reasons = [reason("appealed"), *automatic]
                trail.append(
                    _Move(Status.REJECTED, Status.MODERATION, "participant", None, "appeal", appealed_at)
                )
        if waiting_since is not None:
            reasons = self.person_decides(
                batch, submission, row, person, local_day, reasons, waiting_since, trail
            )
        if submission["status"] == Status.ACCEPTED:
            self.count_acceptance(person, row, submission["id"], local_day)
            if submission["decided_by_id"] is None and rng.random() < REVOCATION_RATE:
                reasons = self.maybe_revoke(submission, person, reasons, trail)
        submission["reasons"] = reasons
        submission["reason_codes"] = codes_column(reasons)
        submission["updated_at"] = trail[-1].at
        batch.submissions.append(submission)
        batch.recognitions.append(self.recognition(submission["id"], row, latency))
        template = self.templates[StatusTransition]
        batch.transitions.extend(
            {**template, "submission_id": submission["id"], "from_status": move.source, "to_status": move.target,
             "actor": move.actor, "user_id": move.user.pk if move.user else None, "note": move.note,
             "overridden": [], "created_at": move.at}
            for move in trail
        )  # fmt: skip

    def automatic_outcome(self, person: _Person, day: date) -> tuple[str, str, _Slip | None]:
        """What the machine said and why; a copy names the accepted slip it copies."""
        rng = self.rng
        draw = rng.random()
        if draw < AUTO_ACCEPTED:
            outcome, code = Status.ACCEPTED, "slip_matches"
        elif draw < AUTO_ACCEPTED + AUTO_REJECTED:
            outcome, code = Status.REJECTED, self.pick(self.rejections)
        else:
            outcome, code = Status.MODERATION, self.pick(self.moderations)
        original = None
        if code in COPIES:
            own = person.last_slip if rng.random() < 0.6 else None
            original = own or (rng.choice(self.recent) if self.recent else None)
            if original is None:  # nothing to be a copy of yet
                outcome, code = Status.ACCEPTED, "slip_matches"
        if outcome == Status.ACCEPTED and self.over_limit(person, day):
            outcome = Status.REJECTED
            code = "limit_per_campaign" if self.at_campaign_limit(person) else "limit_per_day"
        return outcome, code, original

    def read(self, row: _Row) -> None:
        """What the participant typed and what the demo engine read, given the machine's verdict: the values,
        confidences, repairs, the reason's details and the evidence of the check that decided."""
        rng, campaign, code = self.rng, self.campaign, row.code
        row.amount = (
            self.amount_below() if code == "below_min_amount" else self.amount_at_least(campaign.min_amount)
        )
        original = row.original
        if original is not None and code != "possible_duplicate_photo":
            row.amount, row.card, row.values = original.typed_amount, original.card, dict(original.values)
        else:
            row.values = self.slip_values(row.created_at, row.amount, row.card)
        row.printed = {name: row.values[name] for name in CORRECTED}
        row.kind = SLIP if SLIP in self.documents else "receipt"
        row.kind_confidence = round(rng.uniform(0.8, 0.95), 2)
        row.confidences = {name: round(rng.uniform(0.86, 0.99), 2) for name in LOW_CONFIDENCE_FIELDS}
        row.confidences |= {
            "merchant": round(rng.uniform(0.6, 0.95), 2),
            "time": round(rng.uniform(0.8, 0.97), 2),
        }
        values, period = row.values, {"starts": campaign.starts_on, "ends": campaign.ends_on}
        if row.outcome == Status.ACCEPTED:
            self.repair(row)
        elif code == "amount_mismatch":
            values["amount"] = _misread_amount(row.amount, rng)
            row.confidences["amount"] = 0.99
            row.details = {"read": f"{values['amount']:.2f}", "typed": row.amount}
        elif code == "card_mismatch":
            values["card_last4"] = f"{(int(row.card) + rng.randrange(1, 10_000)) % 10_000:04d}"
            row.confidences["card_last4"] = 0.99
            row.details = {"read": values["card_last4"], "typed": row.card}
        elif code == "date_before_start":
            values["date"] = campaign.starts_on - timedelta(days=rng.randint(1, 40))
            row.confidences["date"] = 0.99
            row.details = {"date": values["date"].isoformat(), **period}
        elif code == "date_in_future":  # the year misread one up: a person corrects it
            values["date"] = values["date"].replace(year=values["date"].year + 1)
            row.confidences["date"] = 0.99
            row.details = {"date": values["date"].isoformat(), **period}
        elif code == "payment_system_not_allowed":
            values["payment_system"] = rng.choice(self.other_systems)
            row.details = {"system": values["payment_system"], "allowed": ", ".join(self.allowed_systems)}
        elif code == "below_min_amount":
            row.details = {"amount": row.amount, "minimum": campaign.min_amount}
        elif code == "not_a_slip":
            row.details = {"documents": ",".join(self.documents)}
            row.kind, row.kind_confidence, row.values = "other", round(rng.uniform(0.6, 0.9), 2), {}
        elif code == "receipt_not_slip":
            row.details = {"documents": ",".join(self.documents)}
            row.kind, row.kind_confidence = "receipt", round(rng.uniform(0.6, 0.8), 2)
            row.values = {name: values[name] for name in ("amount", "date", "time", "merchant")}
        elif code == "photo_unreadable":
            row.kind_confidence, row.values = round(rng.uniform(0.3, 0.55), 2), {}
            row.quality = {"too_blurred": True, "too_dark": rng.random() < 0.3}
        elif code == "refund":
            row.evidence = {"printed": "ВОЗВРАТ ПРИХОДА"}
        elif code in COPIES:
            row.evidence = {"other": str(original.pk), "how": "slip" if code == "duplicate_slip" else "photo"}
        elif code == "limit_per_campaign":
            row.details = {"limit": campaign.max_accepted_per_campaign}
        elif code == "limit_per_day":
            row.details = {"limit": campaign.max_accepted_per_day}
        elif code == "low_confidence":
            doubted = self.pick(self.doubted_fields)
            row.confidences[doubted] = round(rng.uniform(0.3, 0.59), 2)
            row.details = {"field": doubted}
        elif code in UNREAD:
            values.pop(UNREAD[code], None)
        elif code == "recognition_failed":
            row.values, row.kind, row.kind_confidence = {}, "", 0.0
            row.details = {"attempts": 1, "failure": "error", "error": FAILURE}

    def repair(self, row: _Row) -> None:
        """The repairs an automatic acceptance relied on: rules on the fields, or the amount's confused digit."""
        rng = self.rng
        row.repairs = [code for code in REPAIRS_IN_ORDER if rng.random() < self.repair_rates[code]]
        for code in row.repairs:
            if code in REPAIRED_FIELD:
                row.rules[REPAIRED_FIELD[code]] = [code]
        if AMOUNT_DIGIT in row.repairs:
            row.amount, read, position = _confusable(row.amount, rng)
            row.values["amount"] = read  # the reading keeps the engine's digit; the check forgave it
            confidence = row.confidences["amount"]
            row.candidates["amount"] = [
                {"value": f"{read:.2f}", "confidence": confidence},
                {"value": f"{row.amount:.2f}", "confidence": round(confidence / 3, 2)},
            ]
            row.evidence = {"repaired_positions": [position]}

    def person_decides(
        self,
        batch: _Batch,
        submission: dict[str, Any],
        row: _Row,
        person: _Person,
        day: date,
        reasons: list[dict[str, Any]],
        waiting_since: datetime,
        trail: list[_Move],
    ) -> list[dict[str, Any]]:
        """A moderator's verdict after a wait, or still waiting (the backlog): returns the reasons it leaves."""
        rng = self.rng
        decided_at = waiting_since + self.moderator_wait(waiting_since)
        recent = self.now - waiting_since < timedelta(hours=STUCK_HOURS)
        if decided_at >= self.now or (recent and rng.random() < STUCK_RATE):
            submission.update(status=Status.MODERATION, waiting_since=waiting_since, decided_at=waiting_since)
            return reasons
        moderator = self.pick(self.moderator_choices)
        appealed = submission["appealed_at"] is not None
        accepts = (APPEAL_ACCEPTS if appealed else MODERATOR_ACCEPTS).get(row.code, 0.0)
        earlier = [r for r in reasons if r["code"] not in ("slip_matches", "appealed")]
        limited = self.over_limit(person, day)  # promo.acceptance's guard refuses the acceptance
        if rng.random() < accepts and not limited:
            to, note = Status.ACCEPTED, ""
            reasons = [reason("moderator_accepted"), *earlier]
            # What an acceptance confirms: the typed amount and card (promo.acceptance.confirmed_values).
            row.values["amount"], row.values["card_last4"] = row.amount, row.card
            for name, printed in row.printed.items():  # what the slip shows, typed in where misread or unread
                read = row.values.get(name)
                if read != printed:
                    row.values[name] = printed
                    batch.corrections.append(
                        {**self.templates[FieldCorrection], "submission_id": submission["id"], "field": name,
                         "read_value": _jsonable(read) or "", "value": _jsonable(printed), "moderator_id": moderator.pk,
                         "created_at": decided_at - timedelta(seconds=rng.randint(5, 60))}
                    )  # fmt: skip
        else:
            to = Status.REJECTED
            rejection, words = self.moderator_rejection(row, limited)
            details = {"note": words} if rejection in ("moderator_rejected", "better_photo_needed") else {}
            reasons = [reason(rejection, **details), *earlier]
            note = words or rejection
        submission.update(
            status=to,
            decided_at=decided_at,
            decided_by_id=moderator.pk,
            moderation_wait=decided_at - waiting_since,
        )
        trail.append(_Move(Status.MODERATION, to, moderator.get_username(), moderator, note, decided_at))
        return reasons

    def maybe_revoke(
        self, submission: dict[str, Any], person: _Person, reasons: list[dict[str, Any]], trail: list[_Move]
    ) -> list[dict[str, Any]]:
        """A senior moderator withdraws an automatic acceptance days later (fraud found)."""
        revoked_at = submission["auto_decided_at"] + timedelta(days=self.rng.uniform(0.5, 20))
        if revoked_at >= self.now:
            return reasons
        senior = self.moderators[0]
        why = self.rng.choice(REVOCATION_NOTES)
        submission.update(status=Status.REVOKED, decided_at=revoked_at, decided_by_id=senior.pk)
        trail.append(_Move(Status.ACCEPTED, Status.REVOKED, senior.get_username(), senior, why, revoked_at))
        person.accepted -= 1  # limits count accepted submissions only
        return [reason("moderator_revoked", note=why)]

    def count_acceptance(self, person: _Person, row: _Row, pk: uuid.UUID, day: date) -> None:
        slip = _Slip(pk, row.amount, row.card, row.values)
        person.last_slip = slip
        person.accepted += 1
        person.accepted_on[day] += 1
        self.recent.append(slip)

    def amount_below(self) -> Decimal:
        minimum = self.campaign.min_amount
        return max(
            Decimal("10.00"), (minimum * Decimal(self.rng.uniform(0.3, 0.97))).quantize(Decimal("1.00"))
        )

    def over_limit(self, person: _Person, day: date) -> bool:
        campaign = self.campaign
        per_day = campaign.max_accepted_per_day
        return self.at_campaign_limit(person) or (per_day is not None and person.accepted_on[day] >= per_day)

    def at_campaign_limit(self, person: _Person) -> bool:
        limit = self.campaign.max_accepted_per_campaign
        return limit is not None and person.accepted >= limit

    def moderator_rejection(self, row: _Row, limited: bool) -> tuple[str, str]:
        """The moderator's reason (moderation.outcomes) and, for a written one or a request, their words."""
        rng, code = self.rng, row.code
        if limited:
            return "moderator_rejected", "The participant's limit of accepted slips is reached."
        if code in WRITTEN_NOTES:
            return "moderator_rejected", WRITTEN_NOTES[code]
        if rng.random() < 0.03:
            return "moderator_edited", ""
        if code in UNREAD or code in ("photo_unreadable", "recognition_failed"):
            if rng.random() < 0.4:
                return "better_photo_needed", "The slip is cut off at the bottom."
            return "moderator_unreadable", ""
        check = row.details.get("field") or CHECK_OF.get(code, "")
        if check in MODERATOR_REJECTS:
            return MODERATOR_REJECTS[check], ""
        return "moderator_rejected", WRITTEN_NOTES["payment_system_unread"]

    def checks(self, row: _Row) -> list[dict[str, Any]]:
        """Submission.checks as promo.checks lists them, compactly: only the check that decided (or the amount's
        repair) says more than its outcome; after a failed gate the rest are skipped."""
        if row.code == "recognition_failed":
            return []  # nothing was read, nothing checked
        if row.outcome == Status.ACCEPTED and not row.evidence:
            return ALL_PASSED  # most rows: one list shared (it is only serialised)
        failing = (
            None if row.outcome == Status.ACCEPTED else row.details.get("field") or CHECK_OF.get(row.code)
        )
        outcome = "unsure" if row.code in UNSURE_CODES else "fail"
        checks: list[dict[str, Any]] = []
        stopped = ""
        for name in CHECK_ORDER:
            if stopped:
                checks.append({"check": name, "outcome": "skipped", "evidence": {"after": stopped}})
            elif name == failing:
                details = {key: str(value) for key, value in row.details.items()}
                checks.append({"check": name, "outcome": outcome, "code": row.code, "details": details,
                               "evidence": _jsonable(row.evidence)})  # fmt: skip
                if outcome == "fail" and name in GATES:
                    stopped = name
            elif name == "amount" and row.evidence.get("repaired_positions"):
                checks.append({"check": name, "outcome": "pass", "evidence": row.evidence})
            else:
                checks.append({"check": name, "outcome": "pass"})
        return checks

    def recognition(self, submission_id: uuid.UUID, row: _Row, latency: timedelta) -> dict[str, Any]:
        """The demo engine's reading: the columns, and the fields with confidence and the rules that fired."""
        values, fields = row.values, {}
        for name in ("amount", "date", "time", "card_last4", "payment_system", "merchant"):
            value = values.get(name)
            if value in (None, ""):
                continue
            stored: dict[str, Any] = {"value": _jsonable(value), "confidence": row.confidences.get(name, 0.9)}
            if name in row.rules:
                stored["rules"] = row.rules[name]
            if name in row.candidates:
                stored["candidates"] = row.candidates[name]
            fields[name] = stored
        return {
            **self.templates[Recognition],
            "submission_id": submission_id,
            "campaign_id": self.campaign.pk,
            "engine": DEMO_ENGINE,
            "kind": row.kind,
            "kind_confidence": row.kind_confidence,
            "amount": values.get("amount"),
            "date": values.get("date"),
            "time": values.get("time"),
            "card_last4": values.get("card_last4", ""),
            "payment_system": values.get("payment_system", ""),
            "merchant": values.get("merchant", ""),
            "rrn": values.get("rrn", ""),
            "auth_code": values.get("auth_code", ""),
            "terminal_id": values.get("terminal_id", ""),
            "fields": fields,
            "timings_ms": {"total": round(latency.total_seconds() * 600)},
            "quality": row.quality,
            "error": FAILURE if row.code == "recognition_failed" else "",
            "created_at": row.auto_at - timedelta(milliseconds=50),
        }


def _template(model: type[models.Model]) -> dict[str, Any]:
    """Every column of the model by attname, with its default: what a row not saying otherwise holds."""
    return {f.attname: f.get_default() for f in model._meta.concrete_fields if not f.db_returning}


def _write(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """Inserts rows given as column values by attname, all with the same columns.

    Not bulk_create: building model instances and preparing each value through the ORM cost ~5 ms a submission
    with its reading and trail (200 rows/s, measured), more than everything else. PostgreSQL takes the rows by
    COPY; another database (SQLite: `make run`'s demo) by one executemany, each value adapted as the ORM would
    (`_adapter`).
    """
    if not rows:
        return
    fields = {f.attname: f for f in model._meta.concrete_fields}
    names = list(rows[0])
    quote = connection.ops.quote_name
    columns = ", ".join(quote(fields[name].column) for name in names)
    table = quote(model._meta.db_table)
    if connection.vendor == "postgresql":
        json_columns = {name for name in names if isinstance(fields[name], models.JSONField)}
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(
                    [json.dumps(row[name], ensure_ascii=False) if name in json_columns else row[name] for name in names]
                )  # fmt: skip
        return
    adapters = [(name, _adapter(fields[name])) for name in names]
    params = [
        [row[name] if adapt is None or row[name] is None else adapt(row[name]) for name, adapt in adapters]
        for row in rows
    ]
    placeholders = ", ".join(["%s"] * len(names))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", params)


def _adapter(field: models.Field) -> Callable[[Any], Any] | None:
    """How the ORM turns a value of this field into what this database stores (None: as it is), looked up once
    per column rather than through get_db_prep_save for every value."""
    ops, features = connection.ops, connection.features
    target = field.target_field if field.is_relation else field
    kind = target.get_internal_type()
    if isinstance(target, models.JSONField):
        return lambda value: ops.adapt_json_value(value, target.encoder)
    if kind == "DateTimeField":
        return ops.adapt_datetimefield_value
    if kind == "DateField":
        return ops.adapt_datefield_value
    if kind == "TimeField":
        return ops.adapt_timefield_value
    if kind == "DecimalField":
        return lambda value: ops.adapt_decimalfield_value(value, target.max_digits, target.decimal_places)
    if kind == "UUIDField" and not features.has_native_uuid_field:
        return lambda value: value.hex
    if kind == "DurationField" and not features.has_native_duration_field:
        return duration_microseconds
    return None


def _cumulative(weights) -> Iterator[float]:
    total = 0.0
    for weight in weights:
        total += weight
        yield total


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dtime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    return value


def _confusable(typed: Decimal, rng: random.Random) -> tuple[Decimal, Decimal, int]:
    """A typed amount with a 6 or an 8 in its roubles, and the reading with that digit confused (6 <-> 8), and
    the digit's position in `f"{amount:.2f}"` (promo.checks' `repaired_positions`)."""
    text = f"{typed:.2f}"
    roubles = len(text) - 3
    positions = [i for i in range(roubles) if text[i] in "68"]
    if not positions:
        i = rng.randrange(roubles)
        text = text[:i] + ("6" if i or roubles == 1 else "8") + text[i + 1 :]
        positions = [i]
    position = rng.choice(positions)
    read = text[:position] + ("8" if text[position] == "6" else "6") + text[position + 1 :]
    return Decimal(text), Decimal(read), position


def _misread_amount(typed: Decimal, rng: random.Random) -> Decimal:
    """The amount a confident reading found instead: another purchase's, or a typo of the participant's."""
    if rng.random() < 0.5:
        other = (typed * Decimal(rng.uniform(0.2, 0.9))).quantize(Decimal("1.00"))
    else:
        text = f"{typed:.2f}"
        i = rng.randrange(len(text) - 3)
        other = Decimal(text[:i] + str((int(text[i]) + rng.randint(1, 8)) % 10) + text[i + 1 :])
    return other if other != typed and other > 0 else typed + Decimal("100.00")
