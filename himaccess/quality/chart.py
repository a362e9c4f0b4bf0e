"""A bar chart of scores drawn on the server as SVG: no script, readable without images (table beside it)."""

from __future__ import annotations

from xml.sax.saxutils import escape

from himaccess.quality.actions import AreaScore

BAR_HEIGHT = 22
LABEL_WIDTH = 150
CHART_WIDTH = 300


def score_bars(scores: list[AreaScore], *, title: str) -> str:
    height = BAR_HEIGHT * len(scores) + 10
    width = LABEL_WIDTH + CHART_WIDTH + 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="chart-title" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f'<title id="chart-title">{escape(title)}</title>',
    ]
    for row, area in enumerate(scores):
        y = 5 + row * BAR_HEIGHT
        bar = round(CHART_WIDTH * area.score / 100)
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end" font-size="13">'
            f"{escape(area.name)}</text>"
        )
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{bar}" height="{BAR_HEIGHT - 6}" fill="#1d5e8c"/>'
        )
        parts.append(f'<text x="{LABEL_WIDTH + bar + 4}" y="{y + 15}" font-size="13">{area.score:.1f}</text>')
    parts.append("</svg>")
    return "".join(parts)
