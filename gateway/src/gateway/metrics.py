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
        # The labelled children, looked up once each: ``labels()`` costs a lock and a tuple per call.
        self._counted: dict[tuple[str, str, int], Counter] = {}
        self._timed: dict[tuple[str, str], Histogram] = {}

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        """Record one served request."""
        counted = self._counted.get((route, method, status))
        if counted is None:
            counted = self._counted[(route, method, status)] = self.requests.labels(route, method, str(status))
        timed = self._timed.get((route, method))
        if timed is None:
            timed = self._timed[(route, method)] = self.latency.labels(route, method)
        counted.inc()
        timed.observe(seconds)
