"""The report's charts: for each, its title, what it counts, the SVG and the rows of its CSV file.

One function per chart, reading only the report sections it needs, so a chart's CSV file costs only its own
queries. Texts are in the reader's language; CSV headers too (the file is for the same person).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from promo.repairs import REPAIRS
from reports import charts
from reports.labels import channel_label, reason_label, repair_label
from reports.numbers import number_format
from reports.selectors import CHANNELS, DECISION_FRACTIONS, WAIT_FRACTIONS, Report, Waits

# The viewBox width of a chart spanning two cards (one card's is charts' default): text keeps its size.
WIDE = 900


@dataclass
class Chart:
    name: str
    title: str
    desc: str
    svg: Any
    header: list[str]
    rows: list[list[Any]]
    notes: list[str] = field(default_factory=list)
    wide: bool = False
    csv_url: str = ""


def percent(part: float, whole: float, signed: bool = False) -> str:
    if not whole:
        return "–"
    text = number_format(100 * part / whole, decimal_pos=1) + "%"
    return f"+{text}" if signed and part > 0 else text


def share_cell(part: float, whole: float) -> str:
    """A share for a CSV cell: a percentage with one decimal in the reader's format, empty when undefined."""
    return number_format(100 * part / whole, decimal_pos=1) if whole else ""


def minutes(value: timedelta | None) -> str:
    if value is None:
        return "–"
    total = value.total_seconds() / 60
    if total < 60:
        return _("%(minutes)s min") % {"minutes": number_format(total, decimal_pos=0 if total >= 10 else 1)}
    return _("%(hours)s h") % {"hours": number_format(total / 60, decimal_pos=1)}


def seconds(value: timedelta | None) -> str:
    if value is None:
        return "–"
    return _("%(seconds)s s") % {"seconds": number_format(value.total_seconds(), decimal_pos=1)}


def minutes_cell(value: timedelta | None) -> str:
    return number_format(value.total_seconds() / 60, decimal_pos=1) if value is not None else ""


def _count(value: float) -> str:
    return number_format(int(value), force_grouping=True)


def _day_label(day) -> str:
    return date_format(day, "d.m")


# --- Section 1 ----------------------------------------------------------------------------------------------


def per_day(report: Report) -> Chart:
    days = report.days
    series = [(channel_label(c), [d.channels[c] for d in days]) for c in CHANNELS]
    series = [s for s in series if any(s[1])] or series[:1]
    return Chart(
        name="per_day",
        title=_("Submissions per day"),
        desc=_("Submissions sent each day of the period, in the campaign's time zone, by channel."),
        svg=charts.stacked_bar_chart(
            title=_("Submissions per day"),
            desc=_("Submissions sent each day of the period, in the campaign's time zone, by channel."),
            labels=[_day_label(d.day) for d in days],
            series=series,
            x_label=_("day"),
            y_label=_("submissions"),
            width=WIDE,
            height=250,
        ),
        header=[_("day"), _("submissions"), *[channel_label(c) for c in CHANNELS]],
        rows=[[d.day.isoformat(), d.submissions, *[d.channels[c] for c in CHANNELS]] for d in days],
        wide=True,
    )


def per_hour(report: Report) -> Chart:
    hours = report.hours
    return Chart(
        name="per_hour",
        title=_("Submissions by hour of day"),
        desc=_("Submissions sent in each hour of the day over the period, in the campaign's time zone."),
        svg=charts.bar_chart(
            title=_("Submissions by hour of day"),
            desc=_("Submissions sent in each hour of the day over the period, in the campaign's time zone."),
            labels=[str(h) for h in range(24)],
            values=hours,
            x_label=_("hour of day"),
            y_label=_("submissions"),
        ),
        header=[_("hour"), _("submissions")],
        rows=[[h, n] for h, n in enumerate(hours)],
    )


def participants(report: Report) -> Chart:
    days = report.days
    desc = _(
        "Participants who sent something each day: new ones sent their first submission of the campaign that "
        "day, returning ones had sent one before."
    )
    return Chart(
        name="participants",
        title=_("Participants per day: new and returning"),
        desc=desc,
        svg=charts.stacked_bar_chart(
            title=_("Participants per day: new and returning"),
            desc=desc,
            labels=[_day_label(d.day) for d in days],
            series=[
                (_("new"), [d.new_participants for d in days]),
                (_("returning"), [d.returning_participants for d in days]),
            ],
            x_label=_("day"),
            y_label=_("participants"),
            width=WIDE,
            height=250,
        ),
        header=[_("day"), _("participants"), _("new"), _("returning")],
        rows=[
            [d.day.isoformat(), d.participants, d.new_participants, d.returning_participants] for d in days
        ],
        wide=True,
    )


def channels(report: Report) -> Chart:
    totals = report.channels
    whole = sum(totals.values())
    desc = _("Where submissions came from: the upload page, the API, the batch command, or not recorded.")
    return Chart(
        name="channels",
        title=_("Submissions by channel"),
        desc=desc,
        svg=charts.bar_list(
            title=_("Submissions by channel"),
            desc=desc,
            items=[(channel_label(c), totals[c]) for c in CHANNELS],
            value_label=lambda v: f"{_count(v)} ({percent(v, whole)})",
        ),
        header=[_("channel"), _("submissions"), _("share, %")],
        rows=[[channel_label(c), totals[c], share_cell(totals[c], whole)] for c in CHANNELS],
    )


# --- Sections 2 and 4 ---------------------------------------------------------------------------------------


def outcome_mix(report: Report) -> Chart:
    o = report.outcomes
    items = [
        (_("accepted automatically"), o.auto_accepted),
        (_("rejected automatically"), o.auto_rejected),
        (_("sent to moderation"), o.to_moderation),
        (_("accepted by moderators"), o.moderators_accepted),
        (_("rejected by moderators"), o.moderators_rejected),
        (_("overturned by people"), o.overturned),
        (_("revoked"), o.revoked),
        (_("waiting for a moderator"), o.waiting),
        (_("still being read"), o.undecided),
    ]
    desc = _(
        "What the machine decided (accepted, rejected, sent to moderation), what moderators decided, how many of "
        "the machine's acceptances and rejections people overturned, revoked acceptances, and what still waits. "
        "Shares are of all submissions in the period."
    )
    notes = [
        _("Decided automatically: %(share)s of the machine's decisions (%(auto)s of %(all)s).")
        % {
            "share": percent(o.decided_automatically, o.machine_decided),
            "auto": _count(o.decided_automatically),
            "all": _count(o.machine_decided),
        },
        _(
            "Overturned: %(to_rejected)s accepted by the machine then rejected or revoked by a person, "
            "%(to_accepted)s rejected by the machine then accepted by a person."
        )
        % {"to_rejected": _count(o.overturned_to_rejected), "to_accepted": _count(o.overturned_to_accepted)},
    ]
    return Chart(
        name="outcomes",
        title=_("Outcome mix"),
        desc=desc,
        svg=charts.bar_list(
            title=_("Outcome mix"),
            desc=desc,
            items=items,
            value_label=lambda v: f"{_count(v)} ({percent(v, o.total)})",
            colours=charts.PALETTE[:3]
            + (charts.PALETTE[5],) * 2
            + (charts.PALETTE[3], charts.PALETTE[4])
            + (charts.PALETTE[7],) * 2,
        ),
        header=[_("outcome"), _("submissions"), _("share, %")],
        rows=[[label, n, share_cell(n, o.total)] for label, n in items]
        + [
            [
                _("decided automatically, of the machine's decisions"),
                o.decided_automatically,
                share_cell(o.decided_automatically, o.machine_decided),
            ]
        ],
        notes=notes,
    )


def rejection_reasons(report: Report) -> Chart:
    o = report.outcomes
    desc = _(
        "Why the machine rejected submissions; one rejection may give several reasons. Shares are of the "
        "automatic rejections."
    )
    items = [(reason_label(code), n) for code, n in o.rejected_by_reason.items()]
    return Chart(
        name="reasons",
        title=_("Automatic rejections by reason"),
        desc=desc,
        svg=charts.bar_list(
            title=_("Automatic rejections by reason"),
            desc=desc,
            items=items,
            value_label=lambda v: f"{_count(v)} ({percent(v, o.auto_rejected)})",
            colours=(charts.PALETTE[3],),
        ),
        header=[_("reason"), _("code"), _("rejections"), _("share, %")],
        rows=[
            [reason_label(code), code, n, share_cell(n, o.auto_rejected)]
            for code, n in o.rejected_by_reason.items()
        ],
    )


# --- Section 3 ----------------------------------------------------------------------------------------------


def repairs(report: Report) -> Chart:
    o = report.outcomes
    desc = _(
        "Automatic acceptances that relied on each repair of a misread, as a share of all submissions: what each "
        "rule added. Overturned: of those acceptances, the share a person later rejected or revoked."
    )
    notes = [
        _("%(rule)s: %(overturned)s of %(relied)s overturned (%(share)s).")
        % {
            "rule": repair_label(code),
            "overturned": _count(o.repairs[code][1]),
            "relied": _count(o.repairs[code][0]),
            "share": percent(o.repairs[code][1], o.repairs[code][0]),
        }
        for code in REPAIRS
        if o.repairs[code][0]
    ]
    return Chart(
        name="repairs",
        title=_("What each repair rule added"),
        desc=desc,
        svg=charts.bar_list(
            title=_("What each repair rule added"),
            desc=desc,
            items=[(repair_label(code), o.repairs[code][0]) for code in REPAIRS],
            value_label=lambda v: f"{percent(v, o.total, signed=True)} ({_count(v)})",
            colours=(charts.PALETTE[2],),
            label_width=230,
        ),
        header=[
            _("repair"),
            _("code"),
            _("accepted automatically relying on it"),
            _("share of all submissions, %"),
            _("overturned by people"),
            _("overturned, %"),
        ],
        rows=[
            [
                repair_label(code),
                code,
                o.repairs[code][0],
                share_cell(o.repairs[code][0], o.total),
                o.repairs[code][1],
                share_cell(o.repairs[code][1], o.repairs[code][0]),
            ]
            for code in REPAIRS
        ],
        notes=notes,
    )


# --- Sections 5 and 6 ---------------------------------------------------------------------------------------


def _wait_rows(label: str, waits: Waits) -> list[Any]:
    return [
        label,
        waits.count,
        waits.past_target,
        *[minutes_cell(waits.percentiles[f]) for f in WAIT_FRACTIONS],
    ]


def moderation(report: Report) -> Chart:
    backlog, waits = report.backlog, report.waits
    target = backlog.target
    desc = _(
        "How long submissions wait for a moderator: those waiting now (whatever the period), and those people "
        "decided in the period, against the campaign's target."
    )
    items = [
        *[(_("waiting now, p%(p)s") % {"p": f"{f * 100:g}"}, backlog.percentiles[f]) for f in WAIT_FRACTIONS],
        *[
            (_("decided in the period, p%(p)s") % {"p": f"{f * 100:g}"}, waits.percentiles[f])
            for f in WAIT_FRACTIONS
        ],
    ]
    notes = [
        _("Waiting now: %(count)s, %(past)s past the target of %(target)s.")
        % {"count": _count(backlog.count), "past": _count(backlog.past_target), "target": minutes(target)},
        _("Decided by people in the period: %(count)s, %(past)s waited past the target.")
        % {"count": _count(waits.count), "past": _count(waits.past_target)},
    ]
    return Chart(
        name="moderation",
        title=_("Moderation waiting time"),
        desc=desc,
        svg=charts.bar_list(
            title=_("Moderation waiting time"),
            desc=desc,
            items=[(label, (value or timedelta()).total_seconds() / 60) for label, value in items],
            value_label=lambda v: minutes(timedelta(minutes=v)),
            colours=[
                charts.PALETTE[3] if (value or timedelta()) > target else charts.PALETTE[0]
                for _l, value in items
            ],
            label_width=200,
        ),
        header=[
            _("waits"),
            _("count"),
            _("past the target"),
            *[f"p{f * 100:g}, {_('min')}" for f in WAIT_FRACTIONS],
        ],
        rows=[
            _wait_rows(_("waiting now"), backlog),
            _wait_rows(_("decided by people in the period"), waits),
            [_("target"), "", "", minutes_cell(target), "", ""],
        ],
        notes=notes,
    )


def decision_time(report: Report) -> Chart:
    o = report.outcomes
    values = o.decision_time
    desc = _("Time from the upload to the machine's decision (accepted, rejected or sent to moderation).")
    items = [(f"p{f * 100:g}", values[f]) for f in DECISION_FRACTIONS]
    return Chart(
        name="decision_time",
        title=_("Upload to automatic decision"),
        desc=desc,
        svg=charts.bar_list(
            title=_("Upload to automatic decision"),
            desc=desc,
            items=[(label, (value or timedelta()).total_seconds()) for label, value in items],
            value_label=lambda v: seconds(timedelta(seconds=v)),
            colours=(charts.PALETTE[5],),
            label_width=60,
        ),
        header=[_("percentile"), _("seconds")],
        rows=[
            [label, number_format(value.total_seconds(), decimal_pos=1) if value is not None else ""]
            for label, value in items
        ],
        notes=[
            _("Decided automatically: %(share)s of the machine's decisions.")
            % {"share": percent(o.decided_automatically, o.machine_decided)}
        ],
    )


# --- Section 7 ----------------------------------------------------------------------------------------------


def payment_systems(report: Report) -> Chart:
    rows = report.payment_systems
    whole = sum(n for _s, n in rows)
    desc = _("Accepted slips by the payment system read on them.")
    named = [(system or _("not read"), n) for system, n in rows]
    return Chart(
        name="payment_systems",
        title=_("Accepted slips by payment system"),
        desc=desc,
        svg=charts.bar_list(
            title=_("Accepted slips by payment system"),
            desc=desc,
            items=named,
            value_label=lambda v: f"{_count(v)} ({percent(v, whole)})",
            colours=(charts.PALETTE[0],),
            label_width=120,
        ),
        header=[_("payment system"), _("accepted slips"), _("share, %")],
        rows=[[name, n, share_cell(n, whole)] for name, n in named],
    )


def _money(value: Decimal) -> str:
    return number_format(value, decimal_pos=0, force_grouping=True)


def amounts(report: Report) -> Chart:
    histogram = report.amounts
    currency = report.period.campaign.currency
    desc = _(
        "Accepted slips by amount, in bins of equal width; the last bin holds every amount above. Amounts as "
        "read on the slip (as typed where a person accepted a slip the machine could not read)."
    )
    bins = []
    rows = []
    for low, high, n in histogram.bins:
        if high is None:
            edge, span = f"{_money(low)}+", f"≥ {_money(low)} {currency}"
        else:
            edge, span = _money(low), f"{_money(low)}–{_money(high)} {currency}"
        bins.append((edge, span, n))
        rows.append([low, high if high is not None else "", n])
    return Chart(
        name="amounts",
        title=_("Accepted slips by amount"),
        desc=desc,
        svg=charts.histogram(
            title=_("Accepted slips by amount"),
            desc=desc,
            bins=bins,
            x_label=_("amount, %(currency)s") % {"currency": currency},
            y_label=_("slips"),
        ),
        header=[_("from"), _("below"), _("accepted slips")],
        rows=rows,
    )


def merchants(report: Report) -> Chart:
    rows = report.merchants
    desc = _("The merchants most accepted slips came from, as their names were read on the slips.")
    return Chart(
        name="merchants",
        title=_("Top merchants"),
        desc=desc,
        svg=charts.bar_list(
            title=_("Top merchants"),
            desc=desc,
            items=rows,
            colours=(charts.PALETTE[4],),
            label_width=220,
            row=18,
        ),
        header=[_("merchant"), _("accepted slips")],
        rows=[[name, n] for name, n in rows],
    )


# The page's order: traffic, outcomes, repairs, moderation, accepted slips.
CHARTS: dict[str, Callable[[Report], Chart]] = {
    "per_day": per_day,
    "per_hour": per_hour,
    "participants": participants,
    "channels": channels,
    "outcomes": outcome_mix,
    "reasons": rejection_reasons,
    "repairs": repairs,
    "moderation": moderation,
    "decision_time": decision_time,
    "payment_systems": payment_systems,
    "amounts": amounts,
    "merchants": merchants,
}
