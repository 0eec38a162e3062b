"""The SVG charts: nice ticks, escaped labels, empty and negative data, suppressed points (no database)."""

import xml.dom.minidom

from projects import charts
from projects.charts import Bar, Point, Series


def parse(svg: str):
    return xml.dom.minidom.parseString(svg).documentElement


def test_nice_ticks_are_round_and_cover_the_range():
    assert charts.nice_ticks(0, 100) == [0, 20, 40, 60, 80, 100]
    assert charts.nice_ticks(3.2, 17.9) == [0, 5, 10, 15, 20]
    ticks = charts.nice_ticks(0.013, 0.087)
    assert ticks[0] <= 0.013 and ticks[-1] >= 0.087 and len(ticks) <= 7


def test_nice_ticks_of_a_flat_series_make_a_band():
    ticks = charts.nice_ticks(42, 42)
    assert ticks[0] <= 42 <= ticks[-1] and len(ticks) > 1


def test_nice_ticks_span_negative_values_through_zero():
    ticks = charts.nice_ticks(-12, 30)
    assert ticks[0] <= -12 and ticks[-1] >= 30 and 0 in ticks


def test_format_value_is_readable():
    assert charts.format_value(1234567) == "1,234,567"
    assert charts.format_value(12.50) == "12.5"
    assert charts.format_value(None) == "–"


def test_line_chart_is_an_accessible_image_with_title_and_description():
    svg = charts.line_chart(
        [Series("Graz", [Point("2020", 10), Point("2021", 12)]), Series("Vienna", [Point("2020", 8)])],
        title="Overburdened households",
        unit="% of households",
        chart_id="c1",
    )
    root = parse(svg)
    assert root.getAttribute("role") == "img"
    assert root.getAttribute("aria-labelledby") == "c1-title c1-desc"
    assert root.getAttribute("viewBox").startswith("0 0 ")
    assert root.getElementsByTagName("title")[0].firstChild.data == "Overburdened households"
    desc = root.getElementsByTagName("desc")[0].firstChild.data
    assert "Graz: from 10 % of households in 2020 to 12 % of households in 2021." in desc
    # each series has its own marker shape, not only its own colour, and a direct label
    assert root.getElementsByTagName("circle") and root.getElementsByTagName("rect")
    labels = [t.firstChild.data for t in root.getElementsByTagName("text") if t.firstChild]
    assert "Graz" in labels and "Vienna" in labels


def test_hostile_labels_are_escaped():
    hostile = '<script>alert("x")</script>'
    svg = charts.line_chart([Series(hostile, [Point(hostile, 1), Point("2021", 2)])], title=hostile, unit=hostile)
    assert "<script>" not in svg
    parse(svg)  # still well-formed
    bars = charts.bar_chart([Bar(hostile, 3, note=hostile)], title=hostile, unit=hostile)
    assert "<script>" not in bars
    parse(bars)
    assert "<script>" not in charts.sparkline([1, 2], label=hostile)


def test_empty_series_say_so_instead_of_drawing_axes():
    svg = charts.line_chart([], title="Nothing", empty_message="No data to chart yet.")
    root = parse(svg)
    assert "No data to chart yet." in svg
    assert not root.getElementsByTagName("polyline")
    assert "No data" in charts.bar_chart([], title="Nothing", empty_message="No data")


def test_negative_bars_grow_left_of_the_zero_line():
    svg = charts.bar_chart([Bar("Fell", -4), Bar("Rose", 6)], title="Change", chart_id="b")
    rects = parse(svg).getElementsByTagName("rect")
    fell, rose = rects[0], rects[1]
    assert float(fell.getAttribute("x")) + float(fell.getAttribute("width")) <= float(rose.getAttribute("x")) + 0.2


def test_suppressed_points_are_not_drawn_but_announced():
    svg = charts.line_chart(
        [Series("Graz", [Point("2020", 10), Point("2021", None, suppressed=True), Point("2022", 12)])],
        title="Evictions",
        suppressed_label="[c]",
    )
    root = parse(svg)
    assert ">[c]<" in svg
    # Not "small": a value can be hidden to protect a small one beside it.
    assert "1 value is suppressed ([c])" in root.getElementsByTagName("desc")[0].firstChild.data
    assert not root.getElementsByTagName("polyline")  # the line breaks around the hidden value
    bars = charts.bar_chart([Bar("Graz", 12), Bar("Linz", None, suppressed=True)], title="x")
    assert len(parse(bars).getElementsByTagName("rect")) == 1
    assert "suppressed to protect privacy" in bars


def test_sparkline_has_an_accessible_name():
    root = parse(charts.sparkline([1, None, 3], label="Rising from 1 to 3"))
    assert root.getAttribute("aria-label") == "Rising from 1 to 3"
