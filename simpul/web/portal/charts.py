"""Geometry of the dashboard's charts, drawn on the server as inline SVG: the positions are
computed here, the templates only place them and the colours come from ``portal.css`` (the
content security policy allows no inline style). Each chart has a table beside it that says
the same in text."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

# the tile colours by share of organizations reported: (upper bound, class); the colours and
# their text colour (contrast >= 4.5:1, tested) are in portal.css under .tile.c0 ... .tile.c4
TILE_BINS = ((0.25, "c0"), (0.5, "c1"), (0.75, "c2"), (1.0, "c3"))
NO_SHARE = "cx"  # nobody is expected to report there


def tile_class(share: float | None) -> str:
    if share is None:
        return NO_SHARE
    for bound, name in TILE_BINS:
        if share < bound:
            return name
    return "c4"  # everyone reported


@dataclass
class Series:
    label: str
    css: str
    points: list[tuple[date, float]]
    dashed: bool = False


@dataclass
class LineChart:
    """A line chart of values over days: each series as SVG polyline points."""

    width: int = 640
    height: int = 240
    left: int = 52
    right: int = 16
    top: int = 12
    bottom: int = 36
    series: list[dict[str, Any]] = field(default_factory=list)
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    y_ticks: list[tuple[float, str]] = field(default_factory=list)

    @property
    def plot(self) -> dict[str, float]:
        return {
            "x1": self.left,
            "x2": self.width - self.right,
            "y1": self.top,
            "y2": self.height - self.bottom,
        }


def line_chart(
    series: list[Series], *, start: date, end: date, top: float, percent: bool = False
) -> LineChart:
    """``series`` between the days ``start`` and ``end`` on a scale from 0 to ``top``."""
    chart = LineChart()
    if end <= start:
        start, end = start - timedelta(days=1), start + timedelta(days=1)
    top = top or 1
    span = (end - start).days
    x_lo, x_hi = chart.left, chart.width - chart.right
    y_lo, y_hi = chart.height - chart.bottom, chart.top

    def x(day: date) -> float:
        return round(x_lo + (x_hi - x_lo) * (day - start).days / span, 1)

    def y(value: float) -> float:
        return round(y_lo - (y_lo - y_hi) * value / top, 1)

    for s in series:
        coords = [(x(d), y(v)) for d, v in s.points if start <= d <= end]
        chart.series.append(
            {
                "label": s.label,
                "css": s.css,
                "dashed": s.dashed,
                "points": " ".join(f"{a},{b}" for a, b in coords),
                "dots": coords if len(coords) < 40 else [],
            }
        )
    for i in range(5):
        value = top * i / 4
        label = f"{round(value * 100)}%" if percent else f"{value:,.0f}".replace(",", ".")
        chart.y_ticks.append((y(value), label))
    for i in range(5):
        day = start + timedelta(days=round(span * i / 4))
        chart.x_ticks.append((x(day), day.isoformat()))
    return chart


def steps(points: list[tuple[date, float]], start: date, end: date) -> list[tuple[date, float]]:
    """A running count as a step line from ``start`` (0) to ``end``: each value holds until
    the next change."""
    out: list[tuple[date, float]] = [(start, 0.0)]
    for day, value in points:
        day = max(day, start)
        out += [(day, out[-1][1]), (day, value)]
    out.append((end, out[-1][1]))
    return [(d, v) for d, v in out if d <= end]
