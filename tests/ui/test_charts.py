"""The SVG charts: named images whose marks follow the data, with every label escaped."""

import re

from ui.charts import describe_bars, describe_series, horizontal_bars, nice_maximum, safe_id, series_chart


def test_a_bar_chart_is_an_image_named_by_its_title_and_described() -> None:
    svg = horizontal_bars("rating-1", "Rating", "Two metrics.", [("License", 1.0), ("Bus factor", 0.5)])
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert 'aria-labelledby="rating-1-title rating-1-desc"' in svg
    assert '<title id="rating-1-title">Rating</title>' in svg
    assert '<desc id="rating-1-desc">Two metrics.</desc>' in svg


def test_bar_lengths_are_proportional_to_the_values_on_the_given_scale() -> None:
    svg = horizontal_bars("c", "t", "d", [("a", 1.0), ("b", 0.25), ("c", 0.0)], maximum=1.0)
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([0-9.]+)"', svg)]
    assert len(widths) == 2  # a zero draws no bar, but its value is still written
    assert widths[0] == 4 * widths[1]
    assert ">0.00</text>" in svg


def test_bars_never_overflow_the_scale() -> None:
    svg = horizontal_bars("c", "t", "d", [("a", 5.0)], maximum=1.0)
    assert float(re.findall(r'<rect [^>]*width="([0-9.]+)"', svg)[0]) == 300.0


def test_labels_titles_and_descriptions_are_escaped() -> None:
    svg = horizontal_bars("c", "<b>", "a & b", [("<script>x</script>", 0.5)])
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert '<title id="c-title">&lt;b&gt;</title>' in svg and "a &amp; b" in svg


def test_ids_are_made_safe_for_html() -> None:
    assert safe_id("svc catalog/requests") == "svc-catalog-requests"
    assert safe_id("123") == "c-123"


def test_a_series_draws_one_bar_per_point_and_labels_first_middle_and_last() -> None:
    labels = ["12:00", "12:01", "12:02", "12:03"]
    svg = series_chart("s", "Requests", "d", labels, [1, 0, 3, 2], kind="bar")
    assert svg.count("<rect") == 3  # the zero minute has no bar
    assert "12:00" in svg and "12:02" in svg and "12:03" in svg
    assert 'role="img"' in svg


def test_a_line_series_is_one_polyline_through_every_point() -> None:
    svg = series_chart("s", "Latency", "d", ["a", "b", "c"], [1.0, 2.0, 4.0], kind="line", decimals=1)
    points = re.findall(r'points="([^"]+)"', svg)
    assert len(points) == 1 and len(points[0].split()) == 3


def test_an_empty_series_still_draws_axes() -> None:
    svg = series_chart("s", "Nothing", "d", [], [], kind="line")
    assert "<polyline" not in svg and "<line" in svg and svg.endswith("</svg>")


def test_the_y_axis_ends_on_a_round_number() -> None:
    assert [nice_maximum(v) for v in (0, 0.3, 1, 7, 12, 180, 2400)] == [1, 0.5, 1, 10, 20, 200, 2500]


def test_descriptions_summarise_the_data() -> None:
    assert describe_series(["a", "b"], [3, 5], "requests") == (
        "2 points from a to b; highest 5 requests at b; latest 5 requests."
    )
    assert describe_series([], [], "ms") == "No data in this window."
    assert describe_bars([("x", 0.5)]) == "x: 0.50."
