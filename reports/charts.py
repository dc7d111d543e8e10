"""Charts drawn on the server as inline SVG: no JavaScript, nothing fetched from elsewhere.

Each chart is a plain function of its numbers and returns markup that scales to its card (a viewBox, width
100%). Readable at a glance: a title and description for screen readers (<title>/<desc>), axis labels, value
labels where they fit, a tooltip (<title>) on every bar, and the Okabe-Ito palette, which people with any
common colour-vision deficiency tell apart. Every text is escaped.
"""

from collections.abc import Callable, Sequence
from itertools import count
from math import ceil

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


# Widths at 11 px in DejaVu Sans of the signs that differ most from a letter's.
_SIGNS = {" ": 3.5, ".": 3.5, ",": 3.5, ":": 3.7, ";": 3.7, "/": 3.7, "(": 4.3, ")": 4.3, "%": 10.5, "+": 9.3,
          "=": 9.3, "≥": 9.3, "–": 5.5, "—": 11.0, "«": 6.8, "»": 6.8}  # fmt: skip


def text_width(text: str, size: float = 11) -> float:
    """About how wide `text` runs at `size` (in the chart's units), measured on DejaVu Sans, the widest of the
    usual sans-serif fonts (Linux's default): where it fits, narrower fonts fit too."""
    total = 0.0
    for char in text:
        if char in _SIGNS:
            total += _SIGNS[char]
        elif char.isdigit():
            total += 7.0
        elif "а" <= char.lower() <= "я" or char in "ёЁ":
            total += 8.4 if char.isupper() else 7.3
        elif char.isalpha():
            total += 7.4 if char.isupper() else 6.2
        else:
            total += 6.0
    return total * size / 11


def wrap(text: str, width: float, size: float = 11) -> list[str]:
    """The text in lines no wider than `width`, broken between words (a word wider than a line stands alone)."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", size) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def _open(kind: str, width: int, height: int, title: str, desc: str) -> tuple[str, list[str]]:
    ident = f"chart-{next(_ids)}"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{ident}-t {ident}-d" {FONT} font-size="11">'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>'
    )
    return ident, [head]


EMPTY_HEIGHT = 40


def _empty(kind: str, width: int, title: str, desc: str) -> SafeString:
    """A chart with nothing to draw: one line saying so, as low as the line (not an empty plot's height)."""
    # The words are a gettext call of their own: makemessages (xgettext before 0.22) finds none inside f-strings.
    words = _("No data for this period")
    _ident, parts = _open(kind, width, EMPTY_HEIGHT, title, desc)
    parts.append(
        f'<text x="{width / 2}" y="{EMPTY_HEIGHT / 2 + 4}" text-anchor="middle" fill="{MUTED}" font-size="13">'
        f"{escape(words)}</text></svg>"
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


def _x_labels(
    parts: list[str],
    labels: Sequence[str],
    *,
    left: int,
    slot: float,
    y: float,
    width: int,
    keep: Sequence[int] = (),
) -> None:
    """Every label where they fit, else every k-th; the first, the last and those in `keep` (a date with its
    year) come first, a label that would touch one already placed is left out, and none runs off the chart's
    `width` (one at an end is moved in)."""
    if not labels:
        return
    widths = [text_width(label) for label in labels]
    typical = sorted(widths)[len(widths) // 2]
    every = max(1, int((typical + 6) // slot) + 1)
    last = len(labels) - 1
    order = list(dict.fromkeys([0, *keep, last, *range(0, len(labels), every)]))
    placed: dict[int, float] = {}
    for i in order:
        half = widths[i] / 2
        x = min(max(left + slot * (i + 0.5), half + 1), width - half - 1)
        if any(x - half - 3 < other + widths[j] / 2 + 3 and other - widths[j] / 2 - 3 < x + half + 3
               for j, other in placed.items()):  # fmt: skip
            continue
        placed[i] = x
    for i in sorted(placed):
        parts.append(
            f'<text x="{placed[i]:.1f}" y="{y}" text-anchor="middle" fill="{MUTED}">{escape(labels[i])}</text>'
        )


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
    tips: Sequence[str] | None = None,
    keep: Sequence[int] = (),
) -> SafeString:
    """Vertical bars with one segment per series (a legend above names them), the total over each bar.

    `tips` name the bars in their tooltips where the axis's labels are short (a day's date with its year), and
    the labels at `keep` are shown before others (see _x_labels)."""
    kind = "stacked" if len(series) > 1 else "bar"
    totals = [sum(values[i] for _name, values in series) for i in range(len(labels))]
    if not labels or not any(totals):
        return _empty(kind, width, title, desc)
    _ident, parts = _open(kind, width, height, title, desc)
    legend = len(series) > 1
    left, right, top, bottom = 46, 8, 24 if legend else 14, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(max(totals))
    _y_axis(parts, left=left, top=top, plot_w=plot_w, plot_h=plot_h, top_value=top_value, label=y_label)
    slot = plot_w / len(labels)
    bar_w = max(1.0, slot * 0.78)
    show_values = slot >= max(text_width(_fmt(t)) for t in totals) + 2
    if legend:
        x = left
        for k, (name, _values) in enumerate(series):
            colour = PALETTE[k % len(PALETTE)]
            parts.append(
                f'<rect x="{x}" y="5" width="10" height="10" fill="{colour}"/>'
                f'<text x="{x + 14}" y="14" fill="{TEXT}">{escape(name)}</text>'
            )
            x += 24 + int(text_width(name))
    for i, label in enumerate(labels):
        tip_label = tips[i] if tips else label
        x = left + slot * i + (slot - bar_w) / 2
        y_base = top + plot_h
        for k, (name, values) in enumerate(series):
            value = values[i]
            if not value:
                continue
            h = plot_h * value / top_value
            tip = f"{tip_label}: {_fmt(value)}" if not name else f"{tip_label}, {name}: {_fmt(value)}"
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
    _x_labels(parts, labels, left=left, slot=slot, y=top + plot_h + 13, width=width, keep=keep)
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
    if not bins or not any(n for _edge, _range, n in bins):
        return _empty("histogram", width, title, desc)
    _ident, parts = _open("histogram", width, height, title, desc)
    edges = [edge for edge, _range, _n in bins]
    left, top, bottom = 46, 14, 34
    # The edges stand under the bars' left sides: the last (the open bin's "10 000+") needs its bar and the
    # right margin to be as wide as it is. Solved for the margin: last <= (width - left - right) / n + right - 2.
    n = len(bins)
    right = max(8, ceil((text_width(edges[-1]) + 2 - (width - left) / n) / (1 - 1 / n))) if n > 1 else 8
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
    # Edges under the bars' left sides: a histogram's axis reads as a ruler. Every k-th, and always the last
    # (the open bin's), which the one before it gives way to.
    every = max(1, int((max(text_width(e) for e in edges) + 8) // slot) + 1)
    last = len(edges) - 1
    shown = [i for i in range(0, last, every) if slot * i + text_width(edges[i]) + 6 <= slot * last] + [last]
    for i in shown:
        parts.append(
            f'<text x="{left + slot * i:.1f}" y="{top + plot_h + 13}" text-anchor="start" fill="{MUTED}">'
            f"{escape(edges[i])}</text>"
        )
    parts.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 4}" text-anchor="middle" fill="{TEXT}">'
        f"{escape(x_label)}</text></svg>"
    )
    return mark_safe("".join(parts))


LINE = 13  # a wrapped label's line height


def bar_list(
    *,
    title: str,
    desc: str,
    items: Sequence[tuple[str, float | None]],
    value_label: Callable[[float], str] | None = None,
    width: int = 440,
    row: int = 20,
    label_width: int = 190,
    colours: Sequence[str] | None = None,
    tips: Sequence[str] | None = None,
    series: Sequence[tuple[str, Sequence[float]]] | None = None,
) -> SafeString:
    """Horizontal bars, one per (label, value) row, the label on the left and the value at the bar's end; for
    rankings and mixes, where the names are long.

    A label wider than its column wraps onto more lines (never cut short); `tips` add a tooltip to each label
    (the technical name behind a plain one). A value of None is "nothing to measure": a dash, no bar. With
    `series` (name, values per row), each bar is split into their segments, named by a legend above."""
    if not items or not any(value for _label, value in items):
        return _empty("bars", width, title, desc)
    label_of = value_label or _fmt

    def shown_value(value: float | None) -> str:
        return "–" if value is None else label_of(value)

    shown = [shown_value(value) for _label, value in items]

    blocks = [wrap(label, label_width - 10) for label, _value in items]
    heights = [max(row, LINE * len(lines) + 6) for lines in blocks]
    legend = 16 * len(series) + 4 if series else 0
    height = legend + sum(heights) + 8
    _ident, parts = _open("bars", width, height, title, desc)
    longest_value = max(text_width(text) for text in shown)
    plot_w = width - label_width - 8 - longest_value
    top_value = max(value or 0 for _label, value in items) or 1
    palette = colours or PALETTE
    for k, (name, _values) in enumerate(series or ()):  # one line each: the names are long
        parts.append(
            f'<rect x="4" y="{4 + 16 * k}" width="10" height="10" fill="{palette[k % len(palette)]}"/>'
            f'<text x="18" y="{13 + 16 * k}" fill="{TEXT}">{escape(name)}</text>'
        )
    y = 4 + legend
    for i, ((label, value), lines, block) in enumerate(zip(items, blocks, heights, strict=True)):
        middle = y + block / 2
        tip = tips[i] if tips else label
        first = middle + 4 - LINE * (len(lines) - 1) / 2
        spans = "".join(
            f'<tspan x="{label_width - 6}" y="{first + LINE * k:.1f}">{escape(line)}</tspan>'
            for k, line in enumerate(lines)
        )
        parts.append(f'<text text-anchor="end" fill="{TEXT}"><title>{escape(tip)}</title>{spans}</text>')
        w = plot_w * (value or 0) / top_value
        bar_y, bar_h = middle - (row - 6) / 2, row - 6
        if value and series:
            x = float(label_width)
            for k, (name, values) in enumerate(series):
                part = values[i]
                if not part:
                    continue
                part_w = plot_w * part / top_value
                parts.append(
                    f'<rect class="bar" x="{x:.1f}" y="{bar_y:.1f}" width="{max(part_w, 1.5):.1f}" '
                    f'height="{bar_h}" fill="{palette[k % len(palette)]}">'
                    f"<title>{escape(f'{label}, {name}: {label_of(part)}')}</title></rect>"
                )
                x += part_w
        elif value:
            colour = palette[i % len(palette)] if colours else PALETTE[0]
            parts.append(
                f'<rect class="bar" x="{label_width}" y="{bar_y:.1f}" width="{max(w, 1.5):.1f}" '
                f'height="{bar_h}" fill="{colour}"><title>{escape(f"{label}: {shown[i]}")}</title></rect>'
            )
        parts.append(
            f'<text x="{label_width + max(w, 1.5) + 4:.1f}" y="{middle + 4:.1f}" fill="{TEXT}">'
            f"{escape(shown[i])}</text>"
        )
        y += block
    parts.append("</svg>")
    return mark_safe("".join(parts))
