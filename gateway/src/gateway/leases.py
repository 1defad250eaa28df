"""Token leases: each gateway replica reserves a batch of a token's uses and spends them locally.

Checking every request with the catalog would cost a database write per call. Instead the gateway asks
the catalog for a lease of up to ``LEASE_SIZE`` uses (the catalog grants at most a quarter of what is
left, so the total never exceeds the token's limit and one replica's count stays exact), spends it
request by request, and asks again when it runs out or the token's lifetime ends. Revocations (deleted
users, changed permissions, reset) arrive as NATS events and drop the affected leases at once.

Every use the catalog grants is spent exactly once: one replica has at most one lease request per token
in flight (a task that every request short of uses awaits), and a granted lease is added to what the
replica holds, never written over it.
"""

import asyncio
import hashlib
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol, TypeVar

from contracts import subjects
from contracts.base import Contract
from contracts.users import LeaseToken, Principal, TokenLease

LEASE_SIZE = 64
MAX_CACHED_TOKENS = 50_000

R = TypeVar("R", bound=Contract)


class Caller(Protocol):
    """The requesting side of the bus (``svckit.transport.ServiceClient``)."""

    async def call(self, subject: str, request: Contract, reply: type[R], *, timeout: float | None = None) -> R: ...


@dataclass
class _Lease:
    principal: Principal
    remaining: int
    expires_at: datetime


class TokenLeases:
    """Per-replica cache of token leases, keyed by the token's digest."""

    def __init__(self, client: Caller) -> None:
        self._client = client
        self._leases: OrderedDict[str, _Lease] = OrderedDict()
        self._fetches: dict[str, asyncio.Task[None]] = {}

    async def spend(self, token: str) -> Principal:
        """Spend one use of ``token`` and return its user; raises ``ServiceFailure`` (403) when invalid."""
        key = hashlib.sha256(token.encode()).hexdigest()
        while True:
            principal = self._take(key)
            if principal is not None:
                return principal
            await asyncio.shield(self._fetch(key, token))

    def revoke(self, users: Sequence[str] | None) -> None:
        """Drop the leases of these users' tokens (all leases when ``users`` is None)."""
        if users is None:
            self._leases.clear()
            return
        doomed = set(users)
        for key in [k for k, lease in self._leases.items() if lease.principal.name in doomed]:
            del self._leases[key]

    async def close(self) -> None:
        """Cancel lease requests still in flight (the app is stopping)."""
        for task in list(self._fetches.values()):
            task.cancel()
        await asyncio.gather(*self._fetches.values(), return_exceptions=True)

    def _take(self, key: str) -> Principal | None:
        lease = self._leases.get(key)
        if lease is None or lease.remaining <= 0:
            return None
        if datetime.now(UTC) >= lease.expires_at:
            del self._leases[key]
            return None
        lease.remaining -= 1
        self._leases.move_to_end(key)
        return lease.principal

    def _fetch(self, key: str, token: str) -> asyncio.Task[None]:
        """The token's lease request in flight, started if there is none; every caller short of uses awaits it."""
        task = self._fetches.get(key)
        if task is None:
            task = asyncio.create_task(self._lease(key, token))
            self._fetches[key] = task
            task.add_done_callback(lambda done: self._fetched(key, done))
        return task

    def _fetched(self, key: str, task: asyncio.Task[None]) -> None:
        if self._fetches.get(key) is task:  # cancelled before it ran
            del self._fetches[key]
        if not task.cancelled():
            task.exception()  # retrieved by its awaiters; marked here so a lone failure is not reported as lost

    async def _lease(self, key: str, token: str) -> None:
        # Unregistered by the task itself, before it counts as done: a caller that finds a request in the table
        # must find one it can wait for (awaiting a finished task does not yield, so it would spin).
        try:
            lease = await self._client.call(subjects.AUTH_LEASE, LeaseToken(token=token, wanted=LEASE_SIZE), TokenLease)
        finally:
            del self._fetches[key]
        held = self._leases.get(key)
        remaining = (held.remaining if held is not None else 0) + lease.granted
        self._leases[key] = _Lease(lease.principal, remaining, lease.expires_at)
        self._leases.move_to_end(key)
        while len(self._leases) > MAX_CACHED_TOKENS:
            self._leases.popitem(last=False)
