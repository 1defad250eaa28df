"""A fake catalog answering the gateway's token subjects (leases and the revocation sequence), with the real
lease rule and scripted interleavings."""

import asyncio
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from catalog.domain.auth import lease_size
from contracts import subjects
from contracts.base import Contract, Empty
from contracts.errors import ErrorCode, ServiceFailure
from contracts.users import LeaseToken, Permission, Principal, Revocations, TokenLease

R = TypeVar("R", bound=Contract)

REFUSED = "Authentication failed: the token is invalid or expired."


@dataclass
class FakeToken:
    """One issued token as the catalog keeps it: its user, the uses granted so far and when it expires."""

    user: str
    max_uses: int
    expires_at: datetime
    uses: int = 0


@dataclass
class FakeCatalog:
    """Answers ``catalog.auth.lease`` like auth_lease does (shrinking grants, never past the limit, none for a
    check) and ``catalog.auth.revocations``; every answer takes a seeded number of event-loop turns, so
    interleavings are varied and yet the same on every run."""

    seed: int = 0
    users: dict[str, list[Permission]] = field(default_factory=dict)
    tokens: dict[str, FakeToken] = field(default_factory=dict)
    in_flight: Counter[str] = field(default_factory=Counter)
    most_in_flight: Counter[str] = field(default_factory=Counter)
    calls: Counter[str] = field(default_factory=Counter)
    revocation: int = 0
    down: bool = False

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def issue(self, token: str, user: str, max_uses: int = 1000, lifetime: timedelta = timedelta(hours=10)) -> None:
        """A fresh token for ``user`` (created with the search permission if unknown)."""
        self.users.setdefault(user, [Permission.SEARCH])
        self.tokens[token] = FakeToken(user, max_uses, datetime.now(UTC) + lifetime)

    def delete_user(self, user: str) -> None:
        """The user and their tokens are gone (a revocation)."""
        del self.users[user]
        self.revocation += 1

    def grant(self, user: str, permissions: list[Permission]) -> None:
        """Replace the user's permissions (a revocation)."""
        self.users[user] = permissions
        self.revocation += 1

    async def call(self, subject: str, request: Contract, reply: type[R], *, timeout: float | None = None) -> R:
        """The bus call the gateway makes."""
        self.calls[subject] += 1
        await self.turns()
        if self.down:
            raise ServiceFailure(ErrorCode.UNAVAILABLE, "The catalog service is not available right now.")
        if subject == subjects.AUTH_REVOCATIONS:
            assert isinstance(request, Empty)
            state = Revocations(revocation=self.revocation)
            assert isinstance(state, reply)
            return state
        assert subject == subjects.AUTH_LEASE and isinstance(request, LeaseToken)
        self.in_flight[request.token] += 1
        self.most_in_flight[request.token] = max(self.most_in_flight[request.token], self.in_flight[request.token])
        try:
            await self.turns()
            answer = self._lease(request)
            await self.turns()
        finally:
            self.in_flight[request.token] -= 1
        assert isinstance(answer, reply)
        return answer

    async def turns(self) -> None:
        """Yield to the event loop a seeded number of times (0-3)."""
        for _ in range(self._random.randrange(4)):
            await asyncio.sleep(0)

    def _lease(self, request: LeaseToken) -> TokenLease:
        token = self.tokens.get(request.token)
        if token is None or token.user not in self.users or datetime.now(UTC) >= token.expires_at:
            raise ServiceFailure(ErrorCode.FORBIDDEN, REFUSED)
        granted = lease_size(request.wanted, token.max_uses - token.uses)
        if granted == 0 and request.wanted > 0:
            raise ServiceFailure(ErrorCode.FORBIDDEN, REFUSED)
        token.uses += granted
        principal = Principal(name=token.user, is_admin=False, permissions=self.users[token.user])
        return TokenLease(principal=principal, granted=granted, expires_at=token.expires_at, revocation=self.revocation)
