"""The requesting side of NATS request/reply: typed calls with request ids and mapped failures."""

import asyncio
import contextlib
import contextvars
import json
import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, Protocol, TypeVar

import nats
import structlog
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.errors import Error as NatsError
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeout
from nats.micro.request import ERROR_CODE_HEADER, ERROR_HEADER
from pydantic import ValidationError

from contracts.base import Contract
from contracts.errors import ErrorCode, ServiceFailure
from contracts.subjects import ENCODED_REPLIES, IDEMPOTENT_WRITES, RESENDABLE
from svckit.logging import REQUEST_ID_HEADER

R = TypeVar("R", bound=Contract)
RETRY_AFTER_SECONDS = 2.0  # a read or keyed write (``RESENDABLE``, ``IDEMPOTENT_WRITES``) unanswered this long: resent
RESUBSCRIBE_WAIT_SECONDS = 0.25  # between asks while no replica is subscribed (a failover, a dropped connection)
NO_RESPONDERS_GRACE_SECONDS = 2.0  # how long a request waits for a replica to subscribe before it is a 503
IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"  # a keyed write's key (``svckit.idempotency``), the same on each resend
STATS_WAIT_SECONDS = 0.25  # how long ``$SRV.STATS`` answers are collected: every replica answers within it

log = structlog.get_logger()
_chosen_key: contextvars.ContextVar[str | None] = contextvars.ContextVar("idempotency_key", default=None)


def current_request_id() -> str | None:
    """The request id bound in this task's logging context, if any."""
    value = structlog.contextvars.get_contextvars().get("request_id")
    return str(value) if value is not None else None


@contextlib.contextmanager
def idempotency_key(key: str | None) -> Iterator[None]:
    """Keyed writes (``IDEMPOTENT_WRITES``) sent within carry ``key`` rather than a fresh key per call (None): a
    client's own, which the gateway scopes to the caller, so the client's retry of a request is run once too."""
    token = _chosen_key.set(key)
    try:
        yield
    finally:
        _chosen_key.reset(token)


def write_key(subject: str) -> str | None:
    """The idempotency key a call of ``subject`` carries, kept by its resends: the one bound by ``idempotency_key``,
    else a fresh one (not the request id: a client's X-Request-Id may repeat); None for a subject not keyed."""
    if subject not in IDEMPOTENT_WRITES:
        return None
    return _chosen_key.get() or uuid.uuid4().hex


class Bus(Protocol):
    """The bus as a caller sees it: ``ServiceClient`` over NATS, or ``svckit.inprocess.InProcessClient`` serving
    endpoint tables in this process (the gateway's fast tests). ``call`` sends a request to the one replica that
    takes it; ``publish`` and ``subscribe`` carry events to every subscriber; ``stats`` is each replica's
    ``nats.micro`` stats (no replica: an empty list)."""

    async def call(self, subject: str, request: Contract, reply: type[R], *, timeout: float | None = None) -> R: ...
    async def call_encoded(self, subject: str, request: Contract, *, timeout: float | None = None) -> bytes: ...
    async def publish(self, subject: str, event: Contract) -> None: ...
    async def subscribe(self, subject: str, callback: Callable[[bytes], Awaitable[None]]) -> None: ...
    async def stats(self, service: str) -> list[dict[str, Any]]: ...


class ServiceClient:
    """Sends contract payloads to service subjects and decodes the typed reply."""

    def __init__(self, nc: NATS, *, default_timeout: float = 10.0) -> None:
        self._nc = nc
        self._default_timeout = default_timeout

    async def publish(self, subject: str, event: Contract) -> None:
        """Publish ``event`` without waiting for anyone (fire-and-forget events such as audit records)."""
        await self._nc.publish(subject, event.model_dump_json().encode())

    async def subscribe(self, subject: str, callback: Callable[[bytes], Awaitable[None]]) -> None:
        """Call ``callback`` with each event's payload on ``subject`` (every subscriber hears every event)."""

        async def deliver(msg: Msg) -> None:
            await callback(msg.data)

        await self._nc.subscribe(subject, cb=deliver)

    async def stats(self, service: str, wait: float = STATS_WAIT_SECONDS) -> list[dict[str, Any]]:
        """``$SRV.STATS.<service>`` from each replica that answers within ``wait`` seconds."""
        replies: list[dict[str, Any]] = []
        inbox = self._nc.new_inbox()

        async def collect(msg: Msg) -> None:
            with contextlib.suppress(json.JSONDecodeError):
                replies.append(json.loads(msg.data))

        try:
            subscription = await self._nc.subscribe(inbox, cb=collect)
            try:
                await self._nc.publish(f"$SRV.STATS.{service}", b"", reply=inbox)
                await self._nc.flush(timeout=1)
                await asyncio.sleep(wait)
            finally:
                await subscription.unsubscribe()
        except (NatsError, TimeoutError):
            return []
        return replies

    async def call(self, subject: str, request: Contract, reply: type[R], *, timeout: float | None = None) -> R:
        """Send ``request`` to ``subject`` and return the reply; failures raise ``ServiceFailure``."""
        return decoded_reply(subject, await self._send(subject, request, timeout), reply)

    async def call_encoded(self, subject: str, request: Contract, *, timeout: float | None = None) -> bytes:
        """The reply of a subject in ``ENCODED_REPLIES`` as its service encoded it (``contracts.base.Encoded``),
        to pass on as it is; failures raise ``ServiceFailure``."""
        return encoded_reply(subject, await self._send(subject, request, timeout))

    async def _send(self, subject: str, request: Contract, timeout: float | None) -> bytes:
        wait = timeout if timeout is not None else self._default_timeout
        headers = {}
        request_id = current_request_id()
        if request_id:
            headers[REQUEST_ID_HEADER] = request_id
        key = write_key(subject)
        if key is not None:
            headers[IDEMPOTENCY_KEY_HEADER] = key
        msg = await self._answer(subject, request.model_dump_json().encode(), wait, headers)
        if msg.headers and ERROR_CODE_HEADER in msg.headers:
            raise _failure_from_headers(msg.headers)
        return msg.data

    async def _answer(self, subject: str, payload: bytes, wait: float, headers: dict[str, str]) -> Msg:
        """The answer to ``payload`` within ``wait`` seconds, sent again when that is safe and may help:

        - no replica subscribed (a failover: the replicas reconnect to another NATS node and subscribe again):
          nobody took it, so any request is sent again, every ``RESUBSCRIBE_WAIT_SECONDS`` for up to
          ``NO_RESPONDERS_GRACE_SECONDS``, then it is a 503;
        - a read (``RESENDABLE``: the reads and a token lease) or a keyed write (``IDEMPOTENT_WRITES``: the service
          runs it once per key and replays its outcome) unanswered after ``RETRY_AFTER_SECONDS``, or half its wait
          when that is shorter (its replica may have died with it, or its reply with a NATS node), is sent once
          more for the rest;
        - either whose connection dropped while it waited is sent again on the reconnected connection, for as long
          as the wait allows. Any other write is never sent again once a replica may have taken it.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        grace_until = loop.time() + min(wait, NO_RESPONDERS_GRACE_SECONDS)
        retryable = subject in RESENDABLE or subject in IDEMPOTENT_WRITES
        taken = 0  # times a replica may have taken it
        while True:
            left = deadline - loop.time()
            try:
                seconds = min(left, RETRY_AFTER_SECONDS, wait / 2) if retryable and taken == 0 else left
                return await self._request(subject, payload, max(0.01, seconds), headers)
            except _NoResponders as nobody:
                if loop.time() + RESUBSCRIBE_WAIT_SECONDS >= min(grace_until, deadline):
                    raise nobody.failure from None
            except NatsTimeout as unanswered:
                taken += 1
                if not retryable or taken > 1 or deadline - loop.time() <= 0:
                    raise self._lost(subject, wait, unanswered) from None
                log.info("request_sent_again", subject=subject, reason="unanswered")
                continue
            except _Dropped as dropped:
                taken += 1
                if not retryable or loop.time() + RESUBSCRIBE_WAIT_SECONDS >= deadline:
                    raise self._lost(subject, wait, dropped) from None
                grace_until = deadline  # the replicas are subscribing again on the reconnected server
                log.info("request_sent_again", subject=subject, reason="connection dropped")
            await asyncio.sleep(RESUBSCRIBE_WAIT_SECONDS)

    async def _request(self, subject: str, payload: bytes, seconds: float, headers: dict[str, str]) -> Msg:
        """One request/reply; raises ``NatsTimeout`` when unanswered in ``seconds``, ``_Dropped`` when the connection
        dropped while it waited, ``ServiceFailure`` otherwise."""
        reconnects = self._nc.stats["reconnects"]
        try:
            return await self._nc.request(subject, payload, timeout=seconds, headers=headers or None)
        except nats.errors.ConnectionReconnectingError as error:
            if not self._nc.is_connected and not self._nc.is_reconnecting:
                raise ServiceFailure(ErrorCode.UNAVAILABLE, "The message bus is not reachable right now.") from error
            raise _Dropped from error
        except NoRespondersError as error:
            if self._nc.stats["reconnects"] != reconnects:
                # nats-py sent the request again on the new connection before the replicas subscribed again there:
                # the connection dropped while it waited, whatever the first replica did with it
                raise _Dropped from error
            raise _NoResponders(
                ServiceFailure(
                    ErrorCode.UNAVAILABLE,
                    f"The {_service(subject)} service is not available right now; try again shortly.",
                )
            ) from error
        except nats.errors.ConnectionClosedError as error:
            raise ServiceFailure(ErrorCode.UNAVAILABLE, "The message bus is not reachable right now.") from error

    @staticmethod
    def _lost(subject: str, wait: float, cause: Exception) -> ServiceFailure:
        if isinstance(cause, _Dropped):
            return ServiceFailure(
                ErrorCode.UNAVAILABLE,
                f"The connection to the message bus dropped while the {_service(subject)} service was answering; "
                "the request may or may not have been carried out.",
            )
        return ServiceFailure(
            ErrorCode.TIMEOUT, f"The {_service(subject)} service did not answer within {wait:g} seconds."
        )


class _Dropped(Exception):
    """The connection to NATS dropped while a request waited for its answer."""


class _NoResponders(Exception):
    """No replica is subscribed to the subject: nobody took the request."""

    def __init__(self, failure: ServiceFailure) -> None:
        super().__init__(failure.message)
        self.failure = failure


def decoded_reply(subject: str, data: bytes, reply: type[R]) -> R:
    """``data`` validated as ``subject``'s ``reply``; a malformed one is a 500 (its detail only in the log)."""
    try:
        return reply.model_validate_json(data)
    except ValidationError as error:
        log.error("bad_reply", subject=subject, error=str(error))
        raise ServiceFailure(ErrorCode.INTERNAL, f"The {_service(subject)} service sent a malformed reply.") from error


def encoded_reply(subject: str, data: bytes) -> bytes:
    """``data`` as the encoded reply of ``subject``: only subjects in ``ENCODED_REPLIES`` answer so, and only with a
    JSON array (its items were encoded from contract models by the service; a malformed frame is a 500)."""
    if subject not in ENCODED_REPLIES:
        raise ValueError(f"{subject} answers with a contract, not an encoded reply: use call()")
    if not (data.startswith(b"[") and data.endswith(b"]")):
        log.error("bad_reply", subject=subject, error="an encoded reply that is not a JSON array")
        raise ServiceFailure(ErrorCode.INTERNAL, f"The {_service(subject)} service sent a malformed reply.")
    return data


def _service(subject: str) -> str:
    return subject.split(".", 1)[0]


def _failure_from_headers(headers: dict[str, str]) -> ServiceFailure:
    raw_code = headers.get(ERROR_CODE_HEADER, "500")
    message = headers.get(ERROR_HEADER, "Service error")
    try:
        code = ErrorCode(int(raw_code))
    except ValueError:
        code = ErrorCode.INTERNAL
    return ServiceFailure(code, message)
