"""What every aiohttp app of the registry shares: request metrics and the middleware that ids, counts, times
and logs each request (the gateway's and the web UI's ``observe``)."""

import os
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

import structlog
from aiohttp import web
from aiohttp.typedefs import Middleware
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from svckit.logging import REQUEST_ID_HEADER
from svckit.metrics import LATENCY_BUCKETS

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
CLIENT_GONE = 499  # the client closed the connection before the answer (nginx's convention)

log = structlog.get_logger()


@dataclass(frozen=True)
class MetricNames:
    """How one app names its request metrics: ``<prefix>_requests_total`` by ``labels`` and status,
    ``<prefix>_request_seconds`` by ``labels``, and ``<prefix>_requests_in_flight`` when ``in_flight``."""

    prefix: str
    served_by: str
    labels: tuple[str, ...] = ("route",)
    in_flight: bool = False


class RequestMetrics:
    """Request counts by labels and status, latency by labels, and optionally requests in flight, in an injected
    registry (the dashboards and alerts read these names: see ``deploy/``)."""

    def __init__(self, registry: CollectorRegistry, names: MetricNames) -> None:
        self.registry = registry
        labels = list(names.labels)
        self.requests = Counter(
            f"{names.prefix}_requests_total",
            f"HTTP requests served by {names.served_by}, by {', '.join(labels)} and status.",
            [*labels, "status"],
            registry=registry,
        )
        self.latency = Histogram(
            f"{names.prefix}_request_seconds",
            f"HTTP request latency at {names.served_by}, by {' and '.join(labels)}.",
            labels,
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.in_flight = (
            Gauge(f"{names.prefix}_requests_in_flight", "HTTP requests being served.", registry=registry)
            if names.in_flight
            else None
        )
        # The labelled children, looked up once each: ``labels()`` costs a lock and a tuple per call.
        self._counted: dict[tuple[tuple[str, ...], int], Counter] = {}
        self._timed: dict[tuple[str, ...], Histogram] = {}

    def observe(self, labels: tuple[str, ...], status: int, seconds: float) -> None:
        """Record one served request."""
        counted = self._counted.get((labels, status))
        if counted is None:
            counted = self._counted[(labels, status)] = self.requests.labels(*labels, str(status))
        timed = self._timed.get(labels)
        if timed is None:
            timed = self._timed[labels] = self.latency.labels(*labels)
        counted.inc()
        timed.observe(seconds)


def route_name(request: web.Request) -> str:
    """The matched route's name (the gateway's spec operation, the UI's page), or ``unmatched``."""
    return request.match_info.route.name or "unmatched"


def observe_requests(
    metrics: Callable[[web.Request], RequestMetrics],
    labels: Callable[[web.Request], tuple[str, ...]],
    *,
    slow_seconds: float,
    headers: Mapping[str, str] | None = None,
    after: Callable[[web.Request, int, float], None] | None = None,
) -> Middleware:
    """A middleware that binds a request id (the caller's ``X-Request-ID`` or a new one, sent back and on to the
    services), counts and times every request in ``metrics(request)`` under ``labels(request)``, adds ``headers``
    the handler did not set, calls ``after(request, status, seconds)`` and logs ``http_request``: at info when
    refused (4xx, 5xx) or slower than ``slow_seconds``, else at debug (a line per request at 64 clients would
    cost more than answering it). A client that hangs up is counted as 499."""

    @web.middleware
    async def observe(request: web.Request, handler: Handler) -> web.StreamResponse:
        request_id = request.headers.get(REQUEST_ID_HEADER) or os.urandom(16).hex()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        counted = metrics(request)
        started = time.perf_counter()
        status = 500
        if counted.in_flight is not None:
            counted.in_flight.inc()
        try:
            response = await handler(request)
            status = response.status
            response.headers[REQUEST_ID_HEADER] = request_id
            for header, value in (headers or {}).items():
                response.headers.setdefault(header, value)
            return response
        except web.HTTPException as http_error:  # a redirect raised past the error middleware
            status = http_error.status
            raise
        except ConnectionResetError:
            status = CLIENT_GONE
            log.info("client_disconnected", method=request.method, path=request.path)
            raise
        finally:
            if counted.in_flight is not None:
                counted.in_flight.dec()
            elapsed = time.perf_counter() - started
            counted.observe(labels(request), status, elapsed)
            if after is not None:
                after(request, status, elapsed)
            (log.info if status >= 400 or elapsed >= slow_seconds else log.debug)(
                "http_request", method=request.method, path=request.path, status=status, seconds=round(elapsed, 6)
            )
            structlog.contextvars.unbind_contextvars("request_id")

    return observe
