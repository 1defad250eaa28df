"""Sign-ins as an attacker would try them, on a stack of its own whose gateway trusts X-Forwarded-For from
127.0.0.1 (so each test can speak from addresses of its own): unknown and known names take the same time,
failures are throttled per name and per address with 429 and Retry-After, and 100 honest sign-ins at once
all succeed."""

import asyncio
import secrets
import statistics
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.api import ADMIN, ADMIN_PASSWORD, Api, Reply, reset_admin
from tests.harness import RegistryStack, running_registry

PASSWORD = "s3cret-pass!"


@pytest.fixture(scope="module")
def login_registry(workdir: Path, mirror_url: str) -> Iterator[RegistryStack]:
    """A registry (SQLite) behind a trusted proxy at 127.0.0.1, with the default login throttle."""
    with running_registry(
        workdir / "logins", mirror_url, extra_env={"GATEWAY_TRUSTED_PROXIES": '["127.0.0.1"]'}
    ) as stack:
        yield stack


@pytest.fixture
async def admin(login_registry: RegistryStack) -> AsyncIterator[Api]:
    async with reset_admin(login_registry.base_url) as api:
        yield api


def _address() -> str:
    """A client address of its own, as the trusted proxy reports it."""
    return f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"


async def _sign_in(api: Api, name: str, password: str, address: str) -> Reply:
    body = {"user": {"name": name, "is_admin": False}, "secret": {"password": password}}
    return await api.call("PUT", "/authenticate", json_body=body, token=None, headers={"X-Forwarded-For": address})


async def _create_users(api: Api, names: list[str]) -> None:
    for name in names:
        created = await api.call("POST", "/users", json_body={"name": name, "password": PASSWORD})
        assert created.status == 201, created.body


async def test_unknown_and_known_names_take_the_same_time(admin: Api) -> None:
    known_names = [f"known-{i}" for i in range(5)]
    await _create_users(admin, known_names)
    known: list[float] = []
    unknown: list[float] = []
    for attempt in range(15):  # a different address and at most 3 tries per name: never throttled
        for name, times in ((known_names[attempt % 5], known), (f"ghost-{secrets.token_hex(4)}", unknown)):
            started = time.perf_counter()
            reply = await _sign_in(admin, name, "wrong-password", _address())
            times.append(time.perf_counter() - started)
            assert reply.status == 401, reply.body
            assert reply.body["message"] == "The user or password is invalid."
    known_median, unknown_median = statistics.median(known), statistics.median(unknown)
    print(f"median refusal: known {known_median * 1000:.0f} ms, unknown {unknown_median * 1000:.0f} ms")
    assert abs(known_median - unknown_median) < 0.25 * known_median, (known, unknown)


async def test_a_name_is_throttled_after_repeated_failures(admin: Api) -> None:
    await _create_users(admin, ["victim"])
    for _ in range(5):
        assert (await _sign_in(admin, "victim", "guess", _address())).status == 401
    refused = await _sign_in(admin, "victim", PASSWORD, _address())
    assert refused.status == 429, refused.body
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "for this user name" in refused.body["message"] and refused.body["request_id"]
    unknown = [await _sign_in(admin, "no-such-user", "guess", _address()) for _ in range(6)]
    assert [r.status for r in unknown] == [401] * 5 + [429]
    assert (await _sign_in(admin, ADMIN, ADMIN_PASSWORD, _address())).status == 200


async def test_an_address_is_throttled_after_repeated_failures(admin: Api) -> None:
    attacker = _address()
    for index in range(20):
        assert (await _sign_in(admin, f"guess-{index}", "guess", attacker)).status == 401
    refused = await _sign_in(admin, ADMIN, ADMIN_PASSWORD, attacker)
    assert refused.status == 429, refused.body
    assert int(refused.headers["Retry-After"]) >= 1
    assert "from this address" in refused.body["message"]
    assert (await _sign_in(admin, ADMIN, ADMIN_PASSWORD, _address())).status == 200


async def test_a_hundred_simultaneous_honest_sign_ins_from_one_address_all_succeed(admin: Api) -> None:
    names = [f"member-{i}" for i in range(10)]
    await _create_users(admin, names)
    office = _address()
    credentials = [(names[i % 10], PASSWORD) if i % 2 else (ADMIN, ADMIN_PASSWORD) for i in range(100)]
    started = time.perf_counter()
    replies = await asyncio.gather(*(_sign_in(admin, name, password, office) for name, password in credentials))
    seconds = time.perf_counter() - started
    assert [r.status for r in replies] == [200] * 100, {r.status for r in replies}
    assert len({r.body for r in replies}) == 100
    print(f"100 simultaneous sign-ins: {seconds:.1f} s")
