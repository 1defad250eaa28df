"""``GET /health`` and ``GET /health/components``."""

import asyncio
import os
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from contracts import subjects
from gateway.activity import Bucket
from gateway.codec import bad_request
from gateway.context import ACTIVITY, STARTED, client
from gateway.discovery import gather_stats

DESCRIPTIONS = {
    "gateway": "HTTP API gateway: validates requests, checks tokens, routes them over NATS.",
    subjects.CATALOG: "Artifact metadata, README search, audit trail, users and tokens.",
    subjects.STORAGE: "Artifact bytes in S3: content-addressed, copied by durable background jobs.",
    subjects.LINEAGE: "The lineage graph, download cost with dependencies, licence compatibility.",
    subjects.SCORING: "Trust ratings of models from real evidence, and the ingest quality gate.",
}
ERROR_RATIO_DEGRADED = 0.05


async def health(_: web.Request) -> web.Response:
    """Liveness: 200 whenever the gateway answers."""
    return web.json_response({"status": "ok"})


async def components(request: web.Request) -> web.Response:
    """Per-component status, request figures over the window and, on request, a per-minute timeline."""
    window = window_minutes(request)
    include_timeline = _flag(request, "includeTimeline")
    now = datetime.now(UTC)
    minutes = request.app[ACTIVITY].window(window, now)
    nc = client(request).connection
    stats = await asyncio.gather(*(gather_stats(nc, s) for s in subjects.MONITORED_SERVICES))
    report = [_gateway_component(request, minutes, now, include_timeline)]
    for service, replicas in zip(subjects.MONITORED_SERVICES, stats, strict=True):
        report.append(_service_component(service, replicas, minutes, now, include_timeline))
    return web.json_response({"components": report, "generated_at": iso(now), "window_minutes": window})


def _gateway_component(
    request: web.Request, minutes: list[tuple[datetime, Bucket]], now: datetime, timeline: bool
) -> dict[str, Any]:
    total = sum(b.requests for _, b in minutes)
    errors = sum(b.errors for _, b in minutes)
    seconds = sum(b.seconds for _, b in minutes)
    per_route: dict[str, int] = {}
    for _, bucket in minutes:
        for route, count in bucket.per_route.items():
            per_route[route] = per_route.get(route, 0) + count
    issues = _error_issues("gateway", total, errors)
    component: dict[str, Any] = {
        "id": "gateway",
        "display_name": "API gateway",
        "status": "degraded" if issues else "ok",
        "observed_at": iso(now),
        "description": DESCRIPTIONS["gateway"],
        "metrics": _metric_values(
            {
                "requests": total,
                "errors_5xx": errors,
                "error_rate": round(errors / total, 4) if total else 0.0,
                "mean_latency_ms": round(1000 * seconds / total, 3) if total else 0.0,
                "uptime_seconds": int((now - request.app[STARTED]).total_seconds()),
                "pid": os.getpid(),
                **{f"route.{k}": v for k, v in sorted(per_route.items())},
            }
        ),
        "issues": issues,
    }
    if timeline:
        component["timeline"] = [{"bucket": iso(m), "value": b.requests, "unit": "requests/min"} for m, b in minutes]
    return component


def _service_component(
    service: str,
    replicas: list[dict[str, Any]],
    minutes: list[tuple[datetime, Bucket]],
    now: datetime,
    timeline: bool,
) -> dict[str, Any]:
    handled = errors = 0
    for replica in replicas:
        for endpoint in replica.get("endpoints") or []:
            data = endpoint.get("data") or {}
            handled += int(data.get("handled", endpoint.get("num_requests", 0)))
            errors += int(data.get("errors", 0))
    routed = sum(b.per_service.get(service, 0) for _, b in minutes)
    routed_errors = sum(b.service_errors.get(service, 0) for _, b in minutes)
    issues = []
    if not replicas:
        issues.append(
            {
                "code": "no_replicas",
                "severity": "error",
                "summary": f"No {service} replica answered over NATS.",
                "details": f"Start one with `python -m {service}`; requests to it fail with 503 until then.",
            }
        )
    issues += _error_issues(service, routed, routed_errors)
    status = "critical" if not replicas else ("degraded" if issues else "ok")
    component: dict[str, Any] = {
        "id": service,
        "display_name": f"{service}-svc",
        "status": status,
        "observed_at": iso(now),
        "description": DESCRIPTIONS.get(service, service),
        "metrics": _metric_values(
            {
                "replicas": len(replicas),
                "handled_since_start": handled,
                "errors_since_start": errors,
                "requests_in_window": routed,
                "errors_in_window": routed_errors,
            }
        ),
        "issues": issues,
    }
    if timeline:
        component["timeline"] = [
            {"bucket": iso(m), "value": b.per_service.get(service, 0), "unit": "requests/min"} for m, b in minutes
        ]
    return component


def _metric_values(metrics: dict[str, float]) -> dict[str, float]:
    """Every figure as a JSON number with a fraction (``3.0``): the spec's ``HealthMetricValue`` is ``oneOf``
    integer, number, string, boolean, and a JSON integer (``3``) is both an integer and a number, which
    ``oneOf`` refuses."""
    return {name: float(value) for name, value in metrics.items()}


def _error_issues(component: str, total: int, errors: int) -> list[dict[str, Any]]:
    if not total or errors / total <= ERROR_RATIO_DEGRADED:
        return []
    return [
        {
            "code": "high_error_rate",
            "severity": "warning",
            "summary": f"{errors} of {total} requests to {component} failed with a server error in the window.",
        }
    ]


def window_minutes(request: web.Request) -> int:
    raw = request.query.get("windowMinutes", "60")
    if not raw.isdigit() or not 5 <= int(raw) <= 1440:
        raise bad_request("windowMinutes must be an integer from 5 to 1440.")
    return int(raw)


def _flag(request: web.Request, name: str) -> bool:
    raw = request.query.get(name, "false").lower()
    if raw not in ("true", "false", "1", "0"):
        raise bad_request(f"{name} must be true or false.")
    return raw in ("true", "1")


def iso(moment: datetime) -> str:
    """``moment`` in UTC, ISO 8601 with a ``Z``."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
