"""Token leases: each gateway replica reserves a batch of a token's uses and spends them locally.

Checking every request with the catalog would cost a database write per call. Instead the gateway asks
the catalog for a lease of up to ``LEASE_SIZE`` uses (the catalog grants at most a quarter of what is
left, so the total never exceeds the token's limit and one replica's count stays exact), spends it
request by request, and asks again when it runs out or the token's lifetime ends. Revocations (deleted
users, changed permissions, reset) arrive as NATS events and drop the affected leases at once.
"""

import asyncio
import hashlib
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from contracts import subjects
from contracts.users import LeaseToken, Principal, TokenLease
from svckit.transport import ServiceClient

LEASE_SIZE = 64
MAX_CACHED_TOKENS = 50_000


@dataclass
class _Lease:
    principal: Principal
    remaining: int
    expires_at: datetime


class TokenLeases:
    """Per-replica cache of token leases, keyed by the token's digest."""

    def __init__(self, client: ServiceClient) -> None:
        self._client = client
        self._leases: OrderedDict[str, _Lease] = OrderedDict()
        self._locks: dict[str, asyncio.Lock] = {}

    async def spend(self, token: str) -> Principal:
        """Spend one use of ``token`` and return its user; raises ``ServiceFailure`` (403) when invalid."""
        key = hashlib.sha256(token.encode()).hexdigest()
        principal = self._take(key)
        if principal is not None:
            return principal
        lock = self._locks.setdefault(key, asyncio.Lock())
        try:
            async with lock:
                principal = self._take(key)
                if principal is not None:
                    return principal
                lease = await self._client.call(
                    subjects.AUTH_LEASE, LeaseToken(token=token, wanted=LEASE_SIZE), TokenLease
                )
                self._store(key, lease)
                taken = self._take(key)
                assert taken is not None
                return taken
        finally:
            if not lock.locked():
                self._locks.pop(key, None)

    def revoke(self, users: Sequence[str] | None) -> None:
        """Drop the leases of these users' tokens (all leases when ``users`` is None)."""
        if users is None:
            self._leases.clear()
            return
        doomed = set(users)
        for key in [k for k, lease in self._leases.items() if lease.principal.name in doomed]:
            del self._leases[key]

    def _take(self, key: str) -> Principal | None:
        lease = self._leases.get(key)
        if lease is None:
            return None
        if lease.remaining <= 0 or datetime.now(UTC) >= lease.expires_at:
            del self._leases[key]
            return None
        lease.remaining -= 1
        self._leases.move_to_end(key)
        return lease.principal

    def _store(self, key: str, lease: TokenLease) -> None:
        self._leases[key] = _Lease(lease.principal, lease.granted, lease.expires_at)
        while len(self._leases) > MAX_CACHED_TOKENS:
            self._leases.popitem(last=False)
