"""Token leases: every use the catalog grants is spent exactly once, however many requests race for them."""

import asyncio
import random
from collections import Counter
from datetime import timedelta

import pytest

from contracts import subjects
from contracts.base import Contract
from contracts.errors import ErrorCode, ServiceFailure
from gateway.leases import TokenLeases
from tests.gateway.fakes import FakeCatalog, R

CLIENTS = 64
SEEDS = range(20)


async def _refused(leases: TokenLeases, token: str) -> None:
    """The next use of ``token`` is refused with 403."""
    with pytest.raises(ServiceFailure) as refused:
        await leases.spend(token)
    assert refused.value.code is ErrorCode.FORBIDDEN


async def _spend_until_refused(replicas: list[TokenLeases], token: str, seed: int) -> Counter[str]:
    """64 clients spread over ``replicas``, each spending ``token`` until refused; what they got."""
    outcomes: Counter[str] = Counter()
    pauses = random.Random(seed)

    async def client(index: int) -> None:
        leases = replicas[index % len(replicas)]
        while True:
            for _ in range(pauses.randrange(3)):
                await asyncio.sleep(0)
            try:
                await leases.spend(token)
            except ServiceFailure as failure:
                outcomes[str(failure.code.value)] += 1
                return
            outcomes["ok"] += 1

    await asyncio.gather(*(client(i) for i in range(CLIENTS)))
    return outcomes


@pytest.mark.parametrize("seed", SEEDS)
async def test_64_clients_sharing_a_token_get_exactly_its_uses(seed: int) -> None:
    catalog = FakeCatalog(seed)
    catalog.issue("tok", "alice")
    outcomes = await _spend_until_refused([TokenLeases(catalog)], "tok", seed)
    assert outcomes == {"ok": 1000, "403": CLIENTS}


@pytest.mark.parametrize("seed", SEEDS)
async def test_one_replica_has_at_most_one_lease_request_per_token_in_flight(seed: int) -> None:
    catalog = FakeCatalog(seed)
    catalog.issue("tok", "alice")
    await _spend_until_refused([TokenLeases(catalog)], "tok", seed)
    assert catalog.most_in_flight["tok"] == 1


@pytest.mark.parametrize("seed", SEEDS)
async def test_two_replicas_sharing_a_token_get_exactly_its_uses(seed: int) -> None:
    catalog = FakeCatalog(seed)
    catalog.issue("tok", "alice")
    outcomes = await _spend_until_refused([TokenLeases(catalog), TokenLeases(catalog)], "tok", seed)
    assert outcomes == {"ok": 1000, "403": CLIENTS}


async def test_a_sequential_client_leases_in_batches() -> None:
    catalog = FakeCatalog()
    catalog.issue("tok", "alice")
    leases = TokenLeases(catalog)
    for _ in range(1000):
        await leases.spend("tok")
    await _refused(leases, "tok")
    assert catalog.calls[subjects.AUTH_LEASE] < 40


async def test_a_token_is_refused_from_the_moment_it_expires() -> None:
    catalog = FakeCatalog()
    catalog.issue("tok", "alice", lifetime=timedelta(seconds=0.2))
    leases = TokenLeases(catalog)
    assert (await leases.spend("tok")).name == "alice"
    await asyncio.sleep(0.25)
    await _refused(leases, "tok")


async def test_an_unknown_token_is_refused_for_every_waiter() -> None:
    catalog = FakeCatalog()
    leases = TokenLeases(catalog)
    results = await asyncio.gather(*(leases.spend("nope") for _ in range(10)), return_exceptions=True)
    assert all(isinstance(r, ServiceFailure) and r.code is ErrorCode.FORBIDDEN for r in results)
    assert catalog.calls[subjects.AUTH_LEASE] == 1


class SlowCatalog(FakeCatalog):
    """A catalog whose lease answers take 5 ms (another replica's writes ahead of them), counting those out."""

    def __init__(self) -> None:
        super().__init__()
        self.leases_out = 0

    async def call(self, subject: str, request: Contract, reply: type[R], *, timeout: float | None = None) -> R:
        self.leases_out += 1
        try:
            await asyncio.sleep(0.005)
            return await super().call(subject, request, reply, timeout=timeout)
        finally:
            self.leases_out -= 1


async def test_held_uses_are_spent_while_the_next_lease_is_on_its_way_and_none_is_lost() -> None:
    catalog = SlowCatalog()
    catalog.issue("tok", "alice")
    leases = TokenLeases(catalog)
    spent_while_leasing = 0
    for _ in range(1000):  # one client at its own pace, 1 ms between calls
        await leases.spend("tok")
        spent_while_leasing += catalog.leases_out > 0
        await asyncio.sleep(0.001)
    # The next lease was asked for before the uses ran out: calls went on during its round trip, instead of waiting.
    assert spent_while_leasing > 100
    # The catalog refused the last requests made ahead while uses were still held: those uses were spent, exactly.
    await _refused(leases, "tok")


async def test_a_lease_asked_ahead_and_refused_leaves_the_held_uses_to_spend() -> None:
    catalog = FakeCatalog()
    catalog.issue("tok", "alice")
    leases = TokenLeases(catalog)
    for _ in range(1000):
        await leases.spend("tok")
        for _ in range(12):  # the lease asked ahead is answered between two calls: at the end, refused
            await asyncio.sleep(0)
    await _refused(leases, "tok")
