"""One read shared by the callers waiting for it, never older than any of them.

A search must see every write acknowledged before it arrived, so it reads the stored revision itself. At 64
concurrent searches that read was a fifth of the catalog's event-loop time (py-spy), each one a round trip through
aiosqlite's thread. Callers share a read here, but only one that *started* after they arrived: a read already in
flight when a caller arrives may have missed a write acknowledged just before, so that caller waits for it to end
and takes the next one (which every caller arriving meanwhile shares too). Exactness is kept; under load the
reads are coalesced, one per round trip instead of one per search.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class SharedRead(Generic[T]):
    """``read()`` run at most once at a time, each run answering every caller that arrived before it began."""

    def __init__(self, read: Callable[[], Awaitable[T]]) -> None:
        self._read = read
        self._created = 0  # runs created so far, numbered from 1
        self._begun = 0  # the number of the last run that began reading
        self._running: asyncio.Future[T] | None = None
        self._running_number = 0

    async def __call__(self) -> T:
        """The outcome (value or error) of a run that began after this call."""
        needed = self._begun + 1  # a run created but not yet begun still reads after this call
        while True:
            running = self._running
            if running is not None and self._running_number >= needed:
                return await asyncio.shield(running)  # begins, or began, after this call (perhaps ended already)
            if running is None or running.done():
                self._created += 1
                self._running_number = self._created
                self._running = asyncio.ensure_future(self._run(self._created))
                self._running.add_done_callback(_retrieve)
                continue
            await asyncio.wait([running])  # began before this call: wait for it to end, then take the next

    async def _run(self, number: int) -> T:
        self._begun = number
        return await self._read()


def _retrieve(done: "asyncio.Future[T]") -> None:
    """A run whose waiters all left (cancelled) still has its error retrieved, not logged as never retrieved."""
    if not done.cancelled():
        done.exception()
