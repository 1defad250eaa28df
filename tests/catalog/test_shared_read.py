"""A shared read answers the callers that arrived before it started, and never one that arrived after."""

import asyncio

import pytest

from catalog.adapters.shared_read import SharedRead


class Counter:
    """A stored value read slowly: each read returns the value as it was when the read started."""

    def __init__(self) -> None:
        self.value = 0
        self.reads = 0
        self.release = asyncio.Event()

    async def read(self) -> int:
        self.reads += 1
        seen = self.value
        await self.release.wait()
        return seen


async def test_callers_arriving_together_share_one_read() -> None:
    counter = Counter()
    shared = SharedRead(counter.read)
    callers = [asyncio.create_task(shared()) for _ in range(50)]
    await asyncio.sleep(0)
    counter.release.set()
    assert await asyncio.gather(*callers) == [0] * 50
    assert counter.reads == 1


async def test_a_caller_arriving_during_a_read_waits_for_one_that_starts_after_it() -> None:
    counter = Counter()
    shared = SharedRead(counter.read)
    early = asyncio.create_task(shared())
    while counter.reads == 0:  # until the first read is in flight (it saw 0)
        await asyncio.sleep(0)
    counter.value = 1  # a write acknowledged before the late callers arrive
    late = [asyncio.create_task(shared()) for _ in range(10)]
    await asyncio.sleep(0)
    counter.release.set()
    assert await early == 0
    assert await asyncio.gather(*late) == [1] * 10  # never the older read's value
    assert counter.reads == 2  # the late callers shared the second read


async def test_an_error_reaches_its_callers_and_the_next_caller_reads_again() -> None:
    calls = 0

    async def failing_once() -> int:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0)
        if calls == 1:
            raise ConnectionError("database away")
        return 7

    shared = SharedRead(failing_once)
    first = [asyncio.create_task(shared()) for _ in range(3)]
    for task in first:
        with pytest.raises(ConnectionError):
            await task
    assert await shared() == 7
    assert calls == 2


async def test_a_caller_cancelled_while_waiting_leaves_the_read_to_the_others() -> None:
    counter = Counter()
    shared = SharedRead(counter.read)
    leaving, staying = asyncio.create_task(shared()), asyncio.create_task(shared())
    await asyncio.sleep(0)
    leaving.cancel()
    counter.release.set()
    assert await staying == 0
    assert leaving.cancelled()
