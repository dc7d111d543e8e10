"""The report's charts: for each, its title, what it counts, the SVG and the rows of its CSV file.

One function per chart, reading only the report sections it needs, so a chart's CSV file costs only its own
queries. Texts are in the reader's language; CSV headers too (the file is for the same person).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from promo.repairs import REPAIRS
from reports import charts
from reports.labels import channel_label, reason_label, repair_label, repair_rule
from reports.numbers import number_format
from reports.selectors import (
    CHANNELS,
    DECISION_FRACTIONS,
    FINAL_STATUSES,
    WAIT_FRACTIONS,
    Report,
    Status,
    Waits,
)

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


@dataclass
class DayAxis:
    """A daily axis: short labels (day and month), the year on the first label and on each 1 January where the
    period spans two years (else "01.01" could be either), and the whole date in every bar's tooltip."""

    labels: list[str]
    tips: list[str]
    keep: list[int]  # the labels with a year, shown before others


def day_axis(days: list[date]) -> DayAxis:
    years = len({day.year for day in days}) > 1
    with_year = [i for i, day in enumerate(days) if years and (i == 0 or (day.month, day.day) == (1, 1))]
    return DayAxis(
        labels=[date_format(day, "d.m.Y" if i in with_year else "d.m") for i, day in enumerate(days)],
        tips=[date_format(day, "d.m.Y") for day in days],
        keep=with_year,
    )


# --- Section 1 ----------------------------------------------------------------------------------------------


def per_day(report: Report) -> Chart:
    days = report.days
    axis = day_axis([d.day for d in days])
    series = [(channel_label(c), [d.channels[c] for d in days]) for c in CHANNELS]
    series = [s for s in series if any(s[1])] or series[:1]
    return Chart(
        name="per_day",
        title=_("Submissions per day"),
        desc=_("Submissions sent each day of the period, in the campaign's time zone, by channel."),
        svg=charts.stacked_bar_chart(
            title=_("Submissions per day"),
            desc=_("Submissions sent each day of the period, in the campaign's time zone, by channel."),
            labels=axis.labels,
            series=series,
            x_label=_("day"),
            y_label=_("submissions"),
            width=WIDE,
            height=250,
            tips=axis.tips,
            keep=axis.keep,
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
    axis = day_axis([d.day for d in days])
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
            labels=axis.labels,
            series=[
                (_("new"), [d.new_participants for d in days]),
                (_("returning"), [d.returning_participants for d in days]),
            ],
            x_label=_("day"),
            y_label=_("participants"),
            width=WIDE,
            height=250,
            tips=axis.tips,
            keep=axis.keep,
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


def _outcome_labels() -> dict[str, str]:
    """Statuses as a report names groups of submissions (plural in Russian, unlike a submission's own status)."""
    return {
        Status.ACCEPTED: pgettext("submissions", "accepted"),
        Status.REJECTED: pgettext("submissions", "rejected"),
        Status.REVOKED: pgettext("submissions", "revoked"),
        Status.MODERATION: _("waiting for a moderator"),
        Status.PROCESSING: _("still being read"),
    }


# The outcomes' colours: accepted green, rejected vermillion, revoked purple, waiting sky blue, being read grey.
STATUS_COLOURS = (
    charts.PALETTE[2],
    charts.PALETTE[3],
    charts.PALETTE[4],
    charts.PALETTE[5],
    charts.PALETTE[7],
)


def _count_and_share(n: int, whole: int) -> str:
    return f"{_count(n)} ({percent(n, whole)})"


def status_now(report: Report) -> Chart:
    """Where the period's submissions stand now: one status each, so the shares add up to 100%."""
    o = report.outcomes
    names = _outcome_labels()
    counted = list(o.status_now.items())
    title = _("Where the submissions stand now")
    desc = _(
        "The period's submissions by their status now, whoever decided them (the machine or a person). Each "
        "counts once, so the shares add up to 100% (give or take rounding)."
    )
    return Chart(
        name="outcomes",
        title=title,
        desc=desc,
        svg=charts.bar_list(
            title=title,
            desc=desc,
            items=[(names[status], n) for status, n in counted],
            value_label=lambda v: _count_and_share(v, o.total),
            colours=STATUS_COLOURS,
        ),
        header=[_("status now"), _("submissions"), _("share, %")],
        rows=[[names[status], n, share_cell(n, o.total)] for status, n in counted]
        + [[_("all submissions"), o.total, share_cell(o.total, o.total)]],
    )


def machine_decisions(report: Report) -> Chart:
    """The machine's first word on each submission it read, whatever people decided since."""
    o = report.outcomes
    items = [
        (_("accepted automatically"), o.auto_accepted),
        (_("rejected automatically"), o.auto_rejected),
        (_("sent to moderation"), o.to_moderation),
    ]
    title = _("The machine's decisions")
    desc = _(
        "What the machine decided first on each submission it read: accept, reject, or leave it to a person. "
        "Shares are of the submissions it decided; people may have changed some since."
    )
    notes = []
    if o.machine_decided:
        notes.append(
            _("Decided automatically: %(share)s of the machine's decisions (%(auto)s of %(all)s).")
            % {
                "share": percent(o.decided_automatically, o.machine_decided),
                "auto": _count(o.decided_automatically),
                "all": _count(o.machine_decided),
            }
        )
    if o.undecided:
        notes.append(_("Not decided yet: %(count)s still being read.") % {"count": _count(o.undecided)})
    return Chart(
        name="machine",
        title=title,
        desc=desc,
        svg=charts.bar_list(
            title=title,
            desc=desc,
            items=items,
            value_label=lambda v: _count_and_share(v, o.machine_decided),
            colours=(charts.PALETTE[2], charts.PALETTE[3], charts.PALETTE[5]),
        ),
        header=[_("the machine's decision"), _("submissions"), _("share of the machine's decisions, %")],
        rows=[[label, n, share_cell(n, o.machine_decided)] for label, n in items]
        + [
            [_("decided by the machine"), o.machine_decided, share_cell(o.machine_decided, o.machine_decided)]
        ],
        notes=notes,
    )


def people_decisions(report: Report) -> Chart:
    """People's last word on the period's submissions, by what the machine had said: sent to moderation, or
    accepted or rejected itself (then a person decided on an appeal, a reopening or a revocation)."""
    o = report.outcomes
    names = _outcome_labels()
    on_moderation = [o.people_on_moderation[status] for status in FINAL_STATUSES]
    on_decision = [o.people_on_machine_decision[status] for status in FINAL_STATUSES]
    totals = [a + b for a, b in zip(on_moderation, on_decision, strict=True)]
    whole = o.people_decided
    title = _("People's decisions")
    desc = _(
        "The period's submissions a person decided last, by that decision. People decide what the machine sent "
        "to moderation, and also appeals against its rejections, reopenings and revocations. Shares are of the "
        "submissions people decided (each once, with its latest decision)."
    )
    from_moderation = _("sent to moderation by the machine")
    from_machine = _("after the machine's own decision (appeal, reopening, revocation)")
    sent_decided, after_decision = sum(on_moderation), sum(on_decision)
    notes = []
    if o.to_moderation:
        notes.append(
            _(
                "Sent to moderation by the machine: %(sent)s; people decided %(decided)s of them, %(waiting)s wait."
            )
            % {
                "sent": _count(o.to_moderation),
                "decided": _count(sent_decided),
                "waiting": _count(o.moderation_waiting),
            }
        )
    if after_decision:
        notes.append(
            _(
                "After the machine's own decision (appeals, reopenings, revocations), people decided %(count)s more: "
                "so people's decisions can outnumber those sent to moderation."
            )
            % {"count": _count(after_decision)}
        )
    if o.overturned:
        notes.append(
            _(
                "Overturned: %(to_rejected)s accepted by the machine then rejected or revoked by a person, "
                "%(to_accepted)s rejected by the machine then accepted by a person."
            )
            % {
                "to_rejected": _count(o.overturned_to_rejected),
                "to_accepted": _count(o.overturned_to_accepted),
            }
        )
    return Chart(
        name="people",
        title=title,
        desc=desc,
        svg=charts.bar_list(
            title=title,
            desc=desc,
            items=[(names[status], n) for status, n in zip(FINAL_STATUSES, totals, strict=True)],
            value_label=lambda v: _count_and_share(v, whole),
            series=[(from_moderation, on_moderation), (from_machine, on_decision)],
            colours=(charts.PALETTE[0], charts.PALETTE[1]),
        ),
        header=[
            _("people's decision"),
            _("submissions"),
            _("share of people's decisions, %"),
            from_moderation,
            from_machine,
        ],
        rows=[
            [names[status], n, share_cell(n, whole), a, b]
            for status, n, a, b in zip(FINAL_STATUSES, totals, on_moderation, on_decision, strict=True)
        ]
        + [[_("decided by people"), whole, share_cell(whole, whole), sent_decided, after_decision]],
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
            label_width=210,
            tips=[f"{repair_rule(code)} ({code})" for code in REPAIRS],
        ),
        header=[
            _("repair"),
            _("rule"),
            _("code"),
            _("accepted automatically relying on it"),
            _("share of all submissions, %"),
            _("overturned by people"),
            _("overturned, %"),
        ],
        rows=[
            [
                repair_label(code),
                repair_rule(code),
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


def _minutes_or_none(value: timedelta | None) -> float | None:
    return value.total_seconds() / 60 if value is not None else None


def moderation(report: Report) -> Chart:
    backlog, waits = report.backlog, report.waits
    target = backlog.target
    desc = _(
        "How long submissions wait for a moderator: those waiting now (the whole campaign's queue, whatever the "
        "period), and those people decided in the period, against the campaign's target."
    )
    items = [
        *[(_("waiting now, p%(p)s") % {"p": f"{f * 100:g}"}, backlog.percentiles[f]) for f in WAIT_FRACTIONS],
        *[
            (_("decided in the period, p%(p)s") % {"p": f"{f * 100:g}"}, waits.percentiles[f])
            for f in WAIT_FRACTIONS
        ],
    ]
    notes = [
        _("Waiting now, in the whole campaign: %(count)s, %(past)s of them past the target of %(target)s.")
        % {"count": _count(backlog.count), "past": _count(backlog.past_target), "target": minutes(target)}
        if backlog.count
        else _("Nothing waits for a moderator now, in the whole campaign."),
        _("Decided by people in the period: %(count)s, %(past)s waited past the target.")
        % {"count": _count(waits.count), "past": _count(waits.past_target)}
        if waits.count
        else _("People decided nothing in the period."),
    ]
    return Chart(
        name="moderation",
        title=_("Moderation waiting time"),
        desc=desc,
        svg=charts.bar_list(
            title=_("Moderation waiting time"),
            desc=desc,
            items=[(label, _minutes_or_none(value)) for label, value in items],
            value_label=lambda v: minutes(timedelta(minutes=v)),
            colours=[
                charts.PALETTE[3] if value is not None and value > target else charts.PALETTE[0]
                for _l, value in items
            ],
            label_width=200,
        ),
        header=[
            _("waits"),
            _("count"),
            _("past the target"),
            *[pgettext("a column of minutes", "p%(p)s, min") % {"p": f"{f * 100:g}"} for f in WAIT_FRACTIONS],
        ],
        rows=[
            _wait_rows(_("waiting now, in the whole campaign"), backlog),
            _wait_rows(_("decided by people in the period"), waits),
            [pgettext("moderation", "target"), "", "", minutes_cell(target), "", ""],
        ],
        notes=notes,
    )


def decision_time(report: Report) -> Chart:
    values = report.outcomes.decision_time
    desc = _("Time from the upload to the machine's decision (accepted, rejected or sent to moderation).")
    items = [(f"p{f * 100:g}", values[f]) for f in DECISION_FRACTIONS]
    return Chart(
        name="decision_time",
        title=_("Upload to automatic decision"),
        desc=desc,
        svg=charts.bar_list(
            title=_("Upload to automatic decision"),
            desc=desc,
            items=[(label, value.total_seconds() if value is not None else None) for label, value in items],
            value_label=lambda v: seconds(timedelta(seconds=v)),
            colours=(charts.PALETTE[5],),
            label_width=60,
        ),
        header=[_("percentile"), _("seconds")],
        rows=[
            [label, number_format(value.total_seconds(), decimal_pos=1) if value is not None else ""]
            for label, value in items
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
        header=[pgettext("amount range", "from"), pgettext("amount range", "below"), _("accepted slips")],
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
    "outcomes": status_now,
    "machine": machine_decisions,
    "people": people_decisions,
    "reasons": rejection_reasons,
    "repairs": repairs,
    "moderation": moderation,
    "decision_time": decision_time,
    "payment_systems": payment_systems,
    "amounts": amounts,
    "merchants": merchants,
}
