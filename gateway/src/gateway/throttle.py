"""Login throttling: failed sign-ins per user name and per client address, answered 429 with Retry-After.

Only failures count, so honest users never run into it however many of them sign in at once. Each key (a
name, an address) holds a bucket of ``burst`` failures that refills by one every ``refill_seconds``; a key
whose bucket is empty is refused until it refills. Attempts of one key run at most ``burst`` at a time (the
others wait their turn rather than fail), each attempt in flight holds one failure of its bucket until it ends
(given back if it succeeds), and each one looks at the buckets only once its turn comes: a burst of concurrent
guesses therefore gets no more tries than a sequence of them, while a burst of honest logins of one user, or
from one address, all succeed, only queued. Unknown and known names are throttled alike, so a
429 tells nothing about which names exist.

The buckets live in this gateway replica's memory: behind a load balancer spreading sign-ins over ``n``
replicas, an attacker gets at most ``n`` times the budget.
"""

import asyncio
import math
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass, field

from contracts.errors import ErrorCode, ServiceFailure

MAX_KEYS = 100_000


class Throttled(ServiceFailure):
    """429: too many failed sign-ins; ``retry_after`` seconds until the next attempt may be made."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(ErrorCode.TOO_MANY_REQUESTS, message)
        self.retry_after = retry_after


@dataclass
class _Key:
    tokens: float
    updated: float
    slots: asyncio.Semaphore
    users: int = 0
    held: int = 0  # attempts in flight, each holding one failure until it ends


@dataclass
class FailureBuckets:
    """Failures allowed per key: ``burst`` at once, one more every ``refill_seconds``."""

    burst: int
    refill_seconds: float
    clock: Callable[[], float] = time.monotonic
    _keys: OrderedDict[str, _Key] = field(default_factory=OrderedDict)

    def wait(self, key: str) -> float:
        """Seconds until ``key`` may try again (0: now)."""
        entry = self._keys.get(key)
        if entry is None:
            return 0.0
        self._refill(entry)
        free = entry.tokens - entry.held
        return 0.0 if free >= 1 else (1 - free) * self.refill_seconds

    @contextmanager
    def holding(self, key: str) -> Iterator[None]:
        """Hold one failure of ``key`` while an attempt runs (spent by ``failed``, else given back)."""
        entry = self._entry(key)
        entry.held += 1
        try:
            yield
        finally:
            entry.held -= 1

    def failed(self, key: str) -> None:
        """Spend one failure of ``key``."""
        entry = self._entry(key)
        self._refill(entry)
        entry.tokens -= 1

    def forgive(self, key: str) -> None:
        """Forget ``key``'s failures (a user name that signed in)."""
        entry = self._keys.get(key)
        if entry is not None:
            entry.tokens = self.burst

    @asynccontextmanager
    async def turn(self, key: str) -> AsyncIterator[None]:
        """Hold one of ``key``'s ``burst`` attempt slots."""
        entry = self._entry(key)
        entry.users += 1
        try:
            async with entry.slots:
                yield
        finally:
            entry.users -= 1
            self._refill(entry)
            if entry.users == 0 and entry.tokens >= self.burst:
                self._keys.pop(key, None)

    def _entry(self, key: str) -> _Key:
        entry = self._keys.get(key)
        if entry is None:
            entry = _Key(float(self.burst), self.clock(), asyncio.Semaphore(self.burst))
            self._keys[key] = entry
            self._forget_oldest()
        self._keys.move_to_end(key)
        return entry

    def _refill(self, entry: _Key) -> None:
        now = self.clock()
        entry.tokens = min(float(self.burst), entry.tokens + (now - entry.updated) / self.refill_seconds)
        entry.updated = now

    def _forget_oldest(self) -> None:
        while len(self._keys) > MAX_KEYS:
            oldest = next(iter(self._keys))
            if self._keys[oldest].users:
                break
            del self._keys[oldest]


@dataclass
class Attempt:
    """One sign-in in progress: report how it ended."""

    throttle: "LoginThrottle"
    name: str
    address: str

    def failed(self) -> None:
        """Wrong name or password: one failure for the name and for the address."""
        self.throttle.names.failed(self.name)
        self.throttle.addresses.failed(self.address)

    def succeeded(self) -> None:
        """Signed in: the name's failures are forgiven (the address's are not: one account must not let an
        address keep guessing others)."""
        self.throttle.names.forgive(self.name)


@dataclass
class LoginThrottle:
    """Failed sign-ins per user name and per client address."""

    names: FailureBuckets
    addresses: FailureBuckets

    @asynccontextmanager
    async def attempt(self, name: str, address: str) -> AsyncIterator[Attempt]:
        """Wait for this name's and address's turn, then refuse (``Throttled``) or let the attempt run."""
        async with AsyncExitStack() as turns:
            await turns.enter_async_context(self.addresses.turn(address))
            await turns.enter_async_context(self.names.turn(name))
            by_name, by_address = self.names.wait(name), self.addresses.wait(address)
            if by_address:
                raise Throttled(_refusal("from this address", by_address), math.ceil(by_address))
            if by_name:
                raise Throttled(_refusal("for this user name", by_name), math.ceil(by_name))
            turns.enter_context(self.addresses.holding(address))
            turns.enter_context(self.names.holding(name))
            yield Attempt(self, name, address)


def _refusal(scope: str, seconds: float) -> str:
    return f"Too many failed sign-ins {scope}; try again in {math.ceil(seconds)} seconds."
