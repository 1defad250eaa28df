"""The one clock: every service and the gateway read the time through ``utc_now``."""

from datetime import UTC, datetime


def utc_now() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)
