"""Gateway HTTP metrics in an injected registry (``svckit.web.RequestMetrics``)."""

from prometheus_client import CollectorRegistry

from svckit.web import MetricNames, RequestMetrics

NAMES = MetricNames(prefix="registry_http", served_by="the gateway", labels=("route", "method"), in_flight=True)


class HttpMetrics(RequestMetrics):
    """Request counts by route, method and status, latency by route and method, requests in flight."""

    def __init__(self, registry: CollectorRegistry) -> None:
        super().__init__(registry, NAMES)
