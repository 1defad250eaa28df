"""The UI's Prometheus metrics in an injected registry (``svckit.web.RequestMetrics``)."""

from prometheus_client import CollectorRegistry

from svckit.web import MetricNames, RequestMetrics

NAMES = MetricNames(prefix="registry_ui", served_by="the web UI", labels=("route",))


class UiMetrics(RequestMetrics):
    """Requests by route and status, latency by route."""

    def __init__(self, registry: CollectorRegistry) -> None:
        super().__init__(registry, NAMES)
