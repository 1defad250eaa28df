"""Prometheus metrics: the same counters and histograms on every endpoint, in an injected registry."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

log = structlog.get_logger()


class EndpointMetrics:
    """Request count, error count and latency for NATS endpoints of one service."""

    def __init__(self, registry: CollectorRegistry, service: str) -> None:
        self.service = service
        self.requests = Counter(
            "registry_nats_requests_total",
            "NATS requests handled, by subject and outcome (ok or the error code).",
            ["service", "subject", "outcome"],
            registry=registry,
        )
        self.latency = Histogram(
            "registry_nats_request_seconds",
            "Time to handle a NATS request.",
            ["service", "subject"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )

    def observe(self, subject: str, outcome: str, seconds: float) -> None:
        """Record one handled request."""
        self.requests.labels(self.service, subject, outcome).inc()
        self.latency.labels(self.service, subject).observe(seconds)


def metrics_response(registry: CollectorRegistry) -> web.Response:
    """The Prometheus text exposition of ``registry`` as an HTTP response."""
    response = web.Response(body=generate_latest(registry))
    response.content_type = CONTENT_TYPE_LATEST.split(";")[0]
    return response


@asynccontextmanager
async def serve_metrics(registry: CollectorRegistry, host: str, port: int) -> AsyncIterator[int]:
    """Serve ``/metrics`` (and ``/healthz``) on its own port; yields the bound port."""

    async def metrics(_: web.Request) -> web.Response:
        return metrics_response(registry)

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/healthz", healthz)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    server = site._server
    sockets = getattr(server, "sockets", None) or []
    bound = sockets[0].getsockname()[1] if sockets else port
    log.info("metrics_listening", host=host, port=bound)
    try:
        yield bound
    finally:
        await runner.cleanup()
