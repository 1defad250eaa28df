"""Health answers as the gateway sends them (JSON), shared by the dashboard tests."""

from typing import Any

MINUTES = [f"2025-11-26T12:{m:02d}:00Z" for m in range(5)]
COMPONENTS_JSON: dict[str, Any] = {
    "generated_at": "2025-11-26T12:05:00Z",
    "window_minutes": 5,
    "components": [
        {
            "id": "gateway",
            "display_name": "API gateway",
            "status": "ok",
            "observed_at": "2025-11-26T12:05:00Z",
            "description": "The public HTTP API.",
            "metrics": {"requests": 12, "route.ArtifactsList": 3},
            "issues": [],
            "timeline": [{"bucket": m, "value": i} for i, m in enumerate(MINUTES)],
        },
        {
            "id": "catalog",
            "display_name": "catalog-svc",
            "status": "critical",
            "observed_at": "2025-11-26T12:05:00Z",
            "description": "Artifacts and users.",
            "metrics": {"replicas": 0.0, "error_rate": 0.25},
            "issues": [{"code": "no_replicas", "severity": "error", "summary": "No catalog replica answered."}],
        },
    ],
}
DETAIL_JSON: dict[str, Any] = {
    "window_minutes": 5,
    "generated_at": "2025-11-26T12:05:01Z",
    "minutes": MINUTES,
    "gateway": {"requests": [0, 4, 2, 0, 4], "errors": [0, 1, 0, 0, 0], "mean_latency_ms": [0, 10, 40, 0, 5]},
    "routes": [
        {"route": "ArtifactsList", "requests": 3, "errors": 0, "mean_latency_ms": 4.0, "requests_per_minute": []},
        {"route": "ArtifactCreate", "requests": 7, "errors": 1, "mean_latency_ms": 90.5, "requests_per_minute": []},
    ],
    "services": [{"service": "catalog", "replicas": 2, "requests_per_minute": [1, 2, 3], "errors_per_minute": []}],
    "ingest": {"accepted": 3, "refused": 1, "failed": 0},
    "ratings": {"metric_latency_ms": {"license": 12.5, "bus_factor": 80.0}, "outcomes": {"stored": 3, "refused": 1}},
    "storage": {"copy_queue_depth": 2},
    "logs": [{"at": MINUTES[1], "level": "error", "process": "gateway", "event": "unhandled_error", "detail": "x"}],
}
