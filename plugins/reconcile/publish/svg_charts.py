"""Inline SVG charts for a self-contained HTML page: horizontal bars, stacked bars, a trend line.

Knows nothing of the page it draws for: the caller gives the titles, labels, colours, how a
number reads (``fmt``) and the words shown when there is nothing to draw (``empty``). Every
text is escaped and every number also travels in ``data-*`` attributes (:mod:`data_attrs`),
so that tests read the same numbers a reader sees. No script: a ``<title>`` per mark is the
tooltip.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from markupsafe import Markup, escape

from reconcile.publish.data_attrs import data_attrs

__all__ = ["hbar_chart", "line_chart", "stacked_chart"]

DEFAULT_COLOR = "#1565c0"
Formatter = Callable[[float], str]


def _nice_max(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is at least ``value``."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    return next(
        step * magnitude for step in (1, 2, 2.5, 5, 10) if value <= step * magnitude * 1.0000001
    )


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _svg_open(chart_id: str, title: str, width: int, height: int, attrs: dict[str, Any]) -> str:
    return (
        f'<svg id="{escape(chart_id)}" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{escape(chart_id)}-title"'
        f"{data_attrs(attrs)}>"
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
    )


def _empty(text: str, y: int) -> str:
    return f'<text x="10" y="{y}" class="empty">{escape(text)}</text>'


def _legend(items: Sequence[tuple[str, str]], x: int, y: int, right: int) -> tuple[str, int]:
    """Colour keys in rows that wrap before ``right``; returns the SVG and the rows' height."""
    out, start, rows = [], x, 1
    for label, color in items:
        size = 24 + int(len(label) * 6.6)
        if x > start and x + size > right:
            x, y, rows = start, y + 16, rows + 1
        out.append(
            f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{color}"/>'
            f'<text x="{x + 14}" y="{y}" class="legend">{escape(label)}</text>'
        )
        x += size
    return "".join(out), rows * 16


def hbar_chart(
    chart_id: str,
    title: str,
    items: Sequence[dict[str, Any]],
    *,
    attrs: dict[str, Any],
    fmt: Formatter,
    empty: str,
    color: str = DEFAULT_COLOR,
    label_width: int = 300,
    width: int = 760,
) -> Markup:
    """Horizontal bars; each item has key, label, value and optional color and attrs (data-*)."""
    row, top = 24, 8
    height = top + row * max(len(items), 1) + 8
    scale = _nice_max(max((i["value"] for i in items), default=0))
    room = width - label_width - 90
    parts = [_svg_open(chart_id, title, width, height, attrs)]
    if not items:
        parts.append(_empty(empty, top + 16))
    for n, item in enumerate(items):
        y = top + n * row
        length = room * item["value"] / scale if scale else 0
        extra = {"key": item["key"], "value": item["value"], **item.get("attrs", {})}
        parts.append(
            f'<g class="bar"{data_attrs(extra)}>'
            f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end">'
            f"{escape(_clip(item['label'], label_width // 7))}</text>"
            f'<rect x="{label_width}" y="{y + 3}" width="{length:.1f}" height="{row - 8}" '
            f'fill="{item.get("color", color)}"><title>{escape(item["label"])}: '
            f"{escape(fmt(item['value']))}</title></rect>"
            f'<text x="{label_width + length + 6:.1f}" y="{y + 15}" class="value">'
            f"{escape(fmt(item['value']))}</text></g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked_chart(
    chart_id: str,
    title: str,
    rows: Sequence[dict[str, Any]],
    segments: Sequence[tuple[str, str, str]],
    *,
    attrs: dict[str, Any],
    fmt: Formatter,
    empty: str,
    label_width: int = 220,
    width: int = 760,
) -> Markup:
    """Horizontal stacked bars: rows have key, label, values {segment: n}; segments are
    (key, label, colour), their legend on top."""
    legend, legend_height = _legend(
        [(label, color) for _, label, color in segments], label_width, 16, width - 10
    )
    row, top = 30, 14 + legend_height
    height = top + row * max(len(rows), 1) + 8
    scale = _nice_max(max((sum(r["values"].values()) for r in rows), default=0))
    room = width - label_width - 80
    parts = [_svg_open(chart_id, title, width, height, attrs), legend]
    if not rows:
        parts.append(_empty(empty, top + 18))
    for n, item in enumerate(rows):
        y = top + n * row
        values = {key: item["values"].get(key, 0) for key, _, _ in segments}
        total = sum(values.values())
        extra = {"key": item["key"], "total": total, **values}
        parts.append(
            f'<g class="bar"{data_attrs(extra)}><text x="{label_width - 8}" y="{y + 18}" '
            f'text-anchor="end">{escape(_clip(item["label"], label_width // 7))}</text>'
        )
        x = float(label_width)
        for key, label, color in segments:
            length = room * values[key] / scale if scale else 0
            if values[key]:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y + 4}" width="{length:.1f}" height="{row - 10}" '
                    f'fill="{color}" data-segment="{escape(key)}" data-value="{values[key]}">'
                    f"<title>{escape(item['label'])} – {escape(label)}: {escape(fmt(values[key]))}"
                    "</title></rect>"
                )
            x += length
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 18}" class="value">{fmt(total)}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(
    chart_id: str,
    title: str,
    quarters: Sequence[str],
    series: Sequence[tuple[str, str, str, Sequence[float | None]]],
    *,
    attrs: dict[str, Any],
    fmt: Formatter,
    percent: bool = False,
    width: int = 500,
    height: int = 230,
) -> Markup:
    """A trend over quarters: series are (key, label, color, values); a None is a gap."""
    left, right, bottom = 64, 36, 28
    legend, legend_height = _legend(
        [(label, color) for _, label, color, _ in series], left, 14, width - right
    )
    top = 14 + legend_height
    values = [v for *_, vs in series for v in vs if v is not None]
    scale = _nice_max(max(values, default=0))
    if percent:
        scale = min(scale, 1.0)
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(quarters) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        x = left + (i * step if len(quarters) > 1 else plot_w / 2)
        return x, top + plot_h - plot_h * (v / scale if scale else 0)

    parts = [_svg_open(chart_id, title, width, height, attrs), legend]
    for tick in range(5):
        v = scale * tick / 4
        _, y = xy(0, v)
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="axis">'
            f"{escape(fmt(v))}</text>"
        )
    for i, q in enumerate(quarters):
        x, _ = xy(i, 0)
        parts.append(
            f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle" class="axis">{escape(q)}</text>'
        )
    for key, label, color, vs in series:
        points = [(i, v) for i, v in enumerate(vs) if v is not None]
        path = " ".join(
            f"{'M' if n == 0 else 'L'}{xy(i, v)[0]:.1f},{xy(i, v)[1]:.1f}"
            for n, (i, v) in enumerate(points)
        )
        parts.append(f'<g class="series" data-key="{escape(key)}">')
        if len(points) > 1:
            parts.append(f'<path d="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
        for i, v in points:
            x, y = xy(i, v)
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{color}" '
                f'data-quarter="{escape(quarters[i])}" data-value="{v}">'
                f"<title>{escape(label)} {escape(quarters[i])}: {escape(fmt(v))}</title></circle>"
            )
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))
