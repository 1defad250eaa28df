"""The answering side: typed endpoints served as a ``nats.micro`` service in a queue group.

``nats.micro`` runs a subscription's handler one message at a time; the host hands each request to its own
task (bounded by a semaphore) so one slow request never blocks the others, and keeps its own error and
latency figures, which it reports in the ``data`` field of ``$SRV.STATS``.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import structlog
from nats.aio.client import Client as NATS
from nats.micro import add_service
from nats.micro.request import Request
from nats.micro.service import EndpointStats, Service
from prometheus_client import CollectorRegistry
from pydantic import ValidationError

from contracts.base import Contract, Encoded
from contracts.errors import ErrorCode, ServiceFailure
from contracts.subjects import IDEMPOTENT_WRITES
from svckit.database import database_unreachable
from svckit.idempotency import LostClaim, answer_once
from svckit.logging import REQUEST_ID_HEADER, recent_events
from svckit.metrics import EndpointMetrics, serve_metrics
from svckit.reply_ledger import ReplyLedger
from svckit.settings import RuntimeSettings
from svckit.transport import IDEMPOTENCY_KEY_HEADER
from svckit.validation import describe

Req = TypeVar("Req", bound=Contract)
D = TypeVar("D")

log = structlog.get_logger()
SLOW_SECONDS = 1.0
_DATABASE_DOWN = "The {service} service cannot reach its database right now; try again shortly."


@dataclass(frozen=True)
class Endpoint(Generic[Req]):
    """One subject, the payload it takes and the use case that answers it."""

    subject: str
    request_type: type[Req]
    handler: Callable[[Req], Awaitable[Contract | Encoded]]


def bind(
    subject: str,
    request_type: type[Req],
    usecase: Callable[[Req, D], Awaitable[Contract | Encoded]],
    deps: D,
    translate: Callable[[Exception], ServiceFailure | None] | None = None,
) -> Endpoint[Any]:
    """An endpoint calling ``usecase(payload, deps)``; ``translate`` may map adapter errors to failures."""

    async def handle(payload: Req) -> Contract | Encoded:
        try:
            return await usecase(payload, deps)
        except Exception as error:
            failure = translate(error) if translate is not None else None
            if failure is None:
                raise
            raise failure from error

    return Endpoint(subject, request_type, handle)


@dataclass
class EndpointFigures:
    """One endpoint's figures, as ``$SRV.STATS`` reports them in its ``data`` field."""

    errors: int = 0
    last_error: str | None = None
    seconds: float = 0.0
    handled: int = 0

    def failed(self, failure: ServiceFailure) -> None:
        """Count a failure that is the service's fault (5xx); a refused request (4xx) is not an error."""
        if failure.code >= ErrorCode.INTERNAL:
            self.errors += 1
            self.last_error = failure.message

    def data(self, in_flight: int) -> dict[str, Any]:
        average = self.seconds / self.handled if self.handled else 0.0
        return {
            "errors": self.errors,
            "last_error": self.last_error,
            "handled": self.handled,
            "average_seconds": round(average, 6),
            "in_flight": in_flight,
        }


async def answer(endpoint: Endpoint[Any], payload: bytes) -> bytes:
    """``payload`` decoded, handled and the reply encoded; every failure as the ``ServiceFailure`` the caller gets:
    400 for a payload the endpoint refuses, the handler's own, 503 when the database cannot be reached (a restart
    or failover of PostgreSQL: nothing is wrong), 500 for a crash (its details only in the log)."""
    try:
        request = endpoint.request_type.model_validate_json(payload)
        reply = await endpoint.handler(request)
        return reply.body if isinstance(reply, Encoded) else reply.model_dump_json().encode()
    except ValidationError as error:
        raise ServiceFailure(ErrorCode.BAD_REQUEST, _header_safe(describe(error))) from error
    except LostClaim:
        raise  # an idempotent write another attempt took over: ``answer_once`` replays that one's outcome
    except Exception as error:
        raise _failure(endpoint, error) from error


async def answer_keyed(endpoint: Endpoint[Any], payload: bytes, ledger: ReplyLedger | None, key: str | None) -> bytes:
    """``answer``, run once per idempotency key when the endpoint is an idempotent write (``IDEMPOTENT_WRITES``)
    and the caller sent a key: a later attempt with the same key gets the first one's outcome."""
    if key is None or ledger is None or endpoint.subject not in IDEMPOTENT_WRITES:
        return await answer(endpoint, payload)
    try:
        return await answer_once(ledger, endpoint.subject, key[:200], payload, lambda: answer(endpoint, payload))
    except Exception as error:
        raise _failure(endpoint, error) from error


def _failure(endpoint: Endpoint[Any], error: Exception) -> ServiceFailure:
    """The failure the caller gets for ``error``."""
    if isinstance(error, ServiceFailure):
        return ServiceFailure(error.code, _header_safe(error.message))
    if database_unreachable(error):
        log.warning("database_unreachable", error=type(error).__name__, detail=str(error)[:300])
        service = endpoint.subject.split(".", 1)[0]
        return ServiceFailure(ErrorCode.UNAVAILABLE, _DATABASE_DOWN.format(service=service))
    log.exception("endpoint_crashed")
    return ServiceFailure(ErrorCode.INTERNAL, f"Internal error while handling {endpoint.subject}.")


@dataclass
class EndpointHost:
    """Runs endpoints for one service; ``start`` registers them, ``stop`` drains in-flight requests."""

    nc: NATS
    name: str
    version: str
    description: str
    endpoints: Sequence[Endpoint[Any]]
    metrics: EndpointMetrics
    concurrency: int = 256
    extra_stats: Callable[[], dict[str, Any]] | None = None
    ledger: ReplyLedger | None = None  # where idempotent writes are recorded; required to answer one
    _service: Service | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _figures: dict[str, EndpointFigures] = field(default_factory=dict)
    _slots: asyncio.Semaphore | None = None

    async def start(self) -> None:
        """Register the service and its endpoints with NATS."""
        unkeyed = [e.subject for e in self.endpoints if e.subject in IDEMPOTENT_WRITES and self.ledger is None]
        if unkeyed:
            raise ValueError(f"{', '.join(unkeyed)} may be sent twice: serving them needs a ReplyLedger")
        self._slots = asyncio.Semaphore(self.concurrency)
        self._service = await add_service(
            self.nc,
            name=self.name,
            version=self.version,
            description=self.description,
            stats_handler=self._stats,
        )
        for endpoint in self.endpoints:
            self._figures[endpoint.subject] = EndpointFigures()
            await self._service.add_endpoint(
                name=endpoint.subject.replace(".", "-"),
                subject=endpoint.subject,
                handler=self._dispatcher(endpoint),
            )
        await self.nc.flush()
        log.info("service_started", service=self.name, endpoints=len(self.endpoints))

    async def stop(self) -> None:
        """Stop taking requests and wait for the ones in flight."""
        if self._service is not None:
            await self._service.stop()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        log.info("service_stopped", service=self.name)

    def _stats(self, stats: EndpointStats) -> dict[str, Any]:
        figures = self._figures.get(stats.subject, EndpointFigures())
        return {
            **figures.data(in_flight=len(self._tasks)),
            **(self._process_stats() if stats.subject == self.endpoints[0].subject else {}),
        }

    def _process_stats(self) -> dict[str, Any]:
        """Figures of the whole process, carried once (by the first endpoint) rather than by every endpoint."""
        return {
            "recent_events": recent_events(10),
            **({"service": self.extra_stats()} if self.extra_stats is not None else {}),
        }

    def _dispatcher(self, endpoint: Endpoint[Any]) -> Callable[[Request], Awaitable[None]]:
        async def dispatch(request: Request) -> None:
            assert self._slots is not None
            await self._slots.acquire()
            task = asyncio.create_task(self._handle(endpoint, request))
            self._tasks.add(task)
            task.add_done_callback(self._finished)

        return dispatch

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        assert self._slots is not None
        self._slots.release()

    async def _handle(self, endpoint: Endpoint[Any], request: Request) -> None:
        headers = request.headers or {}
        request_id = headers.get(REQUEST_ID_HEADER)
        structlog.contextvars.bind_contextvars(request_id=request_id, subject=endpoint.subject)
        started = time.perf_counter()
        outcome = "ok"
        figures = self._figures[endpoint.subject]
        try:
            key = headers.get(IDEMPOTENCY_KEY_HEADER)
            await request.respond(await answer_keyed(endpoint, request.data, self.ledger, key))
        except ServiceFailure as failure:
            outcome = str(failure.code.value)
            figures.failed(failure)
            if failure.code >= ErrorCode.INTERNAL:
                log.warning("request_failed", code=int(failure.code), message=failure.message)
            await request.respond_error(str(int(failure.code)), failure.message)
        finally:
            elapsed = time.perf_counter() - started
            figures.handled += 1
            figures.seconds += elapsed
            self.metrics.observe(endpoint.subject, outcome, elapsed)
            # Counted and timed above for every request; logged at info only when refused or slow.
            (log.info if outcome != "ok" or elapsed >= SLOW_SECONDS else log.debug)(
                "request_handled", outcome=outcome, seconds=round(elapsed, 6)
            )


def _header_safe(message: str) -> str:
    """NATS headers cannot carry line breaks; keep messages on one line."""
    return " ".join(message.split())[:2000]


async def host_endpoints(
    stack: AsyncExitStack,
    nc: NATS,
    settings: RuntimeSettings,
    *,
    name: str,
    version: str,
    description: str,
    endpoints: Sequence[Endpoint[Any]],
    registry: CollectorRegistry | None = None,
    extra_stats: Callable[[], dict[str, Any]] | None = None,
    ledger: ReplyLedger | None = None,
) -> EndpointHost:
    """Serve ``/metrics`` on the service's own port and its endpoints over NATS until ``stack`` unwinds;
    ``registry`` may already hold the service's own metrics; ``extra_stats`` adds service figures to
    ``$SRV.STATS`` (under ``data.service`` of the first endpoint, beside the process's ``recent_events``);
    ``ledger`` records the outcomes of the idempotent writes among ``endpoints``."""
    registry = registry if registry is not None else CollectorRegistry()
    await stack.enter_async_context(serve_metrics(registry, settings.metrics_host, settings.metrics_port))
    host = EndpointHost(
        nc=nc,
        name=name,
        version=version,
        description=description,
        endpoints=endpoints,
        metrics=EndpointMetrics(registry, name),
        concurrency=settings.request_concurrency,
        extra_stats=extra_stats,
        ledger=ledger,
    )
    await host.start()
    stack.push_async_callback(host.stop)
    return host
