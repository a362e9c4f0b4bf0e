"""Server-drawn charts are well-formed, named, escaped SVG whatever the data."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import translation

from himaccess.lib.charts import BAR, FONT, VALUE_FONT, WIDTH, Series, bar_chart, format_number, text_width

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - the SVG drawn by the code under test


def _texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def _viewbox(root: ET.Element) -> tuple[float, float]:
    _x, _y, width, height = (float(n) for n in (root.get("viewBox") or "").split())
    return width, height


def test_a_chart_is_an_image_named_by_its_title_and_description() -> None:
    svg = bar_chart(
        title="Complaints by district",
        description="Received and resolved",
        labels=["Mandi", "Kangra"],
        series=[Series("Received", [3, 1]), Series("Resolved", [2, 0])],
    )
    root = _parse(svg)
    assert root.get("role") == "img" and root.get("width") == "100%"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and desc is not None
    assert title.text == "Complaints by district" and desc.text == "Received and resolved"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    texts = _texts(root)
    assert {"Mandi", "Kangra", "Received", "Resolved", "3", "1", "2", "0"} <= set(texts)


def test_series_differ_by_texture_not_only_colour() -> None:
    root = _parse(
        bar_chart(
            title="t",
            description="d",
            labels=["a"],
            series=[Series("One", [1]), Series("Two", [2]), Series("Three", [3])],
        )
    )
    patterns = list(root.iter(f"{SVG}pattern"))
    assert len(patterns) == 2  # the first series is solid, the next hatched, the third dotted
    fills = {rect.get("fill") for rect in root.iter(f"{SVG}rect") if rect.get("height") == str(BAR)}
    assert len(fills) == 3 and {f"url(#{p.get('id')})" for p in patterns} <= fills


def test_every_text_is_escaped() -> None:
    nasty = "<script>alert(\"x\")</script> & 'quotes'"
    svg = bar_chart(
        title=nasty, description=nasty, labels=[nasty], series=[Series(nasty, [1]), Series("b", [2])]
    )
    assert "<script>" not in svg
    root = _parse(svg)
    assert nasty in _texts(root)
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == nasty


def test_no_data_still_draws_a_named_image() -> None:
    for labels, series in (([], [Series("Received", [])]), (["Mandi"], [])):
        root = _parse(bar_chart(title="Empty", description="Nothing yet", labels=labels, series=series))
        assert root.get("role") == "img"
        assert _texts(root) == ["No figures to show yet."]


def test_all_zero_values_draw_no_bar_and_print_zero() -> None:
    root = _parse(
        bar_chart(title="t", description="d", labels=["Mandi", "Kangra"], series=[Series("Received", [0, 0])])
    )
    assert not list(root.iter(f"{SVG}rect"))
    assert _texts(root).count("0") == 2


def test_huge_values_are_printed_whole_and_the_drawing_widens_to_hold_them() -> None:
    huge = 10**15
    root = _parse(bar_chart(title="t", description="d", labels=["State"], series=[Series("People", [huge])]))
    with translation.override("en"):
        printed = format_number(huge)
    assert printed == "1,00,00,00,00,00,00,000" and printed in _texts(root)
    width, _height = _viewbox(root)
    bar = next(root.iter(f"{SVG}rect"))
    assert float(bar.get("width") or 0) + text_width(printed, VALUE_FONT) < width


def test_stacked_bars_print_their_parts() -> None:
    root = _parse(
        bar_chart(
            title="Decided",
            description="In time and late",
            labels=["Character certificate"],
            series=[Series("Within the time limit", [1234]), Series("Late", [56])],
            stacked=True,
        )
    )
    assert "1,234 + 56" in _texts(root)
    bars = [float(r.get("width") or 0) for r in root.iter(f"{SVG}rect") if r.get("height") == str(BAR)]
    assert len(bars) == 2 and bars[0] > bars[1] > 0


def test_long_devanagari_labels_wrap_and_are_never_cut() -> None:
    label = "मुख्यमंत्री ग्रीन अडॉप्शन योजना के अंतर्गत पौधारोपण का अनुदान और प्रमाण पत्र"
    root = _parse(bar_chart(title="t", description="d", labels=[label], series=[Series("Enrolled", [5])]))
    width, _height = _viewbox(root)
    lines = [t for t in root.iter(f"{SVG}text") if (t.text or "") and (t.text or "") in label]
    assert len(lines) >= 2 and " ".join(t.text or "" for t in lines) == label
    for line in lines:
        assert float(line.get("x") or 0) + text_width(line.text or "", FONT) <= width


def test_a_word_wider_than_a_phone_widens_the_drawing_instead() -> None:
    word = "Abcdefghijklmnopqrstuvwxyz" * 3
    root = _parse(bar_chart(title="t", description="d", labels=[word], series=[Series("n", [1])]))
    width, _height = _viewbox(root)
    assert width > WIDTH and text_width(word, FONT) <= width


def test_combining_signs_take_no_width() -> None:
    assert text_width("कं", 10) == text_width("क", 10)  # the anusvara sits above
    assert text_width("क्ष", 10) == text_width("कष", 10)  # the virama adds no advance


def test_two_charts_with_different_figures_get_different_ids() -> None:
    one = bar_chart(title="t", description="d", labels=["a"], series=[Series("n", [1])])
    two = bar_chart(title="t", description="d", labels=["a"], series=[Series("n", [2])])
    ids = [set(re.findall(r'id="([^"]+)"', svg)) for svg in (one, two)]
    assert not ids[0] & ids[1]


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf"), 10**400])
def test_values_a_bar_cannot_show_are_refused(bad: float) -> None:
    with pytest.raises(ValueError, match="finite values"):
        bar_chart(title="t", description="d", labels=["a"], series=[Series("n", [bad])])


def test_a_series_must_match_its_labels() -> None:
    with pytest.raises(ValueError, match="one value per label"):
        bar_chart(title="t", description="d", labels=["a", "b"], series=[Series("n", [1])])
