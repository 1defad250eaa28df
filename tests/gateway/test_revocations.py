"""Revocations reach a gateway within its bound even when their event is lost, and keep the uses it holds."""

import asyncio

import pytest

from contracts import subjects
from contracts.errors import ErrorCode, ServiceFailure
from contracts.users import Permission
from gateway.leases import TokenLeases
from tests.gateway.fakes import FakeCatalog

BOUND = 1.0


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def _settle() -> None:
    """Let background reads of the sequence finish (the fake answers within a few loop turns)."""
    for _ in range(20):
        await asyncio.sleep(0)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def catalog() -> FakeCatalog:
    catalog = FakeCatalog()
    catalog.issue("tok", "alice", max_uses=20)
    return catalog


@pytest.fixture
def leases(catalog: FakeCatalog, clock: Clock) -> TokenLeases:
    return TokenLeases(catalog, revocation_bound=BOUND, clock=clock)


async def _refused(leases: TokenLeases) -> ErrorCode:
    with pytest.raises(ServiceFailure) as refused:
        await leases.spend("tok")
    return refused.value.code


async def test_without_the_event_a_deleted_user_is_refused_once_the_bound_has_passed(
    catalog: FakeCatalog, leases: TokenLeases, clock: Clock
) -> None:
    await leases.spend("tok")
    catalog.delete_user("alice")
    clock.now += BOUND * 0.4
    assert (await leases.spend("tok")).name == "alice"  # within the bound, the lease still serves
    clock.now += BOUND * 0.6
    assert await _refused(leases) is ErrorCode.FORBIDDEN


async def test_a_busy_gateway_reads_the_sequence_ahead_of_the_bound_without_waiting(
    catalog: FakeCatalog, leases: TokenLeases, clock: Clock
) -> None:
    await leases.spend("tok")
    clock.now += BOUND * 0.6
    catalog.delete_user("alice")
    assert (await leases.spend("tok")).name == "alice"  # served while the read runs in the background
    await _settle()
    assert await _refused(leases) is ErrorCode.FORBIDDEN
    assert catalog.calls[subjects.AUTH_REVOCATIONS] == 2


async def test_the_event_makes_the_revocation_immediate(catalog: FakeCatalog, leases: TokenLeases) -> None:
    await leases.spend("tok")
    catalog.delete_user("alice")
    leases.revoked(catalog.revocation)
    assert await _refused(leases) is ErrorCode.FORBIDDEN


async def test_changed_permissions_apply_and_the_uses_held_are_kept(
    catalog: FakeCatalog, leases: TokenLeases, clock: Clock
) -> None:
    for _ in range(3):
        assert (await leases.spend("tok")).permissions == [Permission.SEARCH]
    catalog.grant("alice", [Permission.UPLOAD])
    clock.now += BOUND
    for _ in range(17):
        assert (await leases.spend("tok")).permissions == [Permission.UPLOAD]
    assert await _refused(leases) is ErrorCode.FORBIDDEN
    assert catalog.tokens["tok"].uses == 20


async def test_a_lease_read_before_a_revocation_that_is_already_known_is_stale(
    catalog: FakeCatalog, leases: TokenLeases
) -> None:
    await leases.spend("tok")
    catalog.grant("alice", [Permission.DOWNLOAD])
    leases.revoked(catalog.revocation)
    leases.revoked(catalog.revocation - 1)  # an older sequence read arriving late changes nothing
    assert (await leases.spend("tok")).permissions == [Permission.DOWNLOAD]


async def test_when_the_sequence_cannot_be_read_past_the_bound_requests_fail_closed(
    catalog: FakeCatalog, leases: TokenLeases, clock: Clock
) -> None:
    await leases.spend("tok")
    catalog.down = True
    clock.now += BOUND
    assert await _refused(leases) is ErrorCode.UNAVAILABLE
    catalog.down = False
    assert (await leases.spend("tok")).name == "alice"


async def test_an_idle_gateway_does_not_read_the_sequence(catalog: FakeCatalog, leases: TokenLeases) -> None:
    await leases.spend("tok")
    await asyncio.sleep(0.05)
    await _settle()
    assert catalog.calls[subjects.AUTH_REVOCATIONS] == 1
