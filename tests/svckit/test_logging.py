"""The process's recent warnings and errors, kept for the health dashboard."""

from collections.abc import Iterator

import pytest
import structlog

from svckit.logging import RecentEvents, configure_logging, recent_events


@pytest.fixture
def configured() -> Iterator[None]:
    configure_logging("test-process", log_format="json", level="info")
    yield
    structlog.reset_defaults()
    structlog.contextvars.clear_contextvars()


@pytest.mark.usefixtures("configured")
def test_warnings_and_errors_are_kept_newest_last_and_info_is_not() -> None:
    log = structlog.get_logger()
    log.info("routine")
    log.warning("upstream_retry", attempt=2)
    log.error("copy_failed", artifact_id="42")
    events = recent_events()
    assert [(e["level"], e["event"]) for e in events[-2:]] == [("warning", "upstream_retry"), ("error", "copy_failed")]
    assert events[-1]["process"] == "test-process" and events[-1]["detail"] == "artifact_id=42"
    assert all(e["event"] != "routine" for e in events)


def test_the_ring_keeps_only_its_capacity() -> None:
    ring = RecentEvents(capacity=3)
    for index in range(5):
        ring(None, "warning", {"event": f"e{index}", "level": "warning"})
    assert [e["event"] for e in ring.latest()] == ["e2", "e3", "e4"]
