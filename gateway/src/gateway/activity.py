"""A rolling per-minute record of requests this gateway replica served, for ``/health/components``.

Prometheus holds the long-term series; this ring keeps the last day in memory so the health endpoint can
answer for any window from 5 minutes to 24 hours without a Prometheus server.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from svckit.clock import utc_now

RETENTION_MINUTES = 1440
# Registrations: their answers count as ingest outcomes (201 accepted, 424 refused by the gate, 5xx failed).
INGEST_ROUTES = frozenset({"ArtifactCreate", "ArtifactUploadComplete"})


@dataclass
class Bucket:
    """Counts for one minute."""

    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    per_route: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    route_errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    route_seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    ingest: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    per_type: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    per_service: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    service_errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    clients: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Event:
    """One served request."""

    route: str
    status: int
    seconds: float
    client: str
    service: str | None = None
    artifact_type: str | None = None


class Activity:
    """Per-minute buckets of served requests over the last day."""

    def __init__(self) -> None:
        self._buckets: dict[datetime, Bucket] = {}

    def record(self, event: Event, now: datetime | None = None) -> None:
        """Count one request in the bucket of the current minute."""
        minute = _minute(now or utc_now())
        bucket = self._buckets.get(minute)
        if bucket is None:
            bucket = self._buckets[minute] = Bucket()
            self._expire(minute)
        failed = event.status >= 500
        bucket.requests += 1
        bucket.errors += int(failed)
        bucket.seconds += event.seconds
        bucket.per_route[event.route] += 1
        bucket.route_errors[event.route] += int(failed)
        bucket.route_seconds[event.route] += event.seconds
        if event.route in INGEST_ROUTES:
            bucket.ingest[_ingest_outcome(event.status)] += 1
        bucket.clients.add(event.client)
        if event.artifact_type:
            bucket.per_type[event.artifact_type] += 1
        if event.service:
            bucket.per_service[event.service] += 1
            bucket.service_errors[event.service] += int(failed)

    def window(self, minutes: int, now: datetime | None = None) -> list[tuple[datetime, Bucket]]:
        """Every minute of the last ``minutes`` minutes, oldest first (empty minutes included)."""
        end = _minute(now or utc_now())
        start = end - timedelta(minutes=minutes - 1)
        return [
            (start + timedelta(minutes=i), self._buckets.get(start + timedelta(minutes=i), Bucket()))
            for i in range(minutes)
        ]

    def _expire(self, newest: datetime) -> None:
        oldest = newest - timedelta(minutes=RETENTION_MINUTES)
        for minute in [m for m in self._buckets if m < oldest]:
            del self._buckets[minute]


def _ingest_outcome(status: int) -> str:
    if status == 201:
        return "accepted"
    if status == 424:
        return "refused"
    return "failed" if status >= 500 else "rejected"


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)
