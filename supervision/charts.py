"""Server-side SVG charts: no JavaScript, no library; every chart is an image with a title and description for
screen readers (`role="img"`, `aria-labelledby`), and its numbers go in a table beneath it (the template)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PALETTE = ("#1f5fa8", "#2e8540", "#b35c00", "#6639ba", "#c0392b", "#5c6f82", "#00838f", "#8d6e63")


@dataclass
class Chart:
    """One chart: (label, value) rows, a title, the column headings of its table."""

    slug: str
    title: str
    description: str
    rows: list[tuple[str, int]]
    label_heading: str
    value_heading: str
    colors: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(v for _, v in self.rows)

    @property
    def svg(self) -> SafeString:
        return bar_chart_svg(self)


def _color(chart: Chart, i: int) -> str:
    return chart.colors[i] if i < len(chart.colors) else PALETTE[0]


def bar_chart_svg(chart: Chart, *, width: int = 520, bar_height: int = 22, gap: int = 8,
                  label_width: int = 190) -> SafeString:
    """A horizontal bar chart: one bar per row, its value written at its end (readable at any size)."""
    rows = chart.rows or [("—", 0)]
    top = max((v for _, v in rows), default=0) or 1
    plot = width - label_width - 60
    height = len(rows) * (bar_height + gap) + gap
    title_id, desc_id = f"chart-{chart.slug}-title", f"chart-{chart.slug}-desc"
    parts = [
        f'<svg class="sv-chart" role="img" aria-labelledby="{title_id} {desc_id}" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{title_id}">{escape(chart.title)}</title>',
        f'<desc id="{desc_id}">{escape(chart.description)}</desc>',
    ]
    for i, (label, value) in enumerate(rows):
        y = gap + i * (bar_height + gap)
        w = round(plot * value / top) if value else 0
        mid = y + bar_height / 2
        parts.append(f'<text x="{label_width - 8}" y="{mid}" text-anchor="end" dominant-baseline="middle" '
                     f'class="sv-chart-label">{escape(label)}</text>')
        parts.append(f'<rect x="{label_width}" y="{y}" width="{max(w, 1) if value else 0}" height="{bar_height}" '
                     f'rx="3" fill="{_color(chart, i)}"><title>{escape(label)}: {value}</title></rect>')
        parts.append(f'<text x="{label_width + w + 6}" y="{mid}" dominant-baseline="middle" '
                     f'class="sv-chart-value">{value}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text part above is escaped
