"""How a gateway stays sure that the principals it cached are current, even when a revocation event is lost.

The catalog counts revocations (a deleted user, changed permissions, a reset) in a sequence stored with the change.
Its event reaches every gateway at once; in case one is lost, a gateway also reads the sequence itself, and
trusts its cached principals only while its last read is younger than ``bound`` seconds (measured from when
it asked, on the monotonic clock): past that, requests wait for a fresh read, and fail (503/504) if the catalog
cannot answer. A read starts, without delaying anyone, once half the bound has passed, so a busy gateway reads
the sequence about twice per bound and an idle one not at all.
"""

import asyncio
import math
import time
from collections.abc import Callable
from typing import Protocol, TypeVar

import structlog

from contracts import subjects
from contracts.base import Contract, Empty
from contracts.users import Revocations

R = TypeVar("R", bound=Contract)

log = structlog.get_logger()


class Caller(Protocol):
    """The requesting side of the bus (``svckit.transport.ServiceClient``)."""

    async def call(self, subject: str, request: Contract, reply: type[R], *, timeout: float | None = None) -> R: ...


class RevocationWatch:
    """Confirms the catalog's revocation sequence at least every ``bound`` seconds; reports each one it reads."""

    def __init__(
        self,
        client: Caller,
        bound: float,
        on_revocation: Callable[[int], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._bound = bound
        self._on_revocation = on_revocation
        self._clock = clock
        self._confirmed_until = -math.inf
        self._read: asyncio.Task[None] | None = None

    def current(self) -> bool:
        """Whether cached principals may be trusted now (the hot path: one clock read); past half the bound it
        starts a read of the sequence in the background."""
        now = self._clock()
        if now >= self._confirmed_until - self._bound / 2 and self._read is None:
            self._start()
        return now < self._confirmed_until

    async def confirm(self) -> None:
        """Wait until the sequence is confirmed; raises the catalog's failure when it cannot be read."""
        while not self.current():
            await asyncio.shield(self._start())

    def lapse(self) -> None:
        """Trust nothing cached until the next read (an event could not be understood)."""
        self._confirmed_until = -math.inf

    async def close(self) -> None:
        """Cancel a read in flight (the app is stopping)."""
        if self._read is not None:
            self._read.cancel()
            await asyncio.gather(self._read, return_exceptions=True)

    def _start(self) -> asyncio.Task[None]:
        if self._read is None:
            self._read = asyncio.create_task(self._read_sequence())
            self._read.add_done_callback(self._report)
        return self._read

    async def _read_sequence(self) -> None:
        asked = self._clock()
        try:
            state = await self._client.call(subjects.AUTH_REVOCATIONS, Empty(), Revocations, timeout=self._bound)
        finally:
            self._read = None  # before the task counts as done: a caller finding a read must be able to wait on it
        self._on_revocation(state.revocation)
        self._confirmed_until = max(self._confirmed_until, asked + self._bound)

    def _report(self, task: asyncio.Task[None]) -> None:
        if self._read is task:  # cancelled before it ran
            self._read = None
        if not task.cancelled() and task.exception() is not None:
            log.warning("revocation_read_failed", error=str(task.exception()))
