"""Server-side SVG bar charts (issue 16 point 6): no script, no inline style (the CSP allows
neither), so colours come from classes in static/css/performance.css. Horizontal bars, one
per month, so that two years of months stay readable on a 375-pixel phone and on paper. Each
chart is an image with an accessible name (<title>) and description (<desc>); the page puts
its data table and a one-sentence summary beside it."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH = 400
LABEL_WIDTH = 100
VALUE_WIDTH = 70
ROW_HEIGHT = 30
BAR_HEIGHT = 18
TOP = 8


@dataclass(frozen=True)
class Bar:
    label: str  # "Apr 2026"
    value: float  # the bar's length in the chart's unit
    text: str  # what is written at its end ("80%", "12", "no data")


def bar_chart(*, chart_id: str, title: str, description: str, bars: list[Bar],
              maximum: float | None = None) -> SafeString:
    """A horizontal bar chart as inline SVG. `maximum` fixes the scale (100 for percentages);
    otherwise the largest value sets it."""
    top = maximum if maximum else max((b.value for b in bars), default=0) or 1
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = TOP * 2 + ROW_HEIGHT * max(len(bars), 1)
    parts = [format_html(
        '<svg class="app-chart" id="{0}" role="img" aria-labelledby="{0}-title {0}-desc" '
        'viewBox="0 0 {1} {2}" width="100%" preserveAspectRatio="xMinYMin meet" '
        'xmlns="http://www.w3.org/2000/svg">'
        '<title id="{0}-title">{3}</title><desc id="{0}-desc">{4}</desc>',
        chart_id, WIDTH, height, title, description)]
    parts.append(format_html('<line class="app-chart__axis" x1="{0}" y1="{1}" x2="{0}" '
                             'y2="{2}"></line>', LABEL_WIDTH, TOP, height - TOP))
    for i, bar in enumerate(bars):
        y = TOP + i * ROW_HEIGHT
        length = round(plot * max(bar.value, 0) / top, 1)
        middle = y + ROW_HEIGHT / 2
        parts.append(format_html(
            '<text class="app-chart__label" x="{}" y="{}" text-anchor="end" '
            'dominant-baseline="middle">{}</text>', LABEL_WIDTH - 6, middle, bar.label))
        if length:
            parts.append(format_html(
                '<rect class="app-chart__bar" x="{}" y="{}" width="{}" height="{}"></rect>',
                LABEL_WIDTH, y + (ROW_HEIGHT - BAR_HEIGHT) / 2, length, BAR_HEIGHT))
        parts.append(format_html(
            '<text class="app-chart__value" x="{}" y="{}" dominant-baseline="middle">{}</text>',
            LABEL_WIDTH + length + 4, middle, bar.text))
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308 - every piece escaped
