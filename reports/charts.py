"""Charts drawn on the server as inline SVG: no JavaScript, nothing fetched from elsewhere.

Each chart is a plain function of its numbers and returns markup that scales to its card (a viewBox, width
100%). Readable at a glance: a title and description for screen readers (<title>/<desc>), axis labels, value
labels where they fit, a tooltip (<title>) on every bar, and the Okabe-Ito palette, which people with any
common colour-vision deficiency tell apart. Every text is escaped.
"""

from collections.abc import Callable, Sequence
from itertools import count

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from reports.numbers import number_format

# Okabe & Ito (2008): blue, orange, bluish green, vermillion, reddish purple, sky blue, yellow, grey.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#999999")
TEXT = "#222"
MUTED = "#666"
GRID = "#ddd"
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"'

_ids = count(1)


def _fmt(value: float) -> str:
    if isinstance(value, int) or float(value).is_integer():
        return number_format(int(value), force_grouping=True)
    return number_format(value, decimal_pos=1, force_grouping=True)


def _nice_step(value: float) -> float:
    """A round step (1, 2 or 5 times a power of ten, at least 1) with four steps reaching `value`."""
    raw = max(value / 4, 1)
    magnitude = 10 ** (len(str(int(raw))) - 1)
    for step in (1, 2, 5, 10):
        if step * magnitude >= raw:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover


def _nice_max(value: float) -> float:
    """The axis top: four round steps at or above `value` (whole numbers: the charts count things)."""
    return 4 * _nice_step(value) if value > 0 else 4


def _open(kind: str, width: int, height: int, title: str, desc: str) -> tuple[str, list[str]]:
    ident = f"chart-{next(_ids)}"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{ident}-t {ident}-d" {FONT} font-size="11">'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>'
    )
    return ident, [head]


def _empty(parts: list[str], width: int, height: int) -> SafeString:
    parts.append(
        f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" fill="{MUTED}" font-size="13">'
        f"{escape(_('No data for this period'))}</text></svg>"
    )
    return mark_safe("".join(parts))


def _y_axis(parts: list[str], *, left: int, top: int, plot_w: int, plot_h: int, top_value: float, label: str):
    for i in range(5):
        value = top_value * i / 4
        y = top + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{left - 4}" y="{y + 3.5:.1f}" text-anchor="end" fill="{MUTED}">{escape(_fmt(value))}</text>'
        )
    parts.append(
        f'<text transform="translate(11 {top + plot_h / 2:.1f}) rotate(-90)" text-anchor="middle" '
        f'fill="{TEXT}">{escape(label)}</text>'
    )


def _x_labels(parts: list[str], labels: Sequence[str], *, left: int, slot: float, y: float) -> None:
    """Every label where they fit, else every k-th (always the first and the last)."""
    longest = max((len(label) for label in labels), default=1)
    every = max(1, int((longest * 6.2 + 6) // slot) + 1)
    last = len(labels) - 1
    for i, label in enumerate(labels):
        if i % every and i != last:
            continue
        if i == last and i % every and last - (last // every) * every < every * 0.6:
            continue  # too close to the previous label
        x = left + slot * (i + 0.5)
        parts.append(f'<text x="{x:.1f}" y="{y}" text-anchor="middle" fill="{MUTED}">{escape(label)}</text>')


def bar_chart(
    *,
    title: str,
    desc: str,
    labels: Sequence[str],
    values: Sequence[float],
    x_label: str,
    y_label: str,
    width: int = 440,
    height: int = 240,
) -> SafeString:
    """Vertical bars, one per label; values over the bars when they fit."""
    return stacked_bar_chart(
        title=title,
        desc=desc,
        labels=labels,
        series=[("", values)],
        x_label=x_label,
        y_label=y_label,
        width=width,
        height=height,
    )


def stacked_bar_chart(
    *,
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    x_label: str,
    y_label: str,
    width: int = 440,
    height: int = 240,
) -> SafeString:
    """Vertical bars with one segment per series (a legend above names them), the total over each bar."""
    _ident, parts = _open("stacked" if len(series) > 1 else "bar", width, height, title, desc)
    totals = [sum(values[i] for _name, values in series) for i in range(len(labels))]
    if not labels or not any(totals):
        return _empty(parts, width, height)
    legend = len(series) > 1
    left, right, top, bottom = 46, 8, 24 if legend else 14, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(max(totals))
    _y_axis(parts, left=left, top=top, plot_w=plot_w, plot_h=plot_h, top_value=top_value, label=y_label)
    slot = plot_w / len(labels)
    bar_w = max(1.0, slot * 0.78)
    show_values = slot >= 7 * max(len(_fmt(t)) for t in totals) * 0.9
    if legend:
        x = left
        for k, (name, _values) in enumerate(series):
            colour = PALETTE[k % len(PALETTE)]
            parts.append(
                f'<rect x="{x}" y="5" width="10" height="10" fill="{colour}"/>'
                f'<text x="{x + 14}" y="14" fill="{TEXT}">{escape(name)}</text>'
            )
            x += 30 + int(len(name) * 6.6)
    for i, label in enumerate(labels):
        x = left + slot * i + (slot - bar_w) / 2
        y_base = top + plot_h
        for k, (name, values) in enumerate(series):
            value = values[i]
            if not value:
                continue
            h = plot_h * value / top_value
            tip = f"{label}: {_fmt(value)}" if not name else f"{label}, {name}: {_fmt(value)}"
            parts.append(
                f'<rect class="bar" x="{x:.1f}" y="{y_base - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{PALETTE[k % len(PALETTE)]}"><title>{escape(tip)}</title></rect>'
            )
            y_base -= h
        if show_values and totals[i]:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{y_base - 3:.1f}" text-anchor="middle" fill="{TEXT}">'
                f"{escape(_fmt(totals[i]))}</text>"
            )
    parts.append(
        f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="{MUTED}"/>'
    )
    _x_labels(parts, labels, left=left, slot=slot, y=top + plot_h + 13)
    parts.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 4}" text-anchor="middle" fill="{TEXT}">'
        f"{escape(x_label)}</text></svg>"
    )
    return mark_safe("".join(parts))


def histogram(
    *,
    title: str,
    desc: str,
    bins: Sequence[tuple[str, str, int]],
    x_label: str,
    y_label: str,
    width: int = 440,
    height: int = 240,
) -> SafeString:
    """Adjacent bars over ranges: `bins` are (lower edge label, range label for the tooltip, count); the last
    bin may be open ("5 000+"), its edge label says so."""
    _ident, parts = _open("histogram", width, height, title, desc)
    if not bins or not any(n for _edge, _range, n in bins):
        return _empty(parts, width, height)
    left, right, top, bottom = 46, 8, 14, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(max(n for _edge, _range, n in bins))
    _y_axis(parts, left=left, top=top, plot_w=plot_w, plot_h=plot_h, top_value=top_value, label=y_label)
    slot = plot_w / len(bins)
    show_values = slot >= 30
    for i, (_edge, range_label, n) in enumerate(bins):
        x = left + slot * i
        h = plot_h * n / top_value
        if n:
            parts.append(
                f'<rect class="bar" x="{x + 0.5:.1f}" y="{top + plot_h - h:.1f}" width="{slot - 1:.1f}" '
                f'height="{h:.1f}" fill="{PALETTE[0]}"><title>{escape(f"{range_label}: {_fmt(n)}")}</title></rect>'
            )
        if show_values and n:
            parts.append(
                f'<text x="{x + slot / 2:.1f}" y="{top + plot_h - h - 3:.1f}" text-anchor="middle" '
                f'fill="{TEXT}">{escape(_fmt(n))}</text>'
            )
    parts.append(
        f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="{MUTED}"/>'
    )
    # Edges under the bars' left sides: a histogram's axis reads as a ruler.
    edges = [edge for edge, _range, _n in bins]
    every = max(1, int((max(len(e) for e in edges) * 6.2 + 8) // slot) + 1)
    for i, edge in enumerate(edges):
        if i % every:
            continue
        parts.append(
            f'<text x="{left + slot * i:.1f}" y="{top + plot_h + 13}" text-anchor="start" fill="{MUTED}">'
            f"{escape(edge)}</text>"
        )
    parts.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 4}" text-anchor="middle" fill="{TEXT}">'
        f"{escape(x_label)}</text></svg>"
    )
    return mark_safe("".join(parts))


def bar_list(
    *,
    title: str,
    desc: str,
    items: Sequence[tuple[str, float]],
    value_label: Callable[[float], str] | None = None,
    width: int = 440,
    row: int = 20,
    label_width: int = 190,
    colours: Sequence[str] | None = None,
) -> SafeString:
    """Horizontal bars, one per (label, value) row, the label on the left and the value at the bar's end; for
    rankings and mixes, where the names are long."""
    _ident, parts_head = _open("bars", width, max(row * len(items) + 8, 40), title, desc)
    if not items or not any(value for _label, value in items):
        return _empty(parts_head, width, 40)
    parts = parts_head
    label_of = value_label or _fmt
    longest_value = max(len(label_of(v)) for _l, v in items)
    plot_w = width - label_width - 10 - longest_value * 6.4
    top_value = max(value for _label, value in items) or 1
    max_chars = int(
        label_width / 7.0
    )  # Cyrillic at 11 px runs near 7 px a letter: longer labels would run off the left
    for i, (label, value) in enumerate(items):
        y = 4 + i * row
        shown = label if len(label) <= max_chars else label[: max_chars - 1] + "…"
        w = plot_w * value / top_value
        colour = (colours or PALETTE)[i % len(colours or PALETTE)] if colours else PALETTE[0]
        parts.append(
            f'<text x="{label_width - 6}" y="{y + row / 2 + 4:.1f}" text-anchor="end" fill="{TEXT}">'
            f"<title>{escape(label)}</title>{escape(shown)}</text>"
        )
        if value:
            parts.append(
                f'<rect class="bar" x="{label_width}" y="{y + 3}" width="{max(w, 1.5):.1f}" height="{row - 6}" '
                f'fill="{colour}"><title>{escape(f"{label}: {label_of(value)}")}</title></rect>'
            )
        parts.append(
            f'<text x="{label_width + max(w, 1.5) + 4:.1f}" y="{y + row / 2 + 4:.1f}" fill="{TEXT}">'
            f"{escape(label_of(value))}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
