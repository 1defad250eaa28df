"""``GET /health`` and ``GET /health/components``."""

import asyncio
import os
from datetime import datetime
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from contracts import subjects
from contracts.errors import ErrorCode, ServiceFailure
from contracts.health import Body, HealthComponentCollection, HealthComponentDetail, HealthIssue, HealthTimelineEntry
from contracts.services import GATEWAY, describe
from gateway.activity import Bucket
from gateway.context import ACTIVITY, STARTED, client
from gateway.health_schemas import ReplicaStats
from svckit.clock import utc_now

ERROR_RATIO_DEGRADED = 0.05
Minutes = list[tuple[datetime, Bucket]]


async def registry_health_heartbeat(_: web.Request) -> web.Response:
    """Liveness: 200 whenever the gateway answers."""
    return web.json_response({"status": "ok"})


async def registry_health_components(request: web.Request) -> web.Response:
    """Per-component status, request figures over the window and, on request, a per-minute timeline."""
    window = window_minutes(request)
    include_timeline = _flag(request, "includeTimeline")
    now = utc_now()
    minutes = request.app[ACTIVITY].window(window, now)
    stats = await replica_stats(request)
    report = [_gateway_component(request, minutes, now, include_timeline)]
    for service, replicas in stats.items():
        report.append(_service_component(service, replicas, minutes, now, include_timeline))
    return body_response(HealthComponentCollection(components=report, generated_at=now, window_minutes=window))


async def replica_stats(request: web.Request) -> dict[str, list[ReplicaStats]]:
    """Every monitored service's replicas that answered ``$SRV.STATS``, by service."""
    bus = client(request)
    answers = await asyncio.gather(*(bus.stats(s) for s in subjects.MONITORED_SERVICES))
    return {
        service: [_read(answer) for answer in replicas]
        for service, replicas in zip(subjects.MONITORED_SERVICES, answers, strict=True)
    }


def _read(answer: dict[str, Any]) -> ReplicaStats:
    """One replica's stats; one we cannot read still counts as a replica that answered, without figures."""
    try:
        return ReplicaStats.model_validate(answer)
    except ValidationError:
        return ReplicaStats()


def _gateway_component(request: web.Request, minutes: Minutes, now: datetime, timeline: bool) -> HealthComponentDetail:
    total = sum(b.requests for _, b in minutes)
    errors = sum(b.errors for _, b in minutes)
    seconds = sum(b.seconds for _, b in minutes)
    per_route: dict[str, int] = {}
    for _, bucket in minutes:
        for route, count in bucket.per_route.items():
            per_route[route] = per_route.get(route, 0) + count
    issues = _error_issues(GATEWAY, total, errors)
    return HealthComponentDetail(
        id=GATEWAY,
        display_name="API gateway",
        status="degraded" if issues else "ok",
        observed_at=now,
        description=describe(GATEWAY),
        metrics={
            "requests": total,
            "errors_5xx": errors,
            "error_rate": round(errors / total, 4) if total else 0.0,
            "mean_latency_ms": round(1000 * seconds / total, 3) if total else 0.0,
            "uptime_seconds": int((now - request.app[STARTED]).total_seconds()),
            "pid": os.getpid(),
            **{f"route.{k}": v for k, v in sorted(per_route.items())},
        },
        issues=issues,
        timeline=[HealthTimelineEntry(bucket=m, value=b.requests) for m, b in minutes] if timeline else None,
    )


def _service_component(
    service: str, replicas: list[ReplicaStats], minutes: Minutes, now: datetime, timeline: bool
) -> HealthComponentDetail:
    handled = errors = 0
    for replica in replicas:
        counts = replica.handled()
        handled, errors = handled + counts[0], errors + counts[1]
    routed = sum(b.per_service.get(service, 0) for _, b in minutes)
    routed_errors = sum(b.service_errors.get(service, 0) for _, b in minutes)
    issues = []
    if not replicas:
        issues.append(
            HealthIssue(
                code="no_replicas",
                severity="error",
                summary=f"No {service} replica answered over NATS.",
                details=f"Start one with `python -m {service}`; requests to it fail with 503 until then.",
            )
        )
    issues += _error_issues(service, routed, routed_errors)
    return HealthComponentDetail(
        id=service,
        display_name=f"{service}-svc",
        status="critical" if not replicas else ("degraded" if issues else "ok"),
        observed_at=now,
        description=describe(service),
        metrics={
            "replicas": len(replicas),
            "handled_since_start": handled,
            "errors_since_start": errors,
            "requests_in_window": routed,
            "errors_in_window": routed_errors,
        },
        issues=issues,
        timeline=[HealthTimelineEntry(bucket=m, value=b.per_service.get(service, 0)) for m, b in minutes]
        if timeline
        else None,
    )


def _error_issues(component: str, total: int, errors: int) -> list[HealthIssue]:
    if not total or errors / total <= ERROR_RATIO_DEGRADED:
        return []
    summary = f"{errors} of {total} requests to {component} failed with a server error in the window."
    return [HealthIssue(code="high_error_rate", severity="warning", summary=summary)]


def body_response(body: Body, *, keep_none: bool = False) -> web.Response:
    """``body`` as JSON; fields that are None are left out unless ``keep_none``."""
    return web.Response(body=body.model_dump_json(exclude_none=not keep_none), content_type="application/json")


def window_minutes(request: web.Request) -> int:
    """``windowMinutes`` from the query: 5 to 1440, 60 when absent; 400 otherwise."""
    raw = request.query.get("windowMinutes", "60")
    if not raw.isdigit() or not 5 <= int(raw) <= 1440:
        raise ServiceFailure(ErrorCode.BAD_REQUEST, "windowMinutes must be an integer from 5 to 1440.")
    return int(raw)


def _flag(request: web.Request, name: str) -> bool:
    raw = request.query.get(name, "false").lower()
    if raw not in ("true", "false", "1", "0"):
        raise ServiceFailure(ErrorCode.BAD_REQUEST, f"{name} must be true or false.")
    return raw in ("true", "1")
