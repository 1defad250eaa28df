"""Gateway HTTP metrics in an injected registry."""

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from svckit.metrics import LATENCY_BUCKETS


class HttpMetrics:
    """Request counts by route and status, latency by route, requests in flight."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.requests = Counter(
            "registry_http_requests_total",
            "HTTP requests served by the gateway, by route, method and status.",
            ["route", "method", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "registry_http_request_seconds",
            "HTTP request latency at the gateway, by route and method.",
            ["route", "method"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.in_flight = Gauge("registry_http_requests_in_flight", "HTTP requests being served.", registry=registry)

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        """Record one served request."""
        self.requests.labels(route, method, str(status)).inc()
        self.latency.labels(route, method).observe(seconds)
