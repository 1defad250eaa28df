"""A deleted user, changed permissions or a reset holds within one second on every gateway, even one that never
hears the revocation event (started with ``REVOCATION_EVENTS=false``, so it has only its own sequence reads)."""

import asyncio
import time
from collections.abc import Awaitable, Callable

import pytest

from tests.api import Api
from tests.e2e.gateways import extra_gateway
from tests.harness import RegistryStack

BOUND_SECONDS = 1.0
PASSWORD = "s3cret-pass!"
LISTING: list[dict[str, str]] = [{"name": "*"}]


async def _user_token(api: Api, name: str) -> str:
    created = await api.call(
        "POST", "/users", json_body={"name": name, "password": PASSWORD, "permissions": ["search"]}
    )
    assert created.status == 201, created.body
    login = await Api(api.session, api.base_url).login(user=name, password=PASSWORD, is_admin=False)
    assert login.status == 200, login.body
    return str(login.body)


def _delete(name: str) -> Callable[[Api], Awaitable[int]]:
    async def change(api: Api) -> int:
        return (await api.call("DELETE", f"/users/{name}")).status

    return change


def _demote(name: str) -> Callable[[Api], Awaitable[int]]:
    async def change(api: Api) -> int:
        body = {"permissions": ["download"]}
        return (await api.call("PUT", f"/users/{name}/permissions", json_body=body)).status

    return change


def _reset(_: str) -> Callable[[Api], Awaitable[int]]:
    async def change(api: Api) -> int:
        return (await api.call("DELETE", "/reset")).status

    return change


async def _last_served_after(gateway: Api, answered: float, refused_with: int) -> tuple[float, float]:
    """Call every 20 ms until refused; when (after the revocation was answered) the last served call and the first
    refused one were sent."""
    last_served = float("-inf")
    while True:
        sent = time.monotonic()
        reply = await gateway.call("POST", "/artifacts", json_body=LISTING)
        if reply.status == refused_with:
            return last_served - answered, sent - answered
        assert reply.status == 200, reply.body
        assert sent - answered < 3 * BOUND_SECONDS, "the revocation never arrived"
        last_served = sent
        await asyncio.sleep(0.02)


@pytest.mark.parametrize(
    ("change", "refused_with"), [(_delete, 403), (_demote, 401), (_reset, 403)], ids=["delete", "demote", "reset"]
)
async def test_a_revocation_holds_within_a_second_on_a_gateway_without_its_event(
    api: Api, registry: RegistryStack, change: Callable[[str], Callable[[Api], Awaitable[int]]], refused_with: int
) -> None:
    async with extra_gateway(registry, {"REVOCATION_EVENTS": "false"}) as deaf_gateway:
        token = await _user_token(api, "leaver")
        heard, deaf = Api(api.session, api.base_url), Api(api.session, deaf_gateway.url)
        heard.token = deaf.token = token
        for gateway in (heard, deaf):
            assert (await gateway.call("POST", "/artifacts", json_body=LISTING)).status == 200
        assert await change("leaver")(api) == 200
        answered = time.monotonic()
        assert (await heard.call("POST", "/artifacts", json_body=LISTING)).status == refused_with
        last_served, first_refused = await _last_served_after(deaf, answered, refused_with)
        assert last_served < BOUND_SECONDS
        assert first_refused < BOUND_SECONDS + 0.1
    assert "revocation_events_ignored" in deaf_gateway.log.read_text()
