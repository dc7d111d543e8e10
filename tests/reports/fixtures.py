"""Small hand-made campaigns for the report tests: rows written in bulk with the times they claim."""

import contextlib
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from promo.models import Campaign, Participant, Recognition, Submission
from tests.factories import CampaignFactory

Status = Submission.Status
NOW = datetime(2026, 10, 10, 12, 0, tzinfo=UTC)


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@contextlib.contextmanager
def own_created_at():
    """bulk_create keeps the created_at the test gives (auto_now_add would overwrite it with now)."""
    created = Submission._meta.get_field("created_at")
    created.auto_now_add = False
    try:
        yield
    finally:
        created.auto_now_add = True


def participants(n: int, prefix: str = "+7900") -> list[Participant]:
    return Participant.objects.bulk_create(
        [
            Participant(contact=f"{prefix}{i:07d}", contact_kind=Participant.ContactKind.PHONE)
            for i in range(n)
        ]
    )


def add(campaign: Campaign, rows: list[dict[str, Any]]) -> list[Submission]:
    """Submissions (and their readings, for rows with `read`) in three queries whatever their number."""
    objects, readings = [], []
    for i, row in enumerate(rows):
        row = dict(row)
        read = row.pop("read", None)
        submission = Submission(
            campaign=campaign,
            photo_sha256=f"{campaign.pk:08d}{i:056d}",
            typed_amount=row.pop("typed_amount", Decimal("1000.00")),
            typed_card_last4="4821",
            **row,
        )
        objects.append(submission)
        if read is not None:
            readings.append((submission, read))
    with own_created_at():
        Submission.objects.bulk_create(objects)
    Recognition.objects.bulk_create(
        [
            Recognition(
                submission=submission,
                campaign=campaign,
                engine="test",
                kind="slip",
                amount=read.get("amount"),
                payment_system=read.get("payment_system", ""),
                merchant=read.get("merchant", ""),
            )
            for submission, read in readings
        ]
    )
    return objects


def autumn_campaign(**overrides: Any) -> dict[str, Any]:
    """The hand-computed campaign of test_report_figures (see its docstring for every expected figure)."""
    campaign = CampaignFactory(
        slug="report-autumn",
        name="Report autumn",
        starts_on=date(2026, 10, 1),
        ends_on=date(2026, 10, 31),
        timezone="Europe/Moscow",
        moderation_target_minutes=60,
        **overrides,
    )
    other = CampaignFactory(slug="report-other", starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 31))
    moderator = User.objects.create_user("report-moderator", is_staff=True)
    p1, p2, p3, p4, p5 = participants(5)

    def auto(created: datetime, outcome: str, seconds: int) -> dict[str, Any]:
        return {
            "created_at": created,
            "auto_outcome": outcome,
            "auto_decided_at": created + timedelta(seconds=seconds),
        }

    def person(decided: datetime, waited_minutes: int | None) -> dict[str, Any]:
        wait = timedelta(minutes=waited_minutes) if waited_minutes is not None else None
        return {"decided_by": moderator, "decided_at": decided, "moderation_wait": wait}

    rows = [
        # 1-2: P1 on 1 October (Moscow), accepted automatically, relying on repairs.
        {**auto(utc(10, 1, 9), "accepted", 10), "participant": p1, "channel": "page", "status": Status.ACCEPTED,
         "repairs": " date_mask_repaired ", "read": {"amount": Decimal("500.00"), "payment_system": "MIR", "merchant": "Пятёрочка"}},
        {**auto(utc(10, 1, 10), "accepted", 20), "participant": p1, "channel": "api", "status": Status.ACCEPTED,
         "repairs": " amount_digit_repaired card_tail_search ",
         "read": {"amount": Decimal("1500.00"), "payment_system": "VISA", "merchant": "=HYPERLINK(\"http://x\")"}},
        # 3: 23:30 UTC on 1 October is 02:30 on 2 October in Moscow: P2's first day is the 2nd.
        {**auto(utc(10, 1, 23, 30), "rejected", 30), "participant": p2, "channel": "batch", "status": Status.REJECTED,
         "reason_codes": " amount_mismatch card_mismatch "},
        {**auto(utc(10, 2, 8), "rejected", 40), "participant": p2, "channel": "page", "status": Status.REJECTED,
         "reason_codes": " amount_mismatch "},
        # 5: sent to moderation and still waiting (90 minutes at NOW: past the 60-minute target).
        {**auto(utc(10, 2, 9), "moderation", 50), "participant": p3, "channel": "", "status": Status.MODERATION,
         "waiting_since": NOW - timedelta(minutes=90)},
        # 6-7: sent to moderation, then a person accepted (waited 30 min) / rejected (waited 120 min).
        {**auto(utc(10, 3, 9), "moderation", 60), **person(utc(10, 3, 9, 30), 30), "participant": p3,
         "channel": "page", "status": Status.ACCEPTED,
         "read": {"amount": Decimal("2500.00"), "payment_system": "MASTERCARD", "merchant": "Магнит"}},
        {**auto(utc(10, 3, 10), "moderation", 70), **person(utc(10, 3, 12), 120), "participant": p4,
         "channel": "page", "status": Status.REJECTED, "reason_codes": " moderator_rejected low_confidence "},
        # 8: accepted automatically through a date mask, revoked by a person later (an overturn).
        {**auto(utc(10, 4, 10), "accepted", 80), **person(utc(10, 6, 10), None), "participant": p4,
         "channel": "page", "status": Status.REVOKED, "repairs": " date_mask_repaired "},
        # 9: rejected automatically, accepted by a person after an appeal (an overturn), waited 10 min.
        {**auto(utc(10, 4, 11), "rejected", 90), **person(utc(10, 4, 12), 10), "participant": p1,
         "channel": "page", "status": Status.ACCEPTED, "reason_codes": " moderator_accepted amount_unread ",
         "read": {"amount": Decimal("700.00"), "payment_system": "VISA", "merchant": "Пятёрочка"}},
        # 10: accepted automatically through a fuzzy payment system, reopened and rejected (waited 45 min).
        {**auto(utc(10, 5, 11), "accepted", 100), **person(utc(10, 5, 12), 45), "participant": p2,
         "channel": "page", "status": Status.REJECTED, "repairs": " payment_system_fuzzy "},
        # 11: still being read.
        {"created_at": utc(10, 5, 12), "participant": p3, "channel": "page", "status": Status.PROCESSING},
        # Outside the period (30 September in Moscow): P4's first submission, so P4 is not new in October.
        {**auto(utc(9, 30, 20), "accepted", 5), "participant": p4, "channel": "page", "status": Status.ACCEPTED,
         "read": {"amount": Decimal("99999.00"), "payment_system": "VISA", "merchant": "Пятёрочка"}},
        # Outside the period, waiting now: in the backlog (10 and 30 minutes), not in the period's figures.
        {**auto(utc(9, 29, 10), "moderation", 5), "participant": p5, "channel": "page", "status": Status.MODERATION,
         "waiting_since": NOW - timedelta(minutes=10)},
        {**auto(utc(9, 29, 11), "moderation", 5), "participant": p5, "channel": "page", "status": Status.MODERATION,
         "waiting_since": NOW - timedelta(minutes=30)},
        # Sent before the period, decided by a person in it (waited 5 min): counts among the period's waits.
        {**auto(utc(9, 30, 5), "moderation", 5), **person(utc(10, 1, 6), 5), "participant": p5, "channel": "page",
         "status": Status.ACCEPTED},
        # Sent and decided before the period: in none of the figures.
        {**auto(utc(9, 29, 5), "moderation", 5), **person(utc(9, 29, 20), 500), "participant": p5,
         "channel": "page", "status": Status.REJECTED},
    ]  # fmt: skip
    add(campaign, rows)
    # Another campaign's submissions in the same days count nowhere.
    add(other, [{**auto(utc(10, 2, 9), "accepted", 1), "participant": p1, "channel": "page",
                 "status": Status.MODERATION, "waiting_since": NOW - timedelta(minutes=500)}])  # fmt: skip
    return {"campaign": campaign, "other": other, "moderator": moderator}


def busy_campaign(seed: int = 7) -> Campaign:
    """October with a few hundred submissions of every kind, for the browser test's screenshots."""
    import random

    rng = random.Random(seed)
    campaign = CampaignFactory(
        slug="report-busy", name="Осенний кешбэк", starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 31)
    )
    moderator = User.objects.create_user("busy-moderator", is_staff=True)
    people = participants(120, prefix="+7911")
    merchants = [f"Магазин «{name}»" for name in ("Пятёрочка", "Магнит", "Перекрёсток", "Лента", "ВкусВилл",
                 "Ашан", "Дикси", "Азбука вкуса", "Спар", "Metro")] + [f"Shop {i}" for i in range(15)]  # fmt: skip
    rows = []
    for i in range(420):
        created = utc(10, 1, 6) + timedelta(days=rng.random() * 20, hours=rng.triangular(0, 16, 8))
        auto = rng.choices(["accepted", "rejected", "moderation"], [72, 13, 15])[0]
        row: dict[str, Any] = {
            "participant": people[min(int(rng.paretovariate(1.2)) - 1 + i // 5, len(people) - 1)],
            "created_at": created,
            "channel": rng.choices(["page", "api", "batch", ""], [70, 25, 3, 2])[0],
            "auto_outcome": auto,
            "auto_decided_at": created + timedelta(seconds=2 + 20 * rng.random() ** 4),
            "status": auto,
        }
        if auto == "accepted":
            row["repairs"] = rng.choices(
                ["", " date_mask_repaired ", " amount_digit_repaired ", " card_tail_search ", " payment_system_fuzzy "],
                [88, 3, 4, 1.5, 4],
            )[0]  # fmt: skip
            if rng.random() < 0.03:
                row.update(status="revoked", decided_by=moderator, decided_at=created + timedelta(days=2))
        elif auto == "rejected":
            row["reason_codes"] = rng.choice([" amount_mismatch ", " card_mismatch ", " date_after_end ",
                                              " duplicate_photo ", " not_a_slip ", " amount_mismatch card_mismatch "])  # fmt: skip
        else:
            wait = timedelta(minutes=5 + 150 * rng.random() ** 2)
            if rng.random() < 0.1:
                row.update(waiting_since=timezone.now() - wait)
            else:
                row.update(status=rng.choice(["accepted", "accepted", "rejected"]), decided_by=moderator,
                           decided_at=created + wait, moderation_wait=wait)  # fmt: skip
        if row["status"] == "accepted":
            row["read"] = {
                "amount": Decimal(int(300 + 6000 * rng.random() ** 2.5)),
                "payment_system": rng.choices(
                    ["MIR", "VISA", "MASTERCARD", "UNIONPAY", ""], [50, 25, 20, 3, 2]
                )[0],
                "merchant": merchants[min(int(rng.paretovariate(0.8)) - 1, len(merchants) - 1)],
            }
        rows.append(row)
    add(campaign, rows)
    return campaign
