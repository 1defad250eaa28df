"""``GET /health/dashboard`` (our addition): the health dashboard's data for a window of minutes.

Per-minute series and per-route figures come from this gateway replica's activity record; per-service figures
from every replica's ``$SRV.STATS`` (requests routed to each service per minute, replicas, the scoring service's
rating latencies and outcomes, the storage copy queue's depth); recent warnings and errors from this gateway and
from every service replica — for administrators only, since log details name ids, URLs and error texts.
"""

import asyncio
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from contracts import subjects
from gateway.activity import Bucket
from gateway.context import ACTIVITY, client, principal
from gateway.discovery import gather_stats
from gateway.handlers.health import iso, window_minutes
from svckit.logging import recent_events

MAX_LOG_LINES = 50


async def dashboard(request: web.Request) -> web.Response:
    """The dashboard's figures over ``windowMinutes`` (5-1440, default 60)."""
    window = window_minutes(request)
    now = datetime.now(UTC)
    minutes = request.app[ACTIVITY].window(window, now)
    nc = client(request).connection
    stats = await asyncio.gather(*(gather_stats(nc, s) for s in subjects.MONITORED_SERVICES))
    by_service = dict(zip(subjects.MONITORED_SERVICES, stats, strict=True))
    buckets = [bucket for _, bucket in minutes]
    body = {
        "window_minutes": window,
        "generated_at": iso(now),
        "minutes": [iso(minute) for minute, _ in minutes],
        "gateway": {
            "requests": [b.requests for b in buckets],
            "errors": [b.errors for b in buckets],
            "mean_latency_ms": [round(1000 * b.seconds / b.requests, 3) if b.requests else 0.0 for b in buckets],
        },
        "routes": _routes(buckets),
        "services": [_service(name, replicas, buckets) for name, replicas in by_service.items()],
        "ingest": {k: sum(b.ingest.get(k, 0) for b in buckets) for k in ("accepted", "refused", "failed")},
        "ratings": _merged(by_service[subjects.SCORING], ("metric_latency_ms", "outcomes")),
        "storage": _merged(by_service[subjects.STORAGE], ("copy_queue_depth",)),
        "logs": _logs(by_service) if principal(request).is_admin else [],
    }
    return web.json_response(body)


def _routes(buckets: list[Bucket]) -> list[dict[str, Any]]:
    names = sorted({route for b in buckets for route in b.per_route})
    routes = []
    for route in names:
        requests = sum(b.per_route.get(route, 0) for b in buckets)
        seconds = sum(b.route_seconds.get(route, 0.0) for b in buckets)
        routes.append(
            {
                "route": route,
                "requests": requests,
                "errors": sum(b.route_errors.get(route, 0) for b in buckets),
                "mean_latency_ms": round(1000 * seconds / requests, 3) if requests else 0.0,
                "requests_per_minute": [b.per_route.get(route, 0) for b in buckets],
            }
        )
    return routes


def _service(name: str, replicas: list[dict[str, Any]], buckets: list[Bucket]) -> dict[str, Any]:
    return {
        "service": name,
        "replicas": len(replicas),
        "requests_per_minute": [b.per_service.get(name, 0) for b in buckets],
        "errors_per_minute": [b.service_errors.get(name, 0) for b in buckets],
    }


def _figures(replica: dict[str, Any]) -> dict[str, Any]:
    """The process figures of one replica's STATS (one endpoint carries them: ``recent_events``, ``service``)."""
    for endpoint in replica.get("endpoints") or []:
        data = endpoint.get("data")
        if isinstance(data, dict) and "recent_events" in data:
            return data
    return {}


def _merged(replicas: list[dict[str, Any]], keys: tuple[str, ...]) -> dict[str, Any] | None:
    """Service figures of every replica: counts summed, latencies averaged, the queue depth of any replica."""
    reports = [f["service"] for f in map(_figures, replicas) if isinstance(f.get("service"), dict)]
    if not reports:
        return None
    merged: dict[str, Any] = {}
    for key in keys:
        values = [r[key] for r in reports if r.get(key) is not None]
        if not values:
            merged[key] = None
        elif isinstance(values[0], dict):
            merged[key] = _combine(values, total=key == "outcomes")
        else:
            merged[key] = max(values)
    return merged


def _combine(values: list[dict[str, float]], *, total: bool) -> dict[str, float]:
    """Per-key sums (counts) or means (latencies) over the replicas that report the key."""
    combined: dict[str, float] = {}
    for key in sorted({k for value in values for k in value}):
        present = [value[key] for value in values if key in value]
        combined[key] = sum(present) if total else round(sum(present) / len(present), 3)
    return combined


def _logs(by_service: dict[str, list[dict[str, Any]]]) -> list[dict[str, str]]:
    lines = list(recent_events(MAX_LOG_LINES))
    for replicas in by_service.values():
        for replica in replicas:
            lines.extend(_figures(replica).get("recent_events") or [])
    return sorted(lines, key=lambda line: line.get("at", ""))[-MAX_LOG_LINES:]
