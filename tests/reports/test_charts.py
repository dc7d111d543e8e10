"""The report's charts as a reader sees them: labels wrapped rather than cut, none off the chart's edge, dates
with their year where two years meet, "nothing" said as a dash or in words of the reader's language; and the
report's words findable by makemessages (none inside an f-string, which xgettext before 0.22 cannot read)."""

import ast
import re
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from django.utils import translation

from reports import charts
from reports.figures import day_axis

REPORTS = Path(__file__).resolve().parents[2] / "reports"
GETTEXT = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy", "ngettext", "npgettext"}


def gettext_calls_in_fstrings(source: str) -> list[int]:
    """Lines of gettext calls inside an f-string's braces."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.JoinedStr):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Call) and getattr(inner.func, "id", "") in GETTEXT:
                    lines.append(inner.lineno)
    return lines


def test_the_fstring_check_finds_a_gettext_call_inside_braces():
    assert gettext_calls_in_fstrings("x = f\"{_('No data')}\"") == [1]
    assert gettext_calls_in_fstrings("x = _('No data')\ny = f'{x}'") == []


@pytest.mark.parametrize("path", sorted(REPORTS.glob("*.py")), ids=lambda p: p.name)
def test_no_translatable_text_hides_inside_an_fstring(path):
    """makemessages (xgettext 0.21 here) reads no call inside an f-string: its msgid never reaches the catalogue
    and the page shows it in English ("No data for this period" did)."""
    assert gettext_calls_in_fstrings(path.read_text(encoding="utf-8")) == []


def texts(svg: str) -> list[str]:
    """The shown text of each <text> (its tspans joined, its tooltip left out)."""
    out = []
    for body in re.findall(r"<text[^>]*>(.*?)</text>", svg):
        body = re.sub(r"<title>.*?</title>", "", body)
        out.append(" ".join(re.findall(r">([^<]+)<", f">{body}<")) or body)
    return out


LONG = "исправлена неверно прочитанная цифра суммы (6 вместо 8 и подобные)"


def test_a_long_label_wraps_onto_lines_within_its_column_and_is_never_cut():
    svg = charts.bar_list(title="t", desc="d", items=[(LONG, 3), ("short", 5)], label_width=200)
    assert "…" not in svg
    lines = re.findall(r'<tspan x="194" y="[\d.]+">([^<]+)</tspan>', svg)
    assert len(lines) > 2 and " ".join(lines[:-1]) == LONG and lines[-1] == "short"
    assert all(charts.text_width(line) <= 190 for line in lines)
    # The row grows to hold its lines: the chart is taller than two one-line rows.
    height = float(re.search(r'viewBox="0 0 440 ([\d.]+)"', svg).group(1))
    assert height > 2 * 20 + 8
    # The whole label is its tooltip.
    assert f"<title>{LONG}</title>" in svg


def test_a_label_can_carry_a_tooltip_of_its_own():
    svg = charts.bar_list(title="t", desc="d", items=[("plain words", 3)], tips=["the technical rule (code)"])
    assert "<title>the technical rule (code)</title>" in svg and ">plain words</tspan>" in svg


def test_nothing_to_measure_is_a_dash_without_a_bar():
    svg = charts.bar_list(title="t", desc="d", items=[("waiting now", 12.0), ("decided", None)])
    assert svg.count('class="bar"') == 1
    assert texts(svg)[-1] == "–"


def test_a_chart_with_nothing_says_so_in_the_readers_language_and_stays_low():
    for draw in (
        lambda: charts.bar_list(title="t", desc="d", items=[("a", 0), ("b", None)]),
        lambda: charts.stacked_bar_chart(
            title="t",
            desc="d",
            labels=["1", "2"],
            series=[("", [0, 0])],
            x_label="x",
            y_label="y",
            height=250,
        ),
        lambda: charts.histogram(title="t", desc="d", bins=[], x_label="x", y_label="y"),
    ):
        with translation.override("en"):
            svg = draw()
        assert "No data for this period" in svg and 'viewBox="0 0 440 40"' in svg
        with translation.override("ru"):
            assert "Нет данных за этот период" in draw()


def test_bars_split_into_segments_named_by_a_legend():
    svg = charts.bar_list(
        title="t",
        desc="d",
        items=[("accepted", 5), ("revoked", 1)],
        series=[("sent to moderation", [3, 0]), ("after the machine's decision", [2, 1])],
    )
    assert svg.count('class="bar"') == 3  # a segment of nothing is not drawn
    assert "<title>accepted, sent to moderation: 3</title>" in svg
    assert ">sent to moderation</text>" in svg and ">after the machine&#x27;s decision</text>" in svg


@pytest.mark.parametrize(
    "edges", [["0", "1 000", "2 000", "10 000+"], [f"{i} 000" for i in range(10)] + ["10 000+"]]
)
def test_the_open_bins_label_fits_inside_the_histogram(edges):
    bins = [(edge, edge, 5) for edge in edges]
    svg = charts.histogram(title="t", desc="d", bins=bins, x_label="amount", y_label="slips")
    shown = re.findall(r'<text x="([\d.]+)" y="[\d.]+" text-anchor="start"[^>]*>([^<]+)</text>', svg)
    assert shown[-1][1] == edges[-1]  # the open bin's label is always shown
    for x, label in shown:
        assert float(x) + charts.text_width(label) <= 440, (label, x)
    # Labels do not run into each other.
    for (x1, a), (x2, _b) in pairwise(shown):
        assert float(x1) + charts.text_width(a) < float(x2), (a, x1, x2)


def x_labels(svg: str) -> list[tuple[float, str]]:
    return [
        (float(x), label)
        for x, label in re.findall(
            r'<text x="([\d.]+)" y="[\d.]+" text-anchor="middle" fill="#666">([^<]+)<', svg
        )
    ]


def test_a_daily_axis_spanning_new_year_shows_the_year_on_its_first_day_and_on_1_january():
    days = [date(2026, 12, 20) + timedelta(days=i) for i in range(25)]
    axis = day_axis(days)
    assert axis.labels[0] == "20.12.2026" and axis.labels[12] == "01.01.2027"
    assert axis.labels[1] == "21.12" and axis.labels[-1] == "13.01"
    assert axis.tips[1] == "21.12.2026" and axis.keep == [0, 12]
    svg = charts.stacked_bar_chart(
        title="t",
        desc="d",
        labels=axis.labels,
        series=[("", [1] * 25)],
        x_label="day",
        y_label="n",
        width=900,
        tips=axis.tips,
        keep=axis.keep,
    )
    shown = x_labels(svg)
    assert {"20.12.2026", "01.01.2027", "13.01"} <= {label for _x, label in shown}
    for (x1, a), (x2, b) in pairwise(shown):  # none overlaps the next
        assert x1 + charts.text_width(a) / 2 < x2 - charts.text_width(b) / 2, (a, b)
    assert all(
        x - charts.text_width(label) / 2 >= 0 and x + charts.text_width(label) / 2 <= 900
        for x, label in shown
    )
    assert "<title>21.12.2026: 1</title>" in svg


def test_a_daily_axis_within_one_year_has_no_year():
    axis = day_axis([date(2026, 10, 1) + timedelta(days=i) for i in range(31)])
    assert axis.labels[0] == "01.10" and axis.keep == []


def test_a_narrow_chart_keeps_its_last_label_inside_and_thins_the_rest():
    labels = [f"{d:02d}.10" for d in range(1, 32)]
    svg = charts.stacked_bar_chart(
        title="t", desc="d", labels=labels, series=[("", [1] * 31)], x_label="day", y_label="n", width=440
    )
    shown = x_labels(svg)
    assert shown[0][1] == "01.10" and shown[-1][1] == "31.10" and len(shown) < 31
    assert shown[-1][0] + charts.text_width("31.10") / 2 <= 440
