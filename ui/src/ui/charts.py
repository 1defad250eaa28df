"""Pure functions drawing accessible SVG charts.

Every chart is ``role="img"`` named by its ``<title>`` and described by its ``<desc>``; the page shows the same
numbers in a table next to it. Colours keep text at 4.5:1 and bars at 3:1 or more against white.
"""

import math
import re
from collections.abc import Sequence
from typing import Literal

from markupsafe import Markup, escape

INK = "#1a1a1a"  # text: 17.4:1 on white
MUTED = "#595959"  # axes and secondary text: 7:1 on white
BAR = "#1f5fa8"  # marks: 6.4:1 on white
GRID = "#d9d9d9"  # decorative grid lines only
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


def safe_id(raw: str) -> str:
    """An id usable in HTML and SVG (letters, digits, ``-`` and ``_``; starting with a letter)."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", raw).strip("-")
    return cleaned if cleaned[:1].isalpha() else f"c-{cleaned}"


def _open(chart_id: str, width: float, height: float, title: str, desc: str) -> list[str]:
    cid = safe_id(chart_id)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{cid}" viewBox="0 0 {width:g} {height:g}" '
        f'width="{width:g}" height="{height:g}" role="img" aria-labelledby="{cid}-title {cid}-desc" '
        f'font-family="{FONT}" font-size="13">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(desc)}</desc>',
    ]


def _text(x: float, y: float, content: str, anchor: str = "start", fill: str = INK, weight: str = "normal") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}" font-weight="{weight}">'
        f"{escape(content)}</text>"
    )


def _format(value: float, decimals: int, unit: str) -> str:
    number = f"{value:,.{decimals}f}"
    return f"{number} {unit}".strip()


def horizontal_bars(
    chart_id: str,
    title: str,
    desc: str,
    bars: Sequence[tuple[str, float]],
    *,
    maximum: float | None = None,
    decimals: int = 2,
    unit: str = "",
) -> Markup:
    """A horizontal bar chart: one labelled bar per ``(label, value)``, scaled to ``maximum`` (default: largest)."""
    label_w, bar_w, value_w, row_h, top = 200.0, 300.0, 110.0, 28.0, 8.0
    width, height = label_w + bar_w + value_w, top * 2 + row_h * max(len(bars), 1) + 18
    scale = maximum if maximum and maximum > 0 else max((v for _, v in bars), default=0.0) or 1.0
    parts = _open(chart_id, width, height, title, desc)
    axis_bottom = top + row_h * max(len(bars), 1)
    for index, (label, raw) in enumerate(bars):
        value = max(float(raw), 0.0)
        y = top + index * row_h
        length = bar_w * min(value / scale, 1.0)
        parts.append(_text(label_w - 8, y + 18, label, anchor="end"))
        if length > 0:
            parts.append(
                f'<rect x="{label_w:.1f}" y="{y + 5:.1f}" width="{length:.1f}" height="{row_h - 10:.1f}" fill="{BAR}"/>'
            )
        parts.append(_text(label_w + length + 6, y + 18, _format(value, decimals, unit)))
    parts.append(f'<line x1="{label_w}" y1="{top}" x2="{label_w}" y2="{axis_bottom}" stroke="{MUTED}"/>')
    parts.append(_text(label_w, axis_bottom + 14, _format(0, decimals, unit), anchor="middle", fill=MUTED))
    parts.append(_text(label_w + bar_w, axis_bottom + 14, _format(scale, decimals, unit), anchor="middle", fill=MUTED))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text and attribute value above is escaped)


def nice_maximum(value: float) -> float:
    """The smallest of 1, 2, 2.5 or 5 times a power of ten that is at least ``value`` (1 for 0)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value * (1 - 1e-12):
            return float(step * power)
    return float(10 * power)


def series_chart(
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    kind: Literal["bar", "line"] = "bar",
    decimals: int = 0,
) -> Markup:
    """A time series (one value per label, oldest first) as bars or a line, with a y axis from 0."""
    width, height, left, right, top, bottom = 640.0, 220.0, 64.0, 16.0, 12.0, 40.0
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = nice_maximum(max((float(v) for v in values), default=0.0))
    parts = _open(chart_id, width, height, title, desc)
    for fraction in (0.0, 0.5, 1.0):
        y = top + plot_h * (1 - fraction)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(_text(left - 6, y + 4, _format(top_value * fraction, decimals, ""), anchor="end", fill=MUTED))
    step = plot_w / max(len(values), 1)
    base = top + plot_h
    points = [(left + step * (i + 0.5), base - plot_h * max(float(v), 0.0) / top_value) for i, v in enumerate(values)]
    parts += _marks(points, kind, step, base)
    parts.append(f'<line x1="{left}" y1="{base}" x2="{width - right}" y2="{base}" stroke="{MUTED}"/>')
    parts += _x_labels(labels, left, step, base + 18)
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text and attribute value above is escaped)


def _marks(points: Sequence[tuple[float, float]], kind: str, step: float, base: float) -> list[str]:
    if kind == "bar":
        bar_w = max(step * 0.8, 0.5)
        return [
            f'<rect x="{x - bar_w / 2:.2f}" y="{y:.2f}" width="{bar_w:.2f}" height="{base - y:.2f}" fill="{BAR}"/>'
            for x, y in points
            if base - y > 0
        ]
    if len(points) == 1:
        return [f'<circle cx="{points[0][0]:.2f}" cy="{points[0][1]:.2f}" r="3" fill="{BAR}"/>']
    if len(points) > 1:
        path = " ".join(f"{x:.2f},{y:.2f}" for x, y in points)
        return [f'<polyline points="{path}" fill="none" stroke="{BAR}" stroke-width="2"/>']
    return []


def _x_labels(labels: Sequence[str], left: float, step: float, y: float) -> list[str]:
    if not labels:
        return []
    chosen = sorted({0, len(labels) // 2, len(labels) - 1})
    anchors = {0: "start", len(labels) - 1: "end"}
    return [_text(left + step * (i + 0.5), y, labels[i], anchor=anchors.get(i, "middle"), fill=MUTED) for i in chosen]


def describe_series(labels: Sequence[str], values: Sequence[float], unit: str, decimals: int = 0) -> str:
    """A one-sentence summary of a series for the chart's ``<desc>``."""
    if not values:
        return "No data in this window."
    peak = max(range(len(values)), key=lambda i: values[i])
    first, last = labels[0] if labels else "", labels[-1] if labels else ""
    return (
        f"{len(values)} points from {first} to {last}; highest {_format(values[peak], decimals, unit)} "
        f"at {labels[peak] if labels else peak}; latest {_format(values[-1], decimals, unit)}."
    )


def describe_bars(bars: Sequence[tuple[str, float]], decimals: int = 2, unit: str = "") -> str:
    """A one-sentence summary of a bar chart for its ``<desc>``."""
    if not bars:
        return "No values."
    return "; ".join(f"{label}: {_format(value, decimals, unit)}" for label, value in bars) + "."
