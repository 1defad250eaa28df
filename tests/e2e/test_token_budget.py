"""A token's 1,000 calls are exact under load: every use is spent once, on any gateway replica, and no more."""

import asyncio
from collections import Counter

from tests.api import Api
from tests.e2e.gateways import extra_gateway
from tests.harness import RegistryStack

CLIENTS = 64
TOKEN_MAX_USES = 1000


async def _spend_until_refused(api: Api, bases: list[str], token: str) -> Counter[int]:
    """64 clients, spread over ``bases``, each calling with ``token`` until it is refused; the statuses seen."""
    statuses: Counter[int] = Counter()

    async def client(index: int) -> None:
        gateway = Api(api.session, bases[index % len(bases)])
        while True:
            reply = await gateway.call("POST", "/artifacts", json_body=[{"name": "*"}], token=token)
            statuses[reply.status] += 1
            if reply.status != 200:
                return

    await asyncio.gather(*(client(i) for i in range(CLIENTS)))
    return statuses


async def test_one_token_shared_by_64_clients_on_one_gateway_gets_exactly_1000_calls(api: Api) -> None:
    token = await api.admin_token()
    statuses = await _spend_until_refused(api, [api.base_url], token)
    assert statuses == {200: TOKEN_MAX_USES, 403: CLIENTS}


async def test_one_token_shared_by_64_clients_on_two_gateways_gets_exactly_1000_calls(
    api: Api, registry: RegistryStack
) -> None:
    async with extra_gateway(registry) as second:
        token = await api.admin_token()
        statuses = await _spend_until_refused(api, [api.base_url, second.url], token)
        assert statuses == {200: TOKEN_MAX_USES, 403: CLIENTS}
        for base in (api.base_url, second.url):
            after = await Api(api.session, base).call("POST", "/artifacts", json_body=[{"name": "*"}], token=token)
            assert after.status == 403
