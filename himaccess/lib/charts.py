"""Bar charts drawn on the server as inline SVG: no script, no library, a few kilobytes a chart.

Every chart is horizontal bars, one row per category, because a row's label
and printed value stay legible on a 390 px phone whatever the number of
categories (12 weeks, 12 districts, 40 services); columns would have to
shrink their printed values below reading size there.

1. Each category's label sits left of its bars when every label is short
   (weeks, districts), and on its own line above the bars otherwise; a long
   label wraps at spaces. Widths are estimated generously per character
   (Devanagari wider than Latin, combining signs counted as nothing), and the
   drawing grows wider rather than cut a word: the SVG scales to its
   container through its viewBox, so nothing is ever clipped.
2. Series differ in fill pattern as well as colour (solid, hatched, dotted),
   are named in a legend, and every bar carries its value in figures, so
   colour is never the only cue.
3. The SVG is ``role="img"`` with a ``<title>`` and ``<desc>``; the page puts
   the same figures in a table next to it, which is what assistive
   technology reads.
4. All text is escaped; values must be finite and not negative.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.formats import get_format
from django.utils.html import escape
from django.utils.numberformat import format as django_number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH = 400  # user units; about the width of a phone's page column, so text keeps its size there
FONT = 16
VALUE_FONT = 15
BAR = 20
BAR_GAP = 4
ROW_GAP = 14
LINE = 20
PAD = 4
TEXT = "#0b0c0c"
LINE_COLOUR = "#b1b4b6"
# Fills with at least 3:1 contrast against white (WCAG 1.4.11), each with its own texture.
COLOURS = ("#1d70b8", "#505a5f", "#00703c", "#6f3b8f")
LABELS_LEFT_SHARE = 0.4  # labels go on their own line above the bars when any is wider than this
# Indian grouping (12,34,567), the way figures are written in Himachal Pradesh in both languages.
GROUPING = (3, 2, 0)


def format_number(value: float) -> str:
    """A figure with the page's separators and Indian grouping; whole numbers without decimals."""
    decimals = 0 if isinstance(value, int) or float(value).is_integer() else 1
    return django_number_format(
        value,
        str(get_format("DECIMAL_SEPARATOR")),
        decimal_pos=decimals,
        grouping=GROUPING,
        thousand_sep=str(get_format("THOUSAND_SEPARATOR")),
        force_grouping=True,
    )


@dataclass(frozen=True)
class Series:
    """One set of values, one per category, drawn with one fill."""

    name: str
    values: Sequence[float]


def text_width(text: str, size: float) -> float:
    """A generous estimate of how wide ``text`` is drawn at ``size`` (no font metrics on the server)."""
    units = 0.0
    for character in text:
        category = unicodedata.category(character)
        if category in ("Mn", "Me", "Cf"):  # matras below/above, virama, nukta, joiners: no advance
            continue
        if "\u0900" <= character <= "\u097f" or "\ua8e0" <= character <= "\ua8ff":
            units += 0.78
        elif character in " .,:;'|!il()":
            units += 0.34
        elif character.isupper() or character in "mw%@":
            units += 0.78
        else:
            units += 0.6
    return units * size


def _wrap(text: str, width: float, size: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and text_width(candidate, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    return [*lines, current] if current else lines or [""]


def _ident(prefix: str, *parts: object) -> str:
    cleaned = re.sub(r"[^a-z0-9-]", "", prefix.lower())
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:8]
    return f"{cleaned or 'chart'}-{digest}"


def _check(values: Sequence[float]) -> None:
    for value in values:
        try:
            drawable = math.isfinite(value) and value >= 0
        except OverflowError:  # an integer too large for a float
            drawable = False
        if not drawable:
            raise ValueError(f"a chart draws finite values of 0 or more, not {value!r}")


def _patterns(ident: str, count: int) -> tuple[str, list[str]]:
    """The ``<defs>`` of the series' textures and the fill that names each."""
    defs = []
    fills = []
    for index in range(count):
        colour = COLOURS[index % len(COLOURS)]
        texture = index % 3
        if texture == 0:
            fills.append(colour)
            continue
        pattern = f"{ident}-p{index}"
        if texture == 1:  # diagonal hatching
            mark = '<path d="M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2" stroke="#ffffff" stroke-width="1.5"/>'
        else:  # dots
            mark = '<circle cx="3" cy="3" r="1.3" fill="#ffffff"/>'
        defs.append(
            f'<pattern id="{pattern}" width="6" height="6" patternUnits="userSpaceOnUse">'
            f'<rect width="6" height="6" fill="{colour}"/>{mark}</pattern>'
        )
        fills.append(f"url(#{pattern})")
    return ("<defs>" + "".join(defs) + "</defs>") if defs else "", fills


def _text(x: float, y: float, text: str, size: float = FONT, anchor: str = "start", weight: str = "") -> str:
    bold = ' font-weight="bold"' if weight else ""
    return (
        f'<text x="{x:g}" y="{y:g}" font-size="{size:g}" fill="{TEXT}" text-anchor="{anchor}"{bold}>'
        f"{escape(text)}</text>"
    )


def bar_chart(
    *,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    stacked: bool = False,
    number: Callable[[float], str] = format_number,
    ident: str = "chart",
) -> SafeString:
    """Horizontal bars, one row per label: grouped (a bar per series) or ``stacked`` (one bar of parts).

    ``title`` and ``description`` become the SVG's accessible name and
    description; ``ident`` prefixes the ids inside it (two charts on a page
    get different ids as long as their contents differ).
    """
    if any(len(s.values) != len(labels) for s in series):
        raise ValueError("every series needs one value per label")
    for s in series:
        _check(s.values)
    ident = _ident(ident, title, tuple(labels), tuple((s.name, tuple(s.values)) for s in series))
    head = (
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(description)}</desc>'
    )
    if not labels or not series:
        height = LINE + 2 * PAD
        body = _text(PAD, PAD + FONT, _("No figures to show yet."))
        return _svg(ident, WIDTH, height, head + body)

    if stacked:
        totals = [sum(s.values[i] for s in series) for i in range(len(labels))]
        printed = [" + ".join(number(s.values[i]) for s in series) for i in range(len(labels))]
        scale_max = max(totals)
        value_space = max(text_width(p, VALUE_FONT) for p in printed) + 2 * PAD
    else:
        scale_max = max((max(s.values) for s in series), default=0)
        value_space = max(text_width(number(v), VALUE_FONT) for s in series for v in s.values) + 2 * PAD

    width = float(WIDTH)
    longest = max(text_width(label, FONT) for label in labels)
    labels_left = longest <= width * LABELS_LEFT_SHARE
    # The drawing widens for a single word longer than the page, or for a very long printed value.
    longest_word = max((text_width(w, FONT) for label in labels for w in label.split()), default=0)
    width = max(width, longest_word + 2 * PAD, value_space + 60 + (longest + PAD if labels_left else 0))
    label_space = longest + 2 * PAD if labels_left else 0.0
    bar_space = width - label_space - value_space - PAD

    defs, fills = _patterns(ident, len(series))
    parts: list[str] = [head, defs]
    y = PAD
    if len(series) > 1:
        for index, s in enumerate(series):
            parts.append(
                f'<rect x="{PAD}" y="{y + 3:g}" width="{FONT}" height="{FONT}" '
                f'fill="{fills[index]}" stroke="{TEXT}"/>'
            )
            lines = _wrap(s.name, width - FONT - 3 * PAD, FONT)
            for line in lines:
                parts.append(_text(FONT + 3 * PAD, y + FONT, line))
                y += LINE
        y += ROW_GAP // 2

    bars_height = BAR if stacked else len(series) * BAR + (len(series) - 1) * BAR_GAP
    for row, label in enumerate(labels):
        if labels_left:
            top = y
            parts.append(_text(PAD, top + bars_height / 2 + FONT * 0.35, label))
        else:
            for line in _wrap(label, width - 2 * PAD, FONT):
                parts.append(_text(PAD, y + FONT, line))
                y += LINE
            top = y + 2
        x0 = PAD + label_space
        parts.append(
            f'<line x1="{x0:g}" y1="{top - 2:g}" x2="{x0:g}" y2="{top + bars_height + 2:g}" '
            f'stroke="{LINE_COLOUR}"/>'
        )
        if stacked:
            x = x0
            for index, s in enumerate(series):
                length = bar_space * s.values[row] / scale_max if scale_max else 0
                if length:
                    parts.append(
                        f'<rect x="{x:g}" y="{top:g}" width="{length:.2f}" height="{BAR}" '
                        f'fill="{fills[index]}"/>'
                    )
                x += length
            parts.append(_text(x + PAD, top + BAR / 2 + VALUE_FONT * 0.35, printed[row], VALUE_FONT))
        else:
            for index, s in enumerate(series):
                value = s.values[row]
                bar_top = top + index * (BAR + BAR_GAP)
                length = bar_space * value / scale_max if scale_max else 0
                if length:
                    parts.append(
                        f'<rect x="{x0:g}" y="{bar_top:g}" width="{length:.2f}" height="{BAR}" '
                        f'fill="{fills[index]}"/>'
                    )
                parts.append(
                    _text(x0 + length + PAD, bar_top + BAR / 2 + VALUE_FONT * 0.35, number(value), VALUE_FONT)
                )
        y = top + bars_height + ROW_GAP
    return _svg(ident, width, y, "".join(parts))


def _svg(ident: str, width: float, height: float, content: str) -> SafeString:
    # width="100%" with a viewBox: the drawing scales to its column, the height follows.
    return mark_safe(  # noqa: S308 - every text and attribute value above is escaped or a number
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {math.ceil(height)}" '
        f'width="100%" role="img" aria-labelledby="{ident}-title {ident}-desc" focusable="false" '
        f'class="chart">{content}</svg>'
    )
