"""The gateway's per-minute activity record behind /health/components."""

from datetime import UTC, datetime, timedelta

from gateway.activity import RETENTION_MINUTES, Activity, Event

NOW = datetime(2026, 11, 26, 12, 30, 15, tzinfo=UTC)


def test_window_has_one_bucket_per_minute_with_counts() -> None:
    activity = Activity()
    activity.record(Event("ArtifactsList", 200, 0.01, "c1", "catalog", None), NOW - timedelta(minutes=2))
    activity.record(Event("ArtifactsList", 503, 0.02, "c2", "catalog", None), NOW)
    activity.record(Event("ArtifactCreate", 201, 0.5, "c1", "catalog", "model"), NOW)
    minutes = activity.window(5, NOW)
    assert len(minutes) == 5
    assert minutes[-1][0] == NOW.replace(second=0)
    assert [b.requests for _, b in minutes] == [0, 0, 1, 0, 2]
    last = minutes[-1][1]
    assert last.errors == 1
    assert last.per_type == {"model": 1}
    assert last.service_errors["catalog"] == 1
    assert last.clients == {"c1", "c2"}


def test_buckets_older_than_a_day_are_dropped() -> None:
    activity = Activity()
    activity.record(Event("r", 200, 0.0, "c"), NOW - timedelta(minutes=RETENTION_MINUTES + 5))
    activity.record(Event("r", 200, 0.0, "c"), NOW)
    assert sum(b.requests for _, b in activity.window(RETENTION_MINUTES, NOW)) == 1
    assert len(activity._buckets) == 1
