"""The UI's Prometheus metrics, in an injected registry."""

from prometheus_client import CollectorRegistry, Counter, Histogram

from svckit.metrics import LATENCY_BUCKETS


class UiMetrics:
    """Requests by route and status, latency by route."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.requests = Counter(
            "registry_ui_requests_total",
            "Web UI requests, by route and status.",
            ["route", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "registry_ui_request_seconds",
            "Web UI request latency, by route.",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )

    def observe(self, route: str, status: int, seconds: float) -> None:
        """Record one served request."""
        self.requests.labels(route, str(status)).inc()
        self.latency.labels(route).observe(seconds)
