"""Every figure of the report against a campaign computed by hand (tests.reports.fixtures.autumn_campaign), on
SQLite and on PostgreSQL (the percentiles take different roads there and must land on the same values)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from promo.models import Submission
from reports import figures
from reports.percentiles import percentiles
from reports.selectors import Period, Report
from tests.factories import CampaignFactory
from tests.reports.fixtures import NOW, add, autumn_campaign, participants, utc

pytestmark = pytest.mark.django_db
OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))


@pytest.fixture(autouse=True)
def _english():
    """Figures formatted as in English (the Russian format is asserted where it matters)."""
    with translation.override("en"):
        yield


@pytest.fixture
def report():
    campaign = autumn_campaign()["campaign"]
    return Report(period=Period(campaign=campaign, date_from=OCTOBER[0], date_to=OCTOBER[1]), now=NOW)


def test_submissions_participants_and_channels_per_day_in_the_campaigns_time_zone(report):
    days = {row.day: row for row in report.days}
    assert len(days) == 31 and min(days) == OCTOBER[0] and max(days) == OCTOBER[1]
    shown = {
        day.day: (row.submissions, row.participants, row.new_participants, row.returning_participants)
        for day in report.days
        if (row := day).submissions
    }
    # 23:30 UTC on 1 October is 02:30 on the 2nd in Moscow: P2's first submission lands on the 2nd.
    assert shown == {
        date(2026, 10, 1): (2, 1, 1, 0),
        date(2026, 10, 2): (3, 2, 2, 0),
        date(2026, 10, 3): (2, 2, 0, 2),  # P4 first sent on 30 September: returning
        date(2026, 10, 4): (2, 2, 0, 2),
        date(2026, 10, 5): (2, 2, 0, 2),
    }
    assert days[date(2026, 10, 2)].channels == {"page": 1, "api": 0, "batch": 1, "": 1}
    assert report.channels == {"page": 8, "api": 1, "batch": 1, "": 1}
    assert report.new_participants == 3
    hours = report.hours
    assert {h: n for h, n in enumerate(hours) if n} == {2: 1, 11: 1, 12: 3, 13: 3, 14: 2, 15: 1}


def test_the_outcome_mix_and_the_overturns(report):
    o = report.outcomes
    assert (o.total, o.participants) == (11, 4)
    assert (o.auto_accepted, o.auto_rejected, o.to_moderation, o.undecided) == (4, 3, 3, 1)
    assert (o.moderators_accepted, o.moderators_rejected, o.revoked, o.waiting) == (2, 2, 1, 1)
    # Accepted by the machine then revoked (8) or rejected (10) by a person; rejected then accepted (9).
    assert (o.overturned, o.overturned_to_rejected, o.overturned_to_accepted) == (3, 2, 1)
    assert (o.decided_automatically, o.machine_decided, o.automatic_share) == (7, 10, 0.7)
    # A person's reasons (moderator_accepted) are not the machine's.
    assert o.rejected_by_reason == {"amount_mismatch": 2, "amount_unread": 1, "card_mismatch": 1}


def test_each_repairs_contribution_and_its_overturns(report):
    assert report.outcomes.repairs == {
        "date_mask_repaired": (2, 1),
        "amount_digit_repaired": (1, 0),
        "card_tail_search": (1, 0),
        "payment_system_fuzzy": (1, 1),
        "date_time_unglued": (0, 0),
    }
    chart = figures.repairs(report)
    row = next(r for r in chart.rows if r[2] == "date_mask_repaired")
    # In a marketer's words, the rule behind it beside them; 2 of 11 submissions; 1 of its 2 acceptances overturned.
    assert row == [
        "date with a misread year",
        "date mask XX/XX/XY repaired",
        "date_mask_repaired",
        2,
        "18.2",
        1,
        "50.0",
    ]
    # The chart shows the plain words, the rule in the label's tooltip; no label is cut short.
    assert (
        ">date with a misread year<" in chart.svg
        and "<title>date mask XX/XX/XY repaired (date_mask_repaired)</title>" in chart.svg
    )
    assert "…" not in chart.svg


def test_upload_to_decision_percentiles_of_automatic_decisions(report):
    # Ten automatic decisions after 10, 20, ... 100 seconds: p50 = 55 s, p95 = 90 + 0.55 * 10 = 95.5 s.
    assert report.outcomes.decision_time == {0.5: timedelta(seconds=55), 0.95: timedelta(seconds=95.5)}


def test_the_backlog_now_and_the_waits_of_the_periods_decisions(report):
    backlog = report.backlog
    # Waiting now, campaign-wide: 10, 30 and 90 minutes (the other campaign's 500 minutes are not its).
    assert (backlog.count, backlog.past_target) == (3, 1)
    assert backlog.percentiles == {
        0.5: timedelta(minutes=30),
        0.9: timedelta(minutes=30 + 0.8 * 60),
        0.99: timedelta(minutes=30 + 0.98 * 60),
    }
    waits = report.waits
    # Decided in October by people: 5 (sent in September), 10, 30, 45 and 120 minutes; not the 500 of September.
    assert (waits.count, waits.past_target) == (5, 1)
    assert waits.percentiles == {
        0.5: timedelta(minutes=30),
        0.9: timedelta(minutes=45 + 0.6 * 75),
        0.99: timedelta(minutes=45 + 0.96 * 75),
    }


def test_accepted_slips_by_payment_system_and_amount(report):
    assert report.payment_systems == [("VISA", 2), ("MASTERCARD", 1), ("MIR", 1)]
    # 500, 700, 1500, 2500: p95 = 2350, bins of 250 (235 rounded up), from the lowest amount's bin.
    histogram = report.amounts
    assert histogram.count == 4
    assert [(int(low), high and int(high), n) for low, high, n in histogram.bins] == [
        (500, 750, 2), (750, 1000, 0), (1000, 1250, 0), (1250, 1500, 0), (1500, 1750, 1), (1750, 2000, 0),
        (2000, 2250, 0), (2250, 2500, 0), (2500, None, 1),
    ]  # fmt: skip


def test_the_twenty_merchants_with_most_accepted_slips():
    campaign = CampaignFactory(starts_on=OCTOBER[0], ends_on=OCTOBER[1])
    (person,) = participants(1)
    rows = []
    for m in range(25):  # merchant m has m + 1 accepted slips, and one rejected that does not count
        rows += [
            {"participant": person, "created_at": utc(10, 3, 10), "status": "accepted", "auto_outcome": "accepted",
             "read": {"amount": Decimal("100.00"), "merchant": f"Shop {m:02d}"}}
            for _ in range(m + 1)
        ] + [{"participant": person, "created_at": utc(10, 3, 10), "status": "rejected",
              "read": {"amount": Decimal("100.00"), "merchant": f"Shop {m:02d}"}}]  # fmt: skip
    rows.append(
        {"participant": person, "created_at": utc(10, 3, 10), "status": "accepted", "read": {"merchant": ""}}
    )
    add(campaign, rows)
    report = Report(period=Period(campaign=campaign, date_from=OCTOBER[0], date_to=OCTOBER[1]), now=NOW)
    assert report.merchants == [(f"Shop {m:02d}", m + 1) for m in range(24, 4, -1)]


def test_the_seed_case_repairs_read_as_percentage_points_of_all_submissions():
    """100 submissions; the machine accepted 2 through a date mask, 3 through a 6/8 repair, 1 through the card
    tail and 3 through a fuzzy payment system: +2%, +3%, +1%, +3%."""
    campaign = CampaignFactory(starts_on=OCTOBER[0], ends_on=OCTOBER[1])
    (person,) = participants(1)
    relied = ["date_mask_repaired"] * 2 + ["amount_digit_repaired"] * 3 + ["card_tail_search"] + [
        "payment_system_fuzzy"] * 3  # fmt: skip
    rows = [{"participant": person, "created_at": utc(10, 2, 10), "status": "accepted", "auto_outcome": "accepted",
             "repairs": f" {code} "} for code in relied]  # fmt: skip
    rows += [{"participant": person, "created_at": utc(10, 2, 10), "status": "rejected", "auto_outcome": "rejected"}
             for _ in range(100 - len(rows))]  # fmt: skip
    add(campaign, rows)
    report = Report(period=Period(campaign=campaign, date_from=OCTOBER[0], date_to=OCTOBER[1]), now=NOW)
    chart = figures.repairs(report)
    assert [row[4] for row in chart.rows] == ["2.0", "3.0", "1.0", "3.0", "0.0"]
    for label in ("+2.0%", "+3.0%", "+1.0%"):
        assert label in chart.svg
    with translation.override("ru"):
        assert "+2,0%" in figures.repairs(report).svg


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        ([], {0.5: None, 0.9: None}),
        ([7], {0.5: 7, 0.9: 7}),
        ([1, 2, 3, 4], {0.5: 2.5, 0.9: 3.7}),
        ([40, 10, 20, 30, 50], {0.5: 30, 0.9: 46}),
    ],
)
def test_percentiles_interpolate_as_percentile_cont_does(minutes, expected):
    from django.db.models import Count, F

    from reports.percentiles import percentile_aggregates, uses_percentile_cont

    campaign = CampaignFactory()
    (person,) = participants(1)
    add(campaign, [{"participant": person, "created_at": utc(10, 2, 10), "moderation_wait": timedelta(minutes=m)}
                   for m in minutes])  # fmt: skip
    queryset = Submission.objects.filter(campaign=campaign).order_by()
    figures_ = {"count": Count("pk")}
    if uses_percentile_cont(queryset):
        figures_ |= percentile_aggregates("w", F("moderation_wait"), (0.5, 0.9))
    row = queryset.aggregate(**figures_)
    got = percentiles(queryset=queryset, expression=F("moderation_wait"), fractions=(0.5, 0.9), count=row["count"],
                      aggregated=row, prefix="w")  # fmt: skip
    assert got == {f: (timedelta(minutes=v) if v is not None else None) for f, v in expected.items()}


def test_a_period_of_some_days_counts_only_them(report):
    campaign = report.period.campaign
    narrow = Report(
        period=Period(campaign=campaign, date_from=date(2026, 10, 2), date_to=date(2026, 10, 3)), now=NOW
    )
    assert narrow.outcomes.total == 5
    assert [d.submissions for d in narrow.days] == [3, 2]
    # The backlog is the queue now, whatever the period.
    assert narrow.backlog.count == 3
    # Waits follow when people decided: 30 and 120 minutes on 3 October.
    assert (narrow.waits.count, narrow.waits.percentiles[0.5]) == (2, timedelta(minutes=75))


def test_where_the_submissions_stand_now_and_who_decided(report):
    o = report.outcomes
    # Now: accepted 1, 2, 6, 9; rejected 3, 4, 7, 10; revoked 8; waiting 5; being read 11. One status each.
    assert o.status_now == {"accepted": 4, "rejected": 4, "revoked": 1, "moderation": 1, "processing": 1}
    assert sum(o.status_now.values()) == o.total
    # People decided 6 and 7 after the machine sent them to moderation (5 still waits), and 8, 9 and 10 after the
    # machine had decided itself: five people's decisions from three sent to moderation.
    assert o.people_on_moderation == {"accepted": 1, "rejected": 1, "revoked": 0}
    assert o.people_on_machine_decision == {"accepted": 1, "rejected": 1, "revoked": 1}
    assert (o.people_decided, o.to_moderation, o.moderation_waiting) == (5, 3, 1)
    chart = figures.people_decisions(report)
    assert chart.notes[:2] == [
        "Sent to moderation by the machine: 3; people decided 2 of them, 1 wait.",
        "After the machine's own decision (appeals, reopenings, revocations), people decided 3 more: so people's "
        "decisions can outnumber those sent to moderation.",
    ]
    assert "<title>accepted, sent to moderation by the machine: 1 (20.0%)</title>" in chart.svg
    assert ">2 (40.0%)</text>" in chart.svg  # accepted: 2 of the 5 people's decisions
    machine = figures.machine_decisions(report)
    assert ">4 (40.0%)</text>" in machine.svg  # accepted automatically: 4 of the 10 the machine decided
    assert machine.notes == [
        "Decided automatically: 70.0% of the machine's decisions (7 of 10).",
        "Not decided yet: 1 still being read.",
    ]


@pytest.fixture
def empty(report):
    """A period after the fixture's submissions (the queue now still holds three)."""
    period = Period(campaign=report.period.campaign, date_from=date(2026, 10, 20), date_to=date(2026, 10, 25))
    return Report(period=period, now=NOW)


def test_a_period_without_data_shows_dashes_and_no_zero_sentences(empty):
    moderation = figures.moderation(empty)
    # The queue now has waits; the period's decisions none: a dash, not "0.0 min".
    assert "0.0 min" not in moderation.svg and moderation.svg.count(">–</text>") == 3
    assert moderation.notes == [
        "Waiting now, in the whole campaign: 3, 1 of them past the target of 1.0 h.",
        "People decided nothing in the period.",
    ]
    assert [row[3:] for row in moderation.rows[1:2]] == [["", "", ""]]
    for chart in (
        figures.machine_decisions(empty),
        figures.people_decisions(empty),
        figures.decision_time(empty),
    ):
        assert chart.notes == [], chart.name
        assert "No data for this period" in chart.svg
    with translation.override("ru"):
        for build in figures.CHARTS.values():
            chart = build(empty)
            assert "No data" not in chart.svg, chart.name


def test_csv_headers_and_labels_in_russian_use_words_of_their_own_context(report):
    """msgids shared with other places read wrong there: "from" is a status move's ("из статуса"), "revoked" a
    single submission's ("аннулирована"), "target" a deadline's ("срок"); the report asks for its own."""
    with translation.override("ru"):
        assert figures.amounts(report).header[:2] == ["от", "до (не включая)"]
        moderation = figures.moderation(report)
        assert moderation.header[3:] == ["p50, мин", "p90, мин", "p99, мин"]
        assert moderation.rows[-1][0] == "цель" and "цели" in moderation.notes[0]
        assert [row[0] for row in figures.status_now(report).rows][:3] == [
            "приняты",
            "отклонены",
            "аннулированы",
        ]
