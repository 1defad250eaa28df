"""The NATS transport against a real nats-server: typed replies, error codes, 503/504, request ids."""

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import structlog
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from prometheus_client import CollectorRegistry

from contracts import subjects
from contracts.base import Contract
from contracts.errors import ErrorCode, ServiceFailure
from stack.processes import Child
from svckit import transport
from svckit.connection import connect
from svckit.host import Endpoint, EndpointHost
from svckit.metrics import EndpointMetrics
from svckit.transport import ServiceClient
from tests.harness import start_open_nats


class Ping(Contract):
    text: str
    delay: float = 0.0


class Pong(Contract):
    text: str
    request_id: str | None


@pytest.fixture(scope="module")
def nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    child, url = start_open_nats(tmp_path_factory.mktemp("svckit"))
    yield url
    child.stop()


async def _echo(ping: Ping) -> Pong:
    await asyncio.sleep(ping.delay)
    if ping.text == "missing":
        raise ServiceFailure(ErrorCode.NOT_FOUND, "no such thing")
    if ping.text == "crash":
        raise RuntimeError("boom")
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    return Pong(text=ping.text.upper(), request_id=request_id)


@pytest.fixture
async def nc(nats_url: str) -> AsyncIterator[NATS]:
    connection = await connect(nats_url, name="test")
    yield connection
    await connection.drain()


@pytest.fixture
async def echo_host(nc: NATS) -> AsyncIterator[EndpointHost]:
    host = EndpointHost(
        nc=nc,
        name="echo",
        version="1.0.0",
        description="test",
        endpoints=[Endpoint("echo.ping", Ping, _echo)],
        metrics=EndpointMetrics(CollectorRegistry(), "echo"),
    )
    await host.start()
    yield host
    await host.stop()


async def test_typed_round_trip_carries_the_request_id(nc: NATS, echo_host: EndpointHost) -> None:
    structlog.contextvars.bind_contextvars(request_id="req-123")
    try:
        pong = await ServiceClient(nc).call("echo.ping", Ping(text="hi"), Pong)
    finally:
        structlog.contextvars.unbind_contextvars("request_id")
    assert pong == Pong(text="HI", request_id="req-123")


async def test_service_failure_keeps_its_code_and_message(nc: NATS, echo_host: EndpointHost) -> None:
    with pytest.raises(ServiceFailure) as caught:
        await ServiceClient(nc).call("echo.ping", Ping(text="missing"), Pong)
    assert caught.value.code is ErrorCode.NOT_FOUND
    assert caught.value.message == "no such thing"


async def test_crash_in_a_handler_is_a_500_without_internals(nc: NATS, echo_host: EndpointHost) -> None:
    with pytest.raises(ServiceFailure) as caught:
        await ServiceClient(nc).call("echo.ping", Ping(text="crash"), Pong)
    assert caught.value.code is ErrorCode.INTERNAL
    assert "boom" not in caught.value.message


async def test_invalid_payload_is_a_400(nc: NATS, echo_host: EndpointHost) -> None:
    class Wrong(Contract):
        other: int

    with pytest.raises(ServiceFailure) as caught:
        await ServiceClient(nc).call("echo.ping", Wrong(other=1), Pong)
    assert caught.value.code is ErrorCode.BAD_REQUEST


async def test_no_replica_is_a_503_once_the_grace_for_a_failover_has_passed(
    nc: NATS, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transport, "NO_RESPONDERS_GRACE_SECONDS", 0.6)
    started = asyncio.get_running_loop().time()
    with pytest.raises(ServiceFailure) as caught:
        await ServiceClient(nc).call("nobody.home", Ping(text="x"), Pong)
    assert caught.value.code is ErrorCode.UNAVAILABLE
    assert caught.value.message == "The nobody service is not available right now; try again shortly."
    assert 0.3 <= asyncio.get_running_loop().time() - started < 1.5  # the grace, not the 10 s timeout


@pytest.mark.parametrize("subject", [subjects.ARTIFACT_GET, subjects.ARTIFACT_CREATE])
async def test_a_request_no_replica_took_is_sent_again_once_one_subscribes(nc: NATS, subject: str) -> None:
    """A failover (every replica reconnecting to another NATS node) leaves a moment with no subscriber: nobody took
    the request, so even a write is sent again, and answered, once a replica has subscribed again."""
    seen: list[bytes] = []

    async def answer(message: Msg) -> None:
        seen.append(message.data)
        await message.respond(Pong(text="answered", request_id=None).model_dump_json().encode())

    async def subscribe_later() -> None:
        await asyncio.sleep(0.6)
        await nc.subscribe(subject, queue="replicas", cb=answer)

    later = asyncio.create_task(subscribe_later())
    reply = await ServiceClient(nc).call(subject, Ping(text="x"), Pong, timeout=5)
    await later
    assert reply.text == "answered" and len(seen) == 1


async def test_slow_replica_is_a_504_not_a_hang(nc: NATS, echo_host: EndpointHost) -> None:
    with pytest.raises(ServiceFailure) as caught:
        await ServiceClient(nc).call("echo.ping", Ping(text="x", delay=1.0), Pong, timeout=0.2)
    assert caught.value.code is ErrorCode.TIMEOUT


async def test_a_slow_request_does_not_block_the_others(nc: NATS, echo_host: EndpointHost) -> None:
    client = ServiceClient(nc)
    slow = asyncio.create_task(client.call("echo.ping", Ping(text="slow", delay=0.8), Pong))
    await asyncio.sleep(0.05)
    fast = await client.call("echo.ping", Ping(text="fast"), Pong, timeout=0.5)
    assert fast.text == "FAST"
    assert not slow.done()
    assert (await slow).text == "SLOW"


async def test_stats_report_handled_requests_and_errors(nc: NATS, echo_host: EndpointHost) -> None:
    client = ServiceClient(nc)
    await client.call("echo.ping", Ping(text="a"), Pong)
    with pytest.raises(ServiceFailure):
        await client.call("echo.ping", Ping(text="crash"), Pong)
    reply = await nc.request("$SRV.STATS.echo", b"", timeout=2)
    endpoint = json.loads(reply.data)["endpoints"][0]
    assert endpoint["subject"] == "echo.ping"
    assert endpoint["data"]["handled"] >= 2
    assert endpoint["data"]["errors"] >= 1


async def _replica_dying_with_its_first_request(nc: NATS, subject: str) -> list[bytes]:
    """A responder that takes the first request and never answers it (as a replica killed mid-call), then answers
    the others; the payloads it received."""
    seen: list[bytes] = []

    async def answer(message: Msg) -> None:
        seen.append(message.data)
        if len(seen) > 1:
            await message.respond(Pong(text="answered", request_id=None).model_dump_json().encode())

    await nc.subscribe(subject, queue="replicas", cb=answer)
    await nc.flush()  # the server knows the subscription before anyone calls
    return seen


async def test_a_read_whose_replica_died_mid_call_is_sent_again(nc: NATS, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transport, "RETRY_AFTER_SECONDS", 0.3)
    seen = await _replica_dying_with_its_first_request(nc, subjects.ARTIFACT_GET)
    started = asyncio.get_running_loop().time()
    reply = await ServiceClient(nc).call(subjects.ARTIFACT_GET, Ping(text="x"), Pong, timeout=5)
    assert reply.text == "answered" and len(seen) == 2 and seen[0] == seen[1]
    assert 0.3 <= asyncio.get_running_loop().time() - started < 2


async def test_a_write_is_never_sent_twice(nc: NATS, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transport, "RETRY_AFTER_SECONDS", 0.3)
    seen = await _replica_dying_with_its_first_request(nc, subjects.ARTIFACT_CREATE)
    with pytest.raises(ServiceFailure) as caught:
        await ServiceClient(nc).call(subjects.ARTIFACT_CREATE, Ping(text="x"), Pong, timeout=1)
    assert caught.value.code is ErrorCode.TIMEOUT
    assert caught.value.message == "The catalog service did not answer within 1 seconds."
    assert len(seen) == 1


@pytest.fixture
def own_nats(tmp_path: Path) -> Iterator[tuple[Child, str]]:
    """A NATS server of the test's own, to kill and start again on the same port."""
    child, url = start_open_nats(tmp_path)
    yield child, url
    child.stop()


async def _restart_once_taken(child: Child, seen: list[bytes]) -> None:
    """Kill the server once the responder holds the request (not while it may still be in the caller's buffer,
    which nats-py would send again after reconnecting), then start it again on the same port."""
    async with asyncio.timeout(5):  # a request that never reached the responder fails the test, never hangs it
        while not seen:
            await asyncio.sleep(0.01)
    await asyncio.sleep(0.1)
    child.kill()
    await asyncio.sleep(0.3)
    child.start()


@pytest.fixture
async def dropping(own_nats: tuple[Child, str]) -> AsyncIterator[tuple[Child, NATS, NATS]]:
    """The server to kill, a caller and a responder connected to it (as the transport connects)."""
    child, url = own_nats
    caller, responder = await connect(url, name="caller"), await connect(url, name="responder")
    yield child, caller, responder
    await caller.close()
    await responder.close()


async def _call_across_a_restart(dropping: tuple[Child, NATS, NATS], subject: str) -> tuple[Pong, list[bytes], float]:
    """Call ``subject`` on a replica that dies with its first request while the server restarts: the reply, the
    requests the replica received, and the seconds the call took (the 10 s timeout must not run out)."""
    child, caller, responder = dropping
    seen = await _replica_dying_with_its_first_request(responder, subject)
    started = asyncio.get_running_loop().time()
    restart = asyncio.create_task(_restart_once_taken(child, seen))
    try:
        reply = await ServiceClient(caller).call(subject, Ping(text="x"), Pong, timeout=10)
    finally:
        await restart
    return reply, seen, asyncio.get_running_loop().time() - started


async def test_a_write_whose_connection_dropped_fails_at_once_not_at_its_timeout(
    dropping: tuple[Child, NATS, NATS],
) -> None:
    started = asyncio.get_running_loop().time()
    with pytest.raises(ServiceFailure) as caught:
        await _call_across_a_restart(dropping, subjects.ARTIFACT_CREATE)
    assert asyncio.get_running_loop().time() - started < 2  # the 10 s timeout did not run out
    assert caught.value.code is ErrorCode.UNAVAILABLE
    assert "dropped while the catalog service was answering" in caught.value.message, caught.value
    assert caught.value.message.endswith("the request may or may not have been carried out.")


async def test_a_read_whose_connection_dropped_is_sent_again_once_reconnected(
    dropping: tuple[Child, NATS, NATS],
) -> None:
    reply, seen, took = await _call_across_a_restart(dropping, subjects.ARTIFACT_GET)
    assert reply.text == "answered" and len(seen) == 2
    assert took < 1.9  # sent again on reconnection: no 2 s first wait


async def test_a_read_unanswered_twice_is_a_504_naming_the_whole_wait(
    nc: NATS, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transport, "RETRY_AFTER_SECONDS", 0.3)
    seen: list[bytes] = []

    async def never(message: Msg) -> None:
        seen.append(message.data)

    await nc.subscribe(subjects.ARTIFACT_AUDIT, queue="replicas", cb=never)
    await nc.flush()
    with pytest.raises(ServiceFailure) as caught:
        await ServiceClient(nc).call(subjects.ARTIFACT_AUDIT, Ping(text="x"), Pong, timeout=1)
    assert caught.value.code is ErrorCode.TIMEOUT
    assert caught.value.message == "The catalog service did not answer within 1 seconds."
    assert len(seen) == 2


async def test_a_read_with_a_short_wait_is_sent_again_after_half_of_it(nc: NATS) -> None:
    """A read waiting 1 s (the gateway's revocation check) whose replica died with it still gets its answer."""
    seen = await _replica_dying_with_its_first_request(nc, subjects.AUTH_REVOCATIONS)
    started = asyncio.get_running_loop().time()
    reply = await ServiceClient(nc).call(subjects.AUTH_REVOCATIONS, Ping(text="x"), Pong, timeout=1)
    assert reply.text == "answered" and len(seen) == 2
    assert 0.5 <= asyncio.get_running_loop().time() - started < 1
