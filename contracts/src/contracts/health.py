"""The bodies of the gateway's ``GET /health/components`` (the spec's ``HealthComponentCollection``) and
``GET /health/dashboard`` (our addition): built by the gateway, read by the web UI.

Timestamps are UTC ``datetime``s (pydantic writes them as ISO 8601 with a ``Z``). Optional fields the spec leaves
out when unknown are None and dropped from the JSON (``exclude_none``) in the components body; the dashboard's
``ratings`` and ``storage`` are None *and* present (``null``), as its schema says. Every field is declared
(``extra="forbid"``): a reader refuses a body that is not this one rather than guess at it.
"""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Body(BaseModel):
    """An answer body of the gateway: every field declared."""

    model_config = ConfigDict(extra="forbid")


class HealthIssue(Body):
    """An outstanding issue of a component (spec ``HealthIssue``)."""

    code: str
    severity: Literal["info", "warning", "error"]
    summary: str
    details: str | None = None


class HealthTimelineEntry(Body):
    """Requests in one minute of the window (spec ``HealthTimelineEntry``)."""

    bucket: datetime
    value: int
    unit: str = "requests/min"


class HealthComponentDetail(Body):
    """One component's status, figures and issues (spec ``HealthComponentDetail``)."""

    id: str
    display_name: str
    status: Literal["ok", "degraded", "critical", "unknown"]
    observed_at: datetime
    description: str
    metrics: dict[str, float] = Field(
        description="Every figure a JSON number with a fraction (``3.0``): the spec's ``HealthMetricValue`` is "
        "``oneOf`` integer, number, string, boolean, and a JSON integer (``3``) is both an integer and a number, "
        "which ``oneOf`` refuses."
    )
    issues: list[HealthIssue]
    timeline: list[HealthTimelineEntry] | None = None


class HealthComponentCollection(Body):
    """The answer of ``GET /health/components`` (spec ``HealthComponentCollection``)."""

    components: list[HealthComponentDetail]
    generated_at: datetime
    window_minutes: int


class GatewaySeries(Body):
    """This gateway replica's figures per minute of the window."""

    requests: list[int]
    errors: list[int]
    mean_latency_ms: list[float]


class RouteFigures(Body):
    """One route's figures over the window (only routes that were called)."""

    route: str
    requests: int
    errors: int
    mean_latency_ms: float
    requests_per_minute: list[int]


class ServiceSeries(Body):
    """Requests this gateway routed to one service per minute, and its replicas answering now."""

    service: str
    replicas: int
    requests_per_minute: list[int]
    errors_per_minute: list[int]


class IngestOutcomes(Body):
    """Registrations over the window: accepted (201), refused by the quality gate (424), failed (5xx)."""

    accepted: int
    refused: int
    failed: int


class RatingFigures(Body):
    """The scoring service's figures since its replicas started (None: no replica reported them)."""

    metric_latency_ms: dict[str, float] | None
    outcomes: dict[str, int] | None


class StorageFigures(Body):
    """The storage copy queue's depth (None: not sampled yet)."""

    copy_queue_depth: int | None


class HealthDashboard(Body):
    """The answer of ``GET /health/dashboard``."""

    window_minutes: int
    generated_at: datetime
    minutes: list[datetime]
    gateway: GatewaySeries
    routes: list[RouteFigures]
    services: list[ServiceSeries]
    ingest: IngestOutcomes
    ratings: RatingFigures | None
    storage: StorageFigures | None
    logs: list[dict[str, str]]
