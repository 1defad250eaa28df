"""Token leases: each gateway replica reserves a batch of a token's uses and spends them locally.

Checking every request with the catalog would cost a database write per call. Instead the gateway asks
the catalog for a lease of up to ``LEASE_SIZE`` uses (the catalog grants at most a quarter of what is
left, so the total never exceeds the token's limit and one replica's count stays exact), spends it
request by request, and asks again when it runs out or the token's lifetime ends.

Every use the catalog grants is spent exactly once: one replica has at most one lease request per token
in flight (a task that every request short of uses awaits), and a granted lease is added to what the
replica holds, never written over it.

The next lease is asked for in the background once fewer than ``PREFETCH_BELOW`` uses are left, so requests
keep flowing during its round trip instead of all waiting for it. A refusal of such a request keeps the uses still held: they are
spent, and only the request that finds none left is refused.

A lease carries the catalog's revocation sequence at the time its user was read. When a revocation (deleted
user, changed permissions, reset) becomes known, by its event or by ``RevocationWatch`` within its bound, every
lease read before it is stale: its next use first re-reads the user (a lease request for no uses, so the uses
held are kept), which answers 403 for a deleted user and the new permissions for a changed one.
"""

import asyncio
import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from contracts import subjects
from contracts.errors import ErrorCode, ServiceFailure
from contracts.users import LeaseToken, Principal, TokenLease
from gateway.revocations import Caller, RevocationWatch
from svckit.clock import utc_now

LEASE_SIZE = 64
PREFETCH_BELOW = LEASE_SIZE // 2
MAX_CACHED_TOKENS = 50_000
REVOCATION_BOUND_SECONDS = 1.0


@dataclass
class _Lease:
    principal: Principal
    remaining: int
    expires_at: datetime
    revocation: int
    exhausted: bool = False  # the catalog refused more: spend what is held, ask again only once it is gone


class TokenLeases:
    """Per-replica cache of token leases, keyed by the token's digest."""

    def __init__(
        self,
        client: Caller,
        *,
        revocation_bound: float = REVOCATION_BOUND_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._leases: OrderedDict[str, _Lease] = OrderedDict()
        self._fetches: dict[str, asyncio.Task[None]] = {}
        self._stale_before = 0
        self.watch = RevocationWatch(client, revocation_bound, self.revoked, clock)

    async def spend(self, token: str) -> Principal:
        """Spend one use of ``token`` and return its user; raises ``ServiceFailure`` (403) when invalid."""
        if not self.watch.current():
            await self.watch.confirm()
        key = hashlib.sha256(token.encode()).hexdigest()
        while True:
            principal = self._take(key, token)
            if principal is not None:
                return principal
            await asyncio.shield(self._fetch(key, token))

    def revoked(self, revocation: int) -> None:
        """Revocation ``revocation`` happened: leases whose user was read before it are stale. (Events and reads
        of the sequence may arrive out of order, so a lower number than one already seen means nothing.)"""
        self._stale_before = max(self._stale_before, revocation)

    async def close(self) -> None:
        """Cancel requests to the catalog still in flight (the app is stopping)."""
        for task in list(self._fetches.values()):
            task.cancel()
        await asyncio.gather(*self._fetches.values(), return_exceptions=True)
        await self.watch.close()

    def _take(self, key: str, token: str) -> Principal | None:
        lease = self._leases.get(key)
        if lease is None or lease.remaining <= 0 or lease.revocation < self._stale_before:
            return None
        if utc_now() >= lease.expires_at:
            del self._leases[key]
            return None
        lease.remaining -= 1
        self._leases.move_to_end(key)
        if lease.remaining < PREFETCH_BELOW and not lease.exhausted and key not in self._fetches:
            self._fetch(key, token)  # the next lease, while these uses last
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
        held = self._leases.get(key)
        stale = held is not None and held.remaining > 0 and held.revocation < self._stale_before
        wanted = 0 if stale else LEASE_SIZE  # a stale lease re-reads its user, keeping the uses it holds
        # Unregistered by the task itself, before it counts as done: a caller that finds a request in the table
        # must find one it can wait for (awaiting a finished task does not yield, so it would spin).
        try:
            lease = await self._client.call(subjects.AUTH_LEASE, LeaseToken(token=token, wanted=wanted), TokenLease)
        except ServiceFailure as failure:
            if failure.code is ErrorCode.FORBIDDEN:
                held = self._leases.get(key)
                if wanted and held is not None and held.remaining > 0 and held.revocation >= self._stale_before:
                    held.exhausted = True  # asked ahead and refused: what is held is still the replica's to spend
                else:
                    self._leases.pop(key, None)
            raise
        finally:
            del self._fetches[key]
        held = self._leases.get(key)
        remaining = (held.remaining if held is not None else 0) + lease.granted
        self._leases[key] = _Lease(lease.principal, remaining, lease.expires_at, lease.revocation)
        self._leases.move_to_end(key)
        while len(self._leases) > MAX_CACHED_TOKENS:
            self._leases.popitem(last=False)
