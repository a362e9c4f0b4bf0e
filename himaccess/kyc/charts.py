"""Charts of the campaign drawn on the server as SVG: no script, light, printable.

Each chart is an image with a title and a description naming the table that
holds the same figures (the accessible alternative, WCAG 1.1.1); colours are
told apart by pattern of position and by the legend's words too, not by
colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from himaccess.kyc.campaign import Row, TrendPoint

# Dark enough against white for 3:1 (WCAG 1.4.11, graphical objects).
COLOURS = {
    "verified": "#1b6e3a",
    "without_aadhaar": "#2f5f9e",
    "mismatch": "#a35200",
    "failed": "#a4262c",
    "pending": "#767676",
}


def _segments() -> list[tuple[str, str]]:
    return [
        ("verified", _("Done with Aadhaar")),
        ("without_aadhaar", _("Done without Aadhaar")),
        ("mismatch", _("Mismatch")),
        ("failed", _("Failed")),
        ("pending", _("Pending")),
    ]


def _legend(y: int) -> str:
    parts, x = [], 0
    for key, label in _segments():
        parts.append(
            f'<rect x="{x}" y="{y}" width="12" height="12" fill="{COLOURS[key]}"/>'
            f'<text x="{x + 16}" y="{y + 11}" font-size="12">{escape(label)}</text>'
        )
        x += 150
    return "".join(parts)


def progress_chart(rows: Sequence[Row], *, table_id: str) -> SafeString:
    """A stacked bar per area: the share of its members in each state."""
    label_width, bar_width, row_height = 190, 420, 26
    height = 40 + row_height * len(rows)
    title = _("e-KYC progress by area")
    desc = _("The same figures are in the table below, with counts.")
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {label_width + bar_width + 60} {height}" '
        f'aria-labelledby="chart-progress-title chart-progress-desc" aria-describedby="{escape(table_id)}" '
        f'class="kyc-chart">',
        f'<title id="chart-progress-title">{escape(title)}</title>'
        f'<desc id="chart-progress-desc">{escape(desc)}</desc>',
        _legend(0),
    ]
    for index, row in enumerate(rows):
        y = 24 + index * row_height
        out.append(f'<text x="0" y="{y + 15}" font-size="12">{escape(row.name[:30])}</text>')
        x = float(label_width)
        for key, label in _segments():
            value = row.pending if key == "pending" else getattr(row, key)
            if not row.members or not value:
                continue
            width = bar_width * value / row.members
            out.append(
                f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="18" fill="{COLOURS[key]}">'
                f"<title>{escape(row.name)}: {escape(label)} {value}</title></rect>"
            )
            x += width
        out.append(
            f'<text x="{label_width + bar_width + 4}" y="{y + 15}" font-size="12">{row.percent_done}%</text>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text put in is escaped above


def trend_chart(points: Sequence[TrendPoint], *, table_id: str) -> SafeString:
    """Members done so far, day by day, against the straight line to the whole area in a month."""
    if not points:
        return mark_safe("")
    width, height, left, bottom = 640, 240, 70, 30
    top = max(max(p.target for p in points), max(p.cumulative for p in points), 1)
    span = max(len(points) - 1, 1)

    def xy(i: int, value: int) -> str:
        x = left + (width - left - 10) * i / span
        y = height - bottom - (height - bottom - 10) * value / top
        return f"{x:.1f},{y:.1f}"

    done = " ".join(xy(i, p.cumulative) for i, p in enumerate(points))
    target = " ".join(xy(i, p.target) for i, p in enumerate(points))
    title = _("Members done each day against the one-month target")
    desc = _("The same figures are in the daily table below.")
    return mark_safe(  # noqa: S308 - every text put in is escaped
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        'class="kyc-chart" '
        f'aria-labelledby="chart-trend-title chart-trend-desc" aria-describedby="{escape(table_id)}">'
        f'<title id="chart-trend-title">{escape(title)}</title>'
        f'<desc id="chart-trend-desc">{escape(desc)}</desc>'
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" stroke="#333"/>'
        f'<line x1="{left}" y1="10" x2="{left}" y2="{height - bottom}" stroke="#333"/>'
        f'<text x="0" y="16" font-size="11">{top:,}</text>'
        f'<text x="0" y="{height - bottom}" font-size="11">0</text>'
        f'<text x="{left}" y="{height - 8}" font-size="11">{points[0].day.isoformat()}</text>'
        f'<text x="{width - 90}" y="{height - 8}" font-size="11">{points[-1].day.isoformat()}</text>'
        f'<polyline points="{target}" fill="none" stroke="#767676" stroke-width="2" stroke-dasharray="6 4">'
        f"<title>{escape(_('Target'))}</title></polyline>"
        f'<polyline points="{done}" fill="none" stroke="{COLOURS["verified"]}" stroke-width="3">'
        f"<title>{escape(_('Done'))}</title></polyline>"
        f'<text x="{left + 10}" y="24" font-size="12" fill="{COLOURS["verified"]}">'
        f"— {escape(_('Done'))}</text>"
        f'<text x="{left + 110}" y="24" font-size="12" fill="#555">- - {escape(_("Target"))}</text>'
        "</svg>"
    )
