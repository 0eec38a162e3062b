"""Accessible SVG charts drawn on the server: pure functions of numbers and labels, no ORM, no scripts.

Every chart is an ``<svg role="img">`` with a ``<title>`` and ``<desc>`` it is labelled by, a ``viewBox``
so that it scales to its container, every text escaped, and more than colour to tell series apart:
each line has its own marker shape and dash pattern and is labelled directly at its end.
Suppressed values (small counts, and values that would give one away) are left out of the drawing and said so in
the description.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape

from projects.suppression import SUPPRESSED_LABEL

# Colours with at least 3:1 contrast against white (WCAG 1.4.11), distinguishable in the common colour-blindnesses
# when combined with the marker shapes and dash patterns below.
PALETTE = ("#0b5394", "#b4480b", "#1d6b3e", "#7b2d8b", "#a3123a", "#00727a", "#6b5300", "#4a5563")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "", "6 3", "2 3", "8 3 2 3")
MARKERS = ("circle", "square", "triangle", "diamond", "circle", "square", "triangle", "diamond")
AXIS = "#4a5563"
GRID = "#d5dce4"
INK = "#1b2430"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


@dataclass(frozen=True)
class Point:
    """One value at a category of the x axis (a period); ``value`` is None when missing or suppressed."""

    x: str
    value: float | None
    suppressed: bool = False


@dataclass(frozen=True)
class Series:
    name: str
    points: Sequence[Point] = field(default_factory=tuple)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    suppressed: bool = False
    highlight: bool = False
    note: str = ""


@dataclass(frozen=True)
class Marker:
    """A vertical line at ``position`` (in x categories, sorted as the chart sorts them: 1.5 is halfway between the
    second and the third), labelled ``label``: a decision date on an indicator's series."""

    position: float
    label: str


def date_position(periods: Sequence[tuple[str, object]], when) -> float | None:
    """Where the date ``when`` falls among ``periods`` ((label, first day) pairs, any order), as a ``Marker``
    position: the index of the period it falls in plus the share of that period gone by; clamped to the first and
    last period. None without periods."""
    ordered = sorted(dict(periods).items())
    if not ordered:
        return None
    if when <= ordered[0][1]:
        return 0.0
    for index, (_label, start) in enumerate(ordered[:-1]):
        following = ordered[index + 1][1]
        if start <= when < following:
            return index + (when - start).days / max(1, (following - start).days)
    return float(len(ordered) - 1)


def _attr(value) -> str:
    return escape(str(value), quote=True)


def _num(value: float) -> str:
    """A coordinate with at most one decimal."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def format_value(value, *, decimals: int = 2) -> str:
    """A number for people: thousands separated, at most ``decimals`` decimals, no trailing zeros."""
    if value is None:
        return "–"
    number = float(value) if not isinstance(value, float) else value
    if number == int(number) and abs(number) < 1e15:
        return f"{int(number):,}"
    text = f"{number:,.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def nice_step(span: float, max_ticks: int = 5) -> float:
    """The 1/2/2.5/5 × 10ⁿ step that divides ``span`` into at most ``max_ticks`` intervals."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / max(1, max_ticks)
    magnitude = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        step = multiple * magnitude
        if step >= raw * (1 - 1e-9):
            return step
    return 10 * magnitude


def nice_ticks(low: float, high: float, max_ticks: int = 5) -> list[float]:
    """Round tick values covering ``low``…``high`` (a flat range gets a band around it)."""
    if low > high:
        low, high = high, low
    if low == high:
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
        if low < 0 <= low + pad:  # a flat positive series starts at zero
            low = 0.0
    step = nice_step(high - low, max_ticks)
    start = math.floor(low / step + 1e-9) * step
    end = math.ceil(high / step - 1e-9) * step
    count = int(round((end - start) / step))
    ticks = [start + i * step for i in range(count + 1)]
    return [0.0 if abs(t) < step * 1e-9 else round(t, 10) for t in ticks]


def _svg_open(*, width: int, height: int, chart_id: str, title: str, desc: str, css_class: str) -> list[str]:
    cid = _attr(chart_id)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{_attr(css_class)}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{cid}-title {cid}-desc" preserveAspectRatio="xMidYMid meet" '
        f'font-family="{_attr(FONT)}">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(desc)}</desc>',
    ]


def _marker(shape: str, x: float, y: float, colour: str, *, tooltip: str = "", size: float = 4.5) -> str:
    """A data point in the series' own shape; ``tooltip`` becomes its hover title."""
    inner = f">{'<title>' + escape(tooltip) + '</title>' if tooltip else ''}"
    if shape == "square":
        return (
            f'<rect x="{_num(x - size)}" y="{_num(y - size)}" width="{_num(2 * size)}" height="{_num(2 * size)}" '
            f'fill="{colour}"{inner}</rect>'
        )
    if shape in ("triangle", "diamond"):
        s = size + 1
        corners = (
            [(x, y - s), (x - s, y + size), (x + s, y + size)]
            if shape == "triangle"
            else [(x, y - s), (x + s, y), (x, y + s), (x - s, y)]
        )
        points = " ".join(f"{_num(cx)},{_num(cy)}" for cx, cy in corners)
        return f'<polygon points="{points}" fill="{colour}"{inner}</polygon>'
    return f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(size)}" fill="{colour}"{inner}</circle>'


def _empty(*, width: int, height: int, chart_id: str, title: str, message: str, css_class: str) -> str:
    parts = _svg_open(width=width, height=height, chart_id=chart_id, title=title, desc=message, css_class=css_class)
    parts.append(
        f'<text x="{width // 2}" y="{height // 2}" text-anchor="middle" fill="{AXIS}" font-size="15">'
        f"{escape(message)}</text>"
    )
    parts.append("</svg>")
    return "".join(parts)


def _thin_labels(labels: Sequence[str], room: float) -> set[int]:
    """Indexes of x labels to print so that they do not overlap (first and last always)."""
    if not labels:
        return set()
    widest = max(len(label) for label in labels) * 7 + 8
    every = max(1, math.ceil(widest / max(room, 1)))
    shown = set(range(0, len(labels), every))
    shown.add(len(labels) - 1)
    if every > 1 and len(labels) - 1 - max(shown - {len(labels) - 1}, default=0) < every:
        shown.discard(max(shown - {len(labels) - 1}, default=-1))
    return shown


def line_chart(
    series: Sequence[Series],
    *,
    title: str,
    unit: str = "",
    chart_id: str = "chart",
    width: int = 720,
    height: int = 340,
    suppressed_label: str = SUPPRESSED_LABEL,
    empty_message: str = "No data to chart yet.",
    marker: Marker | None = None,
) -> str:
    """Lines over shared x categories (periods, in the order first seen), one marker shape and dash per series;
    ``marker`` draws a labelled vertical line (said in the description too)."""
    categories: list[str] = []
    for s in series:
        for p in s.points:
            if p.x not in categories:
                categories.append(p.x)
    values = [p.value for s in series for p in s.points if p.value is not None and not p.suppressed]
    if not values:
        return _empty(
            width=width, height=height, chart_id=chart_id, title=title, message=empty_message, css_class="chart"
        )
    categories.sort()
    ticks = nice_ticks(min(values), max(values))
    low, high = ticks[0], ticks[-1]
    longest_name = max((len(s.name) for s in series), default=0)
    left, top, bottom = 64, 34, 44
    right = min(190, 24 + 7 * min(longest_name, 24))
    plot_w, plot_h = width - left - right, height - top - bottom

    def sx(index: int) -> float:
        return left + (plot_w / 2 if len(categories) == 1 else plot_w * index / (len(categories) - 1))

    def sy(value: float) -> float:
        return top + plot_h * (1 - (value - low) / ((high - low) or 1))

    suppressed = sum(1 for s in series for p in s.points if p.suppressed)
    desc = _line_desc(series, unit, suppressed, suppressed_label)
    if marker is not None:
        desc = f"{desc} {marker.label}."
    parts = _svg_open(width=width, height=height, chart_id=chart_id, title=title, desc=desc, css_class="chart")
    parts.append(f'<text x="{left}" y="{top - 14}" font-size="13" fill="{AXIS}">{escape(unit)}</text>')
    for tick in ticks:
        y = sy(tick)
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{_num(y)}" y2="{_num(y)}" stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{left - 8}" y="{_num(y + 4)}" text-anchor="end" font-size="12" fill="{AXIS}">'
            f"{escape(format_value(tick))}</text>"
        )
    if low < 0 < high:
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{_num(sy(0))}" y2="{_num(sy(0))}" stroke="{AXIS}"/>')
    room = plot_w / max(1, len(categories) - 1) if len(categories) > 1 else plot_w
    shown = _thin_labels(categories, room)
    base = top + plot_h
    parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{base}" y2="{base}" stroke="{AXIS}"/>')
    for index, category in enumerate(categories):
        if index in shown:
            parts.append(
                f'<text x="{_num(sx(index))}" y="{base + 20}" text-anchor="middle" font-size="12" fill="{AXIS}">'
                f"{escape(category)}</text>"
            )
    if marker is not None:
        position = min(max(marker.position, 0.0), max(0, len(categories) - 1))
        mx = left + plot_w / 2 if len(categories) == 1 else left + plot_w * position / (len(categories) - 1)
        anchor = "end" if mx > left + plot_w * 0.6 else "start"
        nudge = -6 if anchor == "end" else 6
        parts.append(
            f'<g class="chart__marker"><line x1="{_num(mx)}" x2="{_num(mx)}" y1="{top - 4}" y2="{base}" '
            f'stroke="{INK}" stroke-width="1.5" stroke-dasharray="4 3"/>'
            f'<text x="{_num(mx + nudge)}" y="{top + 8}" text-anchor="{anchor}" font-size="12" fill="{INK}">'
            f"{escape(_short(marker.label, 48))}</text></g>"
        )
    label_slots: list[float] = []
    for number, s in enumerate(series):
        colour, dash, shape = PALETTE[number % 8], DASHES[number % 8], MARKERS[number % 8]
        by_x = {p.x: p for p in s.points}
        segment: list[str] = []
        segments: list[list[str]] = []
        last_xy = None
        for index, category in enumerate(categories):
            point = by_x.get(category)
            if point is None or point.value is None or point.suppressed:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            x, y = sx(index), sy(point.value)
            segment.append(f"{_num(x)},{_num(y)}")
            last_xy = (x, y)
        if segment:
            segments.append(segment)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<g class="chart__series" data-series="{_attr(s.name)}">')
        for seg in segments:
            if len(seg) > 1:
                parts.append(
                    f'<polyline points="{" ".join(seg)}" fill="none" stroke="{colour}" stroke-width="2.5"'
                    f'{dash_attr} stroke-linejoin="round"/>'
                )
        for index, category in enumerate(categories):
            point = by_x.get(category)
            if point is None:
                continue
            x = sx(index)
            if point.suppressed:
                parts.append(
                    f'<text x="{_num(x)}" y="{base - 6}" text-anchor="middle" font-size="11" fill="{colour}">'
                    f"{escape(suppressed_label)}</text>"
                )
            elif point.value is not None:
                tooltip = f"{s.name}, {point.x}: {format_value(point.value)}{' ' + unit if unit else ''}"
                parts.append(_marker(shape, x, sy(point.value), colour, tooltip=tooltip))
        if last_xy is not None:
            y = last_xy[1] + 4
            for taken in label_slots:  # keep direct labels from overlapping
                if abs(taken - y) < 14:
                    y = taken + 14
            label_slots.append(y)
            parts.append(
                f'<text x="{_num(left + plot_w + 10)}" y="{_num(y)}" font-size="12" fill="{colour}" '
                f'font-weight="600">{escape(_short(s.name, 24))}</text>'
            )
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _line_desc(series: Sequence[Series], unit: str, suppressed: int, suppressed_label: str) -> str:
    sentences = []
    for s in series:
        shown = [p for p in s.points if p.value is not None and not p.suppressed]
        if not shown:
            continue
        first, last = shown[0], shown[-1]
        unit_text = f" {unit}" if unit else ""
        if first is last:
            sentences.append(f"{s.name}: {format_value(first.value)}{unit_text} in {first.x}.")
        else:
            sentences.append(
                f"{s.name}: from {format_value(first.value)}{unit_text} in {first.x} "
                f"to {format_value(last.value)}{unit_text} in {last.x}."
            )
    if suppressed:
        sentences.append(
            f"{suppressed} value{'s are' if suppressed != 1 else ' is'} suppressed ({suppressed_label}) "
            "to protect privacy and not drawn."
        )
    return " ".join(sentences)


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    unit: str = "",
    chart_id: str = "chart",
    width: int = 720,
    suppressed_label: str = SUPPRESSED_LABEL,
    empty_message: str = "No data to chart yet.",
) -> str:
    """Horizontal bars with their labels on the left and their values printed at the end (zero baseline)."""
    if not bars or all(b.value is None or b.suppressed for b in bars):
        return _empty(width=width, height=120, chart_id=chart_id, title=title, message=empty_message, css_class="chart")
    row, top, bottom = 30, 30, 34
    height = top + bottom + row * len(bars)
    longest = max(len(b.label) for b in bars)
    left = min(240, 16 + 7 * min(longest, 32))
    right = 90
    plot_w = width - left - right
    values = [b.value for b in bars if b.value is not None and not b.suppressed]
    ticks = nice_ticks(min(0.0, min(values)), max(0.0, max(values)))
    low, high = ticks[0], ticks[-1]

    def sx(value: float) -> float:
        return left + plot_w * (value - low) / ((high - low) or 1)

    suppressed = [b for b in bars if b.suppressed]
    desc_bits = [
        f"{b.label}: {suppressed_label if b.suppressed else format_value(b.value)}"
        + (f" {unit}" if unit and not b.suppressed and b.value is not None else "")
        for b in bars
    ]
    desc = "; ".join(desc_bits) + "."
    if suppressed:
        desc += (
            f" Values marked {suppressed_label} are suppressed to protect privacy (small counts, and values from"
            " which one could be worked out); their bars are omitted."
        )
    parts = _svg_open(width=width, height=height, chart_id=chart_id, title=title, desc=desc, css_class="chart")
    parts.append(f'<text x="{left}" y="16" font-size="13" fill="{AXIS}">{escape(unit)}</text>')
    base = top + row * len(bars)
    for tick in ticks:
        x = sx(tick)
        parts.append(f'<line x1="{_num(x)}" x2="{_num(x)}" y1="{top}" y2="{base}" stroke="{GRID}"/>')
        parts.append(
            f'<text x="{_num(x)}" y="{base + 18}" text-anchor="middle" font-size="12" fill="{AXIS}">'
            f"{escape(format_value(tick))}</text>"
        )
    zero = sx(0.0)
    for index, b in enumerate(bars):
        y = top + row * index
        colour = PALETTE[1] if b.highlight else PALETTE[0]
        weight = ' font-weight="700"' if b.highlight else ""
        parts.append(
            f'<text x="{left - 8}" y="{y + row / 2 + 4:.0f}" text-anchor="end" font-size="13" fill="{INK}"{weight}>'
            f"{escape(_short(b.label, 34))}</text>"
        )
        if b.suppressed or b.value is None:
            parts.append(
                f'<text x="{_num(zero + 6)}" y="{y + row / 2 + 4:.0f}" font-size="12" fill="{AXIS}">'
                f"{escape(suppressed_label if b.suppressed else '–')}"
                f"{escape(' (suppressed)' if b.suppressed else ' (no value)')}</text>"
            )
            continue
        x0, x1 = sorted((zero, sx(b.value)))
        pattern = ' stroke="#1b2430" stroke-width="1.5"' if b.highlight else ""
        parts.append(
            f'<rect x="{_num(x0)}" y="{y + 5}" width="{_num(max(x1 - x0, 1))}" height="{row - 10}" '
            f'fill="{colour}"{pattern}><title>{escape(b.label)}: {escape(format_value(b.value))}'
            f"{' ' + escape(unit) if unit else ''}</title></rect>"
        )
        anchor_x, anchor = (x1 + 6, "start") if b.value >= 0 else (x0 - 6, "end")
        parts.append(
            f'<text x="{_num(anchor_x)}" y="{y + row / 2 + 4:.0f}" text-anchor="{anchor}" font-size="12" '
            f'fill="{INK}"{weight}>{escape(format_value(b.value))}{escape(b.note)}</text>'
        )
    parts.append(f'<line x1="{_num(zero)}" x2="{_num(zero)}" y1="{top}" y2="{base}" stroke="{AXIS}"/>')
    parts.append("</svg>")
    return "".join(parts)


def sparkline(values: Sequence[float | None], *, label: str, width: int = 120, height: int = 32) -> str:
    """A small trend line for a card; labelled for screen readers by ``label`` (say the trend in words)."""
    points = [(i, float(v)) for i, v in enumerate(values) if v is not None]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sparkline" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{_attr(label)}" preserveAspectRatio="none">'
    ]
    if len(points) >= 1:
        low = min(v for _i, v in points)
        high = max(v for _i, v in points)
        span = (high - low) or 1.0
        count = max(1, len(values) - 1)
        coords = [
            (4 + (width - 8) * (i / count if len(values) > 1 else 0.5), height - 4 - (height - 8) * (v - low) / span)
            for i, v in points
        ]
        if len(coords) > 1:
            parts.append(
                f'<polyline points="{" ".join(f"{_num(x)},{_num(y)}" for x, y in coords)}" fill="none" '
                f'stroke="{PALETTE[0]}" stroke-width="2" vector-effect="non-scaling-stroke"/>'
            )
        x, y = coords[-1]
        parts.append(f'<circle cx="{_num(x)}" cy="{_num(y)}" r="3" fill="{PALETTE[1]}"/>')
    parts.append("</svg>")
    return "".join(parts)


def as_float(value) -> float | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    return float(value)
