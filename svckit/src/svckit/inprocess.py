"""The bus in one process: services' endpoint tables answered without NATS, for fast tests of their callers.

``InProcessBus.serve`` takes a service's endpoint table, the same ``svckit.host.Endpoint`` list its composition
root hands to ``host_endpoints``. ``InProcessClient`` is a ``svckit.transport.Bus`` over it, and each request takes
the path it takes over NATS, bytes included: the request is encoded, validated as the endpoint validates it, its
handler runs in a task of its own (which goes on when the caller stops waiting, as a service's would), and the
reply is encoded and decoded; a keyed write (``IDEMPOTENT_WRITES``) runs once per key when its table is served
with a ``ReplyLedger``, as ``svckit.host`` runs it. Failures are the ones NATS carries, with the same codes and messages: 400 for a
payload the endpoint refuses, the handler's ``ServiceFailure``, 500 for a crash, 503 for a subject nobody answers,
504 past the timeout. ``stats`` answers in the shape of ``$SRV.STATS``, so health reports read it unchanged.
"""

import asyncio
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import structlog

from contracts.base import Contract
from contracts.errors import ErrorCode, ServiceFailure
from svckit.host import Endpoint, EndpointFigures, answer_keyed
from svckit.logging import recent_events
from svckit.reply_ledger import ReplyLedger
from svckit.transport import _service, decoded_reply, encoded_reply, write_key

R = TypeVar("R", bound=Contract)
Subscriber = Callable[[bytes], Awaitable[None]]

log = structlog.get_logger()


@dataclass
class _Served:
    """One endpoint of a served table and its figures (what ``svckit.host`` reports in ``$SRV.STATS``)."""

    service: str
    endpoint: Endpoint[Any]
    ledger: ReplyLedger | None = None
    figures: EndpointFigures = field(default_factory=EndpointFigures)


@dataclass
class InProcessBus:
    """Endpoint tables and event subscribers of this process; every subject answered by one table at most."""

    _served: dict[str, _Served] = field(default_factory=dict)
    _subscribers: dict[str, list[Subscriber]] = field(default_factory=lambda: defaultdict(list))
    _extra_stats: dict[str, Callable[[], dict[str, Any]]] = field(default_factory=dict)
    _running: dict[str, set[asyncio.Task[bytes]]] = field(default_factory=lambda: defaultdict(set))

    def serve(
        self,
        service: str,
        endpoints: Sequence[Endpoint[Any]],
        extra_stats: Callable[[], dict[str, Any]] | None = None,
        ledger: ReplyLedger | None = None,
    ) -> None:
        """Answer ``endpoints`` as ``service`` (its keyed writes recorded in ``ledger``); a subject some table
        already answers is a ``ValueError``."""
        for endpoint in endpoints:
            if endpoint.subject in self._served:
                raise ValueError(f"{endpoint.subject} is already answered by {self._served[endpoint.subject].service}")
            self._served[endpoint.subject] = _Served(service, endpoint, ledger)
        if extra_stats is not None:
            self._extra_stats[service] = extra_stats

    def client(self, *, default_timeout: float = 10.0) -> "InProcessClient":
        """A caller of this bus."""
        return InProcessClient(self, default_timeout=default_timeout)

    async def request(self, subject: str, payload: bytes, timeout: float, key: str | None = None) -> bytes:
        """The encoded reply of the endpoint answering ``subject`` (a keyed write's under idempotency ``key``); its
        failure as ``ServiceFailure``."""
        served = self._served.get(subject)
        if served is None:
            raise ServiceFailure(
                ErrorCode.UNAVAILABLE, f"The {_service(subject)} service is not available right now; try again shortly."
            )
        task = asyncio.create_task(self._handle(served, payload, key))
        running = self._running[served.service]
        running.add(task)
        task.add_done_callback(running.discard)
        task.add_done_callback(_retrieved)
        try:
            return await asyncio.wait_for(asyncio.shield(task), timeout)
        except TimeoutError:
            raise ServiceFailure(
                ErrorCode.TIMEOUT, f"The {_service(subject)} service did not answer within {timeout:g} seconds."
            ) from None

    async def _handle(self, served: _Served, payload: bytes, key: str | None) -> bytes:
        structlog.contextvars.bind_contextvars(subject=served.endpoint.subject)  # this task's copy of the context
        started = time.perf_counter()
        try:
            return await answer_keyed(served.endpoint, payload, served.ledger, key)
        except ServiceFailure as failure:
            served.figures.failed(failure)
            raise
        finally:
            served.figures.handled += 1
            served.figures.seconds += time.perf_counter() - started

    def subscribe(self, subject: str, callback: Subscriber) -> None:
        """Call ``callback`` with the payload of every event published on ``subject``."""
        self._subscribers[subject].append(callback)

    async def publish(self, subject: str, payload: bytes) -> None:
        """Deliver ``payload`` to every subscriber of ``subject``, in turn; a subscriber's crash is logged."""
        for callback in list(self._subscribers.get(subject, [])):
            try:
                await callback(payload)
            except Exception:
                log.exception("subscriber_crashed", subject=subject)

    def stats(self, service: str) -> list[dict[str, Any]]:
        """``service``'s answer to ``$SRV.STATS`` as one replica (none when it serves nothing)."""
        served = [s for s in self._served.values() if s.service == service]
        endpoints = []
        for index, entry in enumerate(served):
            data = entry.figures.data(in_flight=len(self._running[service]))
            if index == 0:
                data["recent_events"] = recent_events(10)
                if service in self._extra_stats:
                    data["service"] = self._extra_stats[service]()
            subject = entry.endpoint.subject
            endpoints.append(
                {
                    "name": subject.replace(".", "-"),
                    "subject": subject,
                    "num_requests": entry.figures.handled,
                    "data": data,
                }
            )
        return [{"name": service, "id": f"inprocess-{service}", "endpoints": endpoints}] if served else []


class InProcessClient:
    """``svckit.transport.Bus`` over an ``InProcessBus``: typed calls, events and stats without NATS."""

    def __init__(self, bus: InProcessBus, *, default_timeout: float = 10.0) -> None:
        self._bus = bus
        self._default_timeout = default_timeout

    async def call(self, subject: str, request: Contract, reply: type[R], *, timeout: float | None = None) -> R:
        """Send ``request`` to the endpoint answering ``subject`` and decode its reply."""
        return decoded_reply(subject, await self._send(subject, request, timeout), reply)

    async def call_encoded(self, subject: str, request: Contract, *, timeout: float | None = None) -> bytes:
        """The reply of a subject in ``ENCODED_REPLIES`` as its endpoint encoded it."""
        return encoded_reply(subject, await self._send(subject, request, timeout))

    async def _send(self, subject: str, request: Contract, timeout: float | None) -> bytes:
        wait = timeout if timeout is not None else self._default_timeout
        return await self._bus.request(subject, request.model_dump_json().encode(), wait, write_key(subject))

    async def publish(self, subject: str, event: Contract) -> None:
        """Deliver ``event`` to the bus's subscribers of ``subject``."""
        await self._bus.publish(subject, event.model_dump_json().encode())

    async def subscribe(self, subject: str, callback: Subscriber) -> None:
        """Call ``callback`` with the payload of every event on ``subject``."""
        self._bus.subscribe(subject, callback)

    async def stats(self, service: str) -> list[dict[str, Any]]:
        """``$SRV.STATS`` of ``service``'s one in-process replica (none when it serves nothing)."""
        return self._bus.stats(service)


def _retrieved(task: asyncio.Task[bytes]) -> None:
    """A failure nobody waited for any more (the caller timed out) is not an unhandled error."""
    if not task.cancelled():
        task.exception()
