"""The dashboard's view model: windows, buckets, and every part of the registry's report (its typed bodies, read
from the JSON the gateway sends)."""

from datetime import UTC, datetime

from contracts.health import HealthComponentCollection, HealthDashboard
from tests.ui.health_bodies import COMPONENTS_JSON, DETAIL_JSON
from ui.dashboard import buckets, dashboard_view, labels, parse_window, ratio_percent, summed, weighted

COMPONENTS = HealthComponentCollection.model_validate(COMPONENTS_JSON)
DETAIL = HealthDashboard.model_validate(DETAIL_JSON)


def test_the_window_is_five_minutes_to_a_day_and_defaults_to_an_hour() -> None:
    assert [parse_window(v) for v in ("5", "1440", "360", "4", "1441", "abc", None, "")] == [
        5, 1440, 360, 60, 60, 60, 60, 60
    ]  # fmt: skip


def test_a_day_is_grouped_into_sixty_buckets_of_24_minutes() -> None:
    ranges = buckets(1440)
    assert len(ranges) == 60 and ranges[0] == (0, 24) and ranges[-1] == (1416, 1440)
    assert buckets(60) == [(i, i + 1) for i in range(60)]


def test_bucket_labels_show_one_minute_or_a_range() -> None:
    minutes = [datetime(2025, 11, 26, 12, minute, tzinfo=UTC) for minute in range(5)]
    assert labels(minutes, [(0, 1), (1, 5)]) == ["12:00", "12:01-12:04"]


def test_counts_are_summed_latencies_weighted_by_requests_and_error_rates_in_percent() -> None:
    assert summed([1, 2, 3, 4], [(0, 2), (2, 4)]) == [3, 7]
    assert weighted([10, 40, 0], [1, 3, 0], [(0, 3)]) == [32.5]
    assert weighted([5], [0], [(0, 1)]) == [0.0]
    assert ratio_percent([1, 0], [4, 0], [(0, 1), (1, 2)]) == [25.0, 0.0]


def test_components_become_status_cards_with_the_status_in_words() -> None:
    view = dashboard_view(5, COMPONENTS, None)
    gateway, catalog = view["cards"]
    assert (gateway["status_text"], catalog["status_text"], catalog["symbol"]) == ("OK", "Critical", "✕")
    assert gateway["metrics"] == [("requests", 12)]  # per-route counts go to the routes table
    shown = [(key, str(value)) for key, value in catalog["metrics"]]
    assert shown == [("replicas", "0"), ("error_rate", "0.25")]  # counts arrive as 0.0
    assert view["issues"][0]["component"] == "catalog-svc"


def test_without_the_detailed_report_the_timelines_are_charted() -> None:
    view = dashboard_view(5, COMPONENTS, None)
    assert view["detail"] is False
    assert [s.title for s in view["timelines"]] == ["API gateway requests"]
    assert view["timelines"][0].values == [0, 1, 2, 3, 4]


def test_the_detailed_report_gives_every_chart_and_table() -> None:
    view = dashboard_view(5, COMPONENTS, DETAIL)
    requests, errors, latency = view["gateway"]
    assert requests.values == [0, 4, 2, 0, 4] and errors.values[1] == 25.0 and latency.values[2] == 40
    assert 'role="img"' in requests.svg and requests.rows[1] == ("12:01", "4")
    service = view["services"][0]
    assert service["replicas"] == 2 and service["charts"][0].values == [1, 2, 3, 0, 0]
    assert [r.route for r in view["routes"]] == ["ArtifactCreate", "ArtifactsList"]
    assert view["ingest"].refused == 1 and view["storage"].copy_queue_depth == 2
    assert view["ratings"]["latency"] == [("license", 12.5), ("bus_factor", 80.0)]
    assert 'role="img"' in view["ratings"]["chart"] and view["logs"][0]["event"] == "unhandled_error"
    assert view["generated_at"] == datetime(2025, 11, 26, 12, 5, 1, tzinfo=UTC)


def test_parts_the_registry_does_not_report_are_left_out() -> None:
    view = dashboard_view(60, None, DETAIL.model_copy(update={"ratings": None, "storage": None}))
    assert view["cards"] == [] and view["ratings"] is None and view["storage"] is None
