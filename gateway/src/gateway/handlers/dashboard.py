"""``GET /health/dashboard`` (our addition): the health dashboard's data for a window of minutes.

Per-minute series and per-route figures come from this gateway replica's activity record; per-service figures
from every replica's ``$SRV.STATS`` (requests routed to each service per minute, replicas, the scoring service's
rating latencies and outcomes, the storage copy queue's depth); recent warnings and errors from this gateway and
from every service replica — for administrators only, since log details name ids, URLs and error texts.
"""

from collections.abc import Callable
from typing import TypeVar

from aiohttp import web

from contracts import subjects
from contracts.health import (
    GatewaySeries,
    HealthDashboard,
    IngestOutcomes,
    RatingFigures,
    RouteFigures,
    ServiceSeries,
    StorageFigures,
)
from gateway.activity import Bucket
from gateway.context import ACTIVITY, principal
from gateway.handlers.health import body_response, replica_stats, window_minutes
from gateway.health_schemas import ReplicaStats, ServiceReport
from svckit.clock import utc_now
from svckit.logging import recent_events

MAX_LOG_LINES = 50
V = TypeVar("V", int, float)


async def registry_health_dashboard(request: web.Request) -> web.Response:
    """The dashboard's figures over ``windowMinutes`` (5-1440, default 60)."""
    window = window_minutes(request)
    now = utc_now()
    minutes = request.app[ACTIVITY].window(window, now)
    by_service = await replica_stats(request)
    buckets = [bucket for _, bucket in minutes]
    scoring = _reports(by_service[subjects.SCORING])
    storage = _reports(by_service[subjects.STORAGE])
    body = HealthDashboard(
        window_minutes=window,
        generated_at=now,
        minutes=[minute for minute, _ in minutes],
        gateway=GatewaySeries(
            requests=[b.requests for b in buckets],
            errors=[b.errors for b in buckets],
            mean_latency_ms=[round(1000 * b.seconds / b.requests, 3) if b.requests else 0.0 for b in buckets],
        ),
        routes=_routes(buckets),
        services=[_service(name, replicas, buckets) for name, replicas in by_service.items()],
        ingest=IngestOutcomes(
            **{k: sum(b.ingest.get(k, 0) for b in buckets) for k in ("accepted", "refused", "failed")}
        ),
        ratings=_ratings(scoring) if scoring else None,
        storage=StorageFigures(copy_queue_depth=_largest([r.copy_queue_depth for r in storage])) if storage else None,
        logs=_logs(by_service) if principal(request).is_admin else [],
    )
    return body_response(body, keep_none=True)


def _routes(buckets: list[Bucket]) -> list[RouteFigures]:
    routes = []
    for route in sorted({route for b in buckets for route in b.per_route}):
        requests = sum(b.per_route.get(route, 0) for b in buckets)
        seconds = sum(b.route_seconds.get(route, 0.0) for b in buckets)
        routes.append(
            RouteFigures(
                route=route,
                requests=requests,
                errors=sum(b.route_errors.get(route, 0) for b in buckets),
                mean_latency_ms=round(1000 * seconds / requests, 3) if requests else 0.0,
                requests_per_minute=[b.per_route.get(route, 0) for b in buckets],
            )
        )
    return routes


def _service(name: str, replicas: list[ReplicaStats], buckets: list[Bucket]) -> ServiceSeries:
    return ServiceSeries(
        service=name,
        replicas=len(replicas),
        requests_per_minute=[b.per_service.get(name, 0) for b in buckets],
        errors_per_minute=[b.service_errors.get(name, 0) for b in buckets],
    )


def _reports(replicas: list[ReplicaStats]) -> list[ServiceReport]:
    """The service figures of each replica that reports them."""
    return [report for replica in replicas if (report := replica.process().service) is not None]


def _ratings(reports: list[ServiceReport]) -> RatingFigures:
    """Mean latency per metric averaged over the replicas that report it; outcome counts summed."""
    latencies = [r.metric_latency_ms for r in reports if r.metric_latency_ms is not None]
    outcomes = [r.outcomes for r in reports if r.outcomes is not None]
    return RatingFigures(
        metric_latency_ms=_combine(latencies, lambda present: round(sum(present) / len(present), 3))
        if latencies
        else None,
        outcomes=_combine(outcomes, sum) if outcomes else None,
    )


def _combine(values: list[dict[str, V]], merge: Callable[[list[V]], V]) -> dict[str, V]:
    """Per key, ``merge`` of the values of the replicas that report the key."""
    return {
        key: merge([value[key] for value in values if key in value]) for key in sorted({k for v in values for k in v})
    }


def _largest(values: list[int | None]) -> int | None:
    """The queue depth any replica sampled (they share one stream), None when none has sampled it yet."""
    present = [value for value in values if value is not None]
    return max(present) if present else None


def _logs(by_service: dict[str, list[ReplicaStats]]) -> list[dict[str, str]]:
    lines = list(recent_events(MAX_LOG_LINES))
    for replicas in by_service.values():
        for replica in replicas:
            lines.extend(replica.process().recent_events or [])
    return sorted(lines, key=lambda line: line.get("at", ""))[-MAX_LOG_LINES:]
