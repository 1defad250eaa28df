"""The in-process bus answers like NATS: one suite run over both transports, so neither drifts from the other."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import pytest
import structlog
from prometheus_client import CollectorRegistry

from contracts.base import Contract, Empty, Encoded
from contracts.errors import ErrorCode, ServiceFailure
from contracts.subjects import ARTIFACT_BY_REGEX
from svckit.connection import connect
from svckit.host import Endpoint, EndpointHost
from svckit.inprocess import InProcessBus
from svckit.metrics import EndpointMetrics
from svckit.transport import Bus, ServiceClient
from tests.harness import start_open_nats


class Ping(Contract):
    text: str
    delay: float = 0.0


class Pong(Contract):
    text: str
    request_id: str | None


class Wrong(Contract):
    other: int


async def _echo(ping: Ping) -> Pong:
    await asyncio.sleep(ping.delay)
    if ping.text == "missing":
        raise ServiceFailure(ErrorCode.NOT_FOUND, "No such\nthing.")
    if ping.text == "crash":
        raise RuntimeError("boom")
    if ping.text == "database down":
        raise ConnectionRefusedError("connect call failed ('127.0.0.1', 5432)")
    return Pong(text=ping.text.upper(), request_id=structlog.contextvars.get_contextvars().get("request_id"))


async def _as_encoded(ping: Ping) -> Encoded:
    return Encoded(ping.text.encode())


# ARTIFACT_BY_REGEX is the one subject in ENCODED_REPLIES: here it answers with the request's text as it is.
ECHO = [Endpoint("echo.ping", Ping, _echo), Endpoint(ARTIFACT_BY_REGEX, Ping, _as_encoded)]


@pytest.fixture(scope="module")
def nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    child, url = start_open_nats(tmp_path_factory.mktemp("inprocess"))
    yield url
    child.stop()


@pytest.fixture(params=["inprocess", "nats"])
async def bus(request: pytest.FixtureRequest) -> AsyncIterator[Bus]:
    """A bus on which the ``echo`` service answers ``echo.ping``."""
    if request.param == "inprocess":
        in_process = InProcessBus()
        in_process.serve("echo", ECHO)
        yield in_process.client()
        return
    nc = await connect(request.getfixturevalue("nats_url"), name="test")
    metrics = EndpointMetrics(CollectorRegistry(), "echo")
    host = EndpointHost(nc=nc, name="echo", version="1.0.0", description="test", endpoints=ECHO, metrics=metrics)
    await host.start()
    yield ServiceClient(nc)
    await host.stop()
    await nc.drain()


async def _failure(bus: Bus, subject: str, request: Contract, timeout: float | None = None) -> ServiceFailure:
    with pytest.raises(ServiceFailure) as caught:
        await bus.call(subject, request, Pong, timeout=timeout)
    return caught.value


async def test_a_typed_round_trip_carries_the_request_id(bus: Bus) -> None:
    structlog.contextvars.bind_contextvars(request_id="req-123")
    try:
        pong = await bus.call("echo.ping", Ping(text="hi"), Pong)
    finally:
        structlog.contextvars.unbind_contextvars("request_id")
    assert pong == Pong(text="HI", request_id="req-123")


async def test_a_service_failure_keeps_its_code_and_its_message_on_one_line(bus: Bus) -> None:
    failure = await _failure(bus, "echo.ping", Ping(text="missing"))
    assert (failure.code, failure.message) == (ErrorCode.NOT_FOUND, "No such thing.")


async def test_a_crash_is_a_500_naming_the_subject_not_the_error(bus: Bus) -> None:
    failure = await _failure(bus, "echo.ping", Ping(text="crash"))
    assert (failure.code, failure.message) == (ErrorCode.INTERNAL, "Internal error while handling echo.ping.")


async def test_a_database_out_of_reach_is_a_503_saying_so(bus: Bus) -> None:
    failure = await _failure(bus, "echo.ping", Ping(text="database down"))
    assert (failure.code, failure.message) == (
        ErrorCode.UNAVAILABLE,
        "The echo service cannot reach its database right now; try again shortly.",
    )


async def test_a_payload_the_endpoint_refuses_is_a_400_naming_the_fields(bus: Bus) -> None:
    failure = await _failure(bus, "echo.ping", Wrong(other=1))
    assert failure.code is ErrorCode.BAD_REQUEST
    assert "text" in failure.message and "other" in failure.message


async def test_a_subject_nobody_answers_is_a_503_naming_the_service(bus: Bus) -> None:
    failure = await _failure(bus, "nobody.home", Ping(text="x"))
    assert (failure.code, failure.message) == (
        ErrorCode.UNAVAILABLE,
        "The nobody service is not available right now; try again shortly.",
    )


async def test_an_answer_later_than_the_timeout_is_a_504(bus: Bus) -> None:
    failure = await _failure(bus, "echo.ping", Ping(text="slow", delay=0.5), timeout=0.1)
    assert (failure.code, failure.message) == (ErrorCode.TIMEOUT, "The echo service did not answer within 0.1 seconds.")


async def test_stats_report_each_endpoints_handled_requests(bus: Bus) -> None:
    await bus.call("echo.ping", Ping(text="one"), Pong)
    await _failure(bus, "echo.ping", Ping(text="crash"))
    (replica,) = await bus.stats("echo")
    endpoints = {endpoint["subject"]: endpoint for endpoint in replica["endpoints"]}
    assert set(endpoints) == {"echo.ping", ARTIFACT_BY_REGEX}
    endpoint = endpoints["echo.ping"]
    assert (endpoint["data"]["handled"], endpoint["data"]["errors"]) == (2, 1)
    assert "recent_events" in endpoint["data"]
    assert await bus.stats("nobody") == []


async def test_events_reach_every_subscriber(bus: Bus) -> None:
    heard: list[tuple[str, bytes]] = []
    received = asyncio.Event()

    def listener(name: str) -> Callable[[bytes], Awaitable[None]]:
        async def hear(data: bytes) -> None:
            heard.append((name, data))
            if len(heard) == 2:
                received.set()

        return hear

    await bus.subscribe("echo.changed", listener("first"))
    await bus.subscribe("echo.changed", listener("second"))
    await bus.publish("echo.changed", Empty())
    await asyncio.wait_for(received.wait(), 2)
    assert sorted(heard) == [("first", b"{}"), ("second", b"{}")]


def test_a_subject_is_answered_by_one_table_only() -> None:
    bus = InProcessBus()
    bus.serve("echo", ECHO)
    with pytest.raises(ValueError, match=r"echo\.ping is already answered by echo"):
        bus.serve("other", ECHO)


async def test_an_encoded_reply_reaches_the_caller_byte_for_byte(bus: Bus) -> None:
    body = '[{"name":"a","id":"1","type":"model"}, {"name":"b\\u00e9","id":"2","type":"code"}]'
    assert await bus.call_encoded(ARTIFACT_BY_REGEX, Ping(text=body)) == body.encode()


async def test_an_encoded_reply_that_is_not_a_json_array_is_a_500(bus: Bus) -> None:
    with pytest.raises(ServiceFailure) as caught:
        await bus.call_encoded(ARTIFACT_BY_REGEX, Ping(text='{"items": []}'))
    assert caught.value.code == ErrorCode.INTERNAL
    assert caught.value.message == "The catalog service sent a malformed reply."


async def test_only_a_subject_answering_encoded_replies_is_read_undecoded(bus: Bus) -> None:
    with pytest.raises(ValueError, match="use call"):
        await bus.call_encoded("echo.ping", Ping(text="[]"))
