"""Login throttling: failures per name and per address, refills, queued bursts; client addresses behind
trusted proxies."""

import asyncio
import ipaddress

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from gateway.codec import client_address
from gateway.throttle import Attempt, FailureBuckets, LoginThrottle, Throttled


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _throttle(clock: Clock, per_name: int = 3, per_address: int = 10) -> LoginThrottle:
    return LoginThrottle(
        names=FailureBuckets(per_name, 60.0, clock=clock), addresses=FailureBuckets(per_address, 60.0, clock=clock)
    )


async def _fail(throttle: LoginThrottle, name: str, address: str = "192.0.2.1") -> None:
    async with throttle.attempt(name, address) as attempt:
        attempt.failed()


async def test_a_name_is_refused_after_its_failures_until_one_refills() -> None:
    clock = Clock()
    throttle = _throttle(clock)
    for _ in range(3):
        await _fail(throttle, "alice")
    with pytest.raises(Throttled) as refused:
        await _fail(throttle, "alice", "198.51.100.7")
    assert refused.value.code == 429 and refused.value.retry_after == 60
    assert "for this user name" in refused.value.message and "60 seconds" in refused.value.message
    clock.now += 45
    with pytest.raises(Throttled) as still:
        await _fail(throttle, "alice")
    assert still.value.retry_after == 15
    clock.now += 15
    await _fail(throttle, "alice")


async def test_an_address_is_refused_after_its_failures_whatever_the_name() -> None:
    throttle = _throttle(Clock())
    for index in range(10):
        await _fail(throttle, f"user-{index}")
    with pytest.raises(Throttled, match="from this address"):
        await _fail(throttle, "someone-else")
    await _fail(throttle, "someone-else", "203.0.113.9")


async def test_signing_in_forgives_the_names_failures_but_not_the_addresses() -> None:
    throttle = _throttle(Clock(), per_address=4)
    for _ in range(2):
        await _fail(throttle, "alice")
    async with throttle.attempt("alice", "192.0.2.1") as attempt:
        attempt.succeeded()
    await _fail(throttle, "alice")
    await _fail(throttle, "alice")
    with pytest.raises(Throttled, match="from this address"):
        await _fail(throttle, "alice")


async def test_concurrent_guesses_get_no_more_tries_than_sequential_ones() -> None:
    throttle = _throttle(Clock())
    tried = []

    async def guess(index: int) -> None:
        async with throttle.attempt("alice", "192.0.2.1") as attempt:
            tried.append(1)
            await asyncio.sleep(0.005 * (index + 1))  # guesses end one after another, as on a loaded machine
            attempt.failed()

    results = await asyncio.gather(*(guess(i) for i in range(20)), return_exceptions=True)
    assert len(tried) == 3
    assert sum(isinstance(r, Throttled) for r in results) == 17


async def test_a_burst_of_honest_sign_ins_all_succeed_queued_per_name() -> None:
    throttle = _throttle(Clock())
    running = []
    most = 0

    async def sign_in(name: str) -> None:
        nonlocal most
        async with throttle.attempt(name, "192.0.2.1") as attempt:
            running.append(name)
            most = max(most, running.count("alice"))
            await asyncio.sleep(0.001)
            running.remove(name)
            attempt.succeeded()

    await asyncio.gather(*(sign_in("alice" if i % 2 else f"user-{i}") for i in range(100)))
    assert most <= 3
    assert not throttle.names._keys and not throttle.addresses._keys


async def test_an_attempt_records_its_name_and_address() -> None:
    throttle = _throttle(Clock())
    async with throttle.attempt("alice", "192.0.2.1") as attempt:
        assert attempt == Attempt(throttle, "alice", "192.0.2.1")


TRUSTED = [ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("127.0.0.1")]


class _Transport:
    def __init__(self, peer: str) -> None:
        self.peer = peer

    def get_extra_info(self, name: str, default: object = None) -> object:
        return (self.peer, 40000) if name == "peername" else default

    def is_closing(self) -> bool:
        return False


def _request(peer: str, forwarded: str | None = None) -> web.Request:
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    return make_mocked_request("PUT", "/authenticate", headers=headers, transport=_Transport(peer))


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("203.0.113.5", None, "203.0.113.5"),
        ("203.0.113.5", "198.51.100.1", "203.0.113.5"),
        ("10.1.2.3", "198.51.100.1", "198.51.100.1"),
        ("10.1.2.3", "6.6.6.6, 198.51.100.1, 10.9.9.9", "198.51.100.1"),
        ("127.0.0.1", "10.0.0.2", "127.0.0.1"),
        ("10.1.2.3", "not-an-address", "not-an-address"),
    ],
)
def test_the_client_is_the_last_address_no_trusted_proxy_appended(
    peer: str, forwarded: str | None, expected: str
) -> None:
    assert client_address(_request(peer, forwarded), TRUSTED) == expected


def test_without_trusted_proxies_the_peer_is_the_client() -> None:
    assert client_address(_request("10.1.2.3", "198.51.100.1"), []) == "10.1.2.3"
