"""Hostile card examples against the machine's processes, memory and time: a fork bomb, a thread bomb, a memory
bomb and a sleep past the limit each stop at their limit, the host's process and memory use stay within it, the run
ends on time and leaves no process behind (see ``test_hostile_examples.py``)."""

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from tests.scoring.hostile import LIMITS, Rated, Rater, libc_example, open_rater
from tests.scoring.sandboxes import needs_isolation, sandbox_processes

pytestmark = needs_isolation


@pytest.fixture
async def rate(tmp_path: Path) -> AsyncIterator[Rater]:
    """Rates with fakes of the Hub and GitHub, the real SQLite store, the real sandbox and the real model copy."""
    async with open_rater(tmp_path) as rater:
        yield rater


async def _peak_while(rating: "asyncio.Task[Rated]", measure: Callable[[], int]) -> int:
    """The highest value ``measure()`` took on this host while ``rating`` ran."""
    peak = 0
    while not rating.done():
        peak = max(peak, await asyncio.to_thread(measure))
        await asyncio.sleep(0.02)
    return peak


def _threads() -> int:
    return sum(_status_field(pid, "Threads") for pid in sandbox_processes())


def _memory_kib() -> int:
    return max((_status_field(pid, "VmRSS") for pid in sandbox_processes()), default=0)


def _status_field(pid: int, name: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


async def test_a_fork_bomb_stops_at_the_process_cap(rate: Rater) -> None:
    body = (
        "fork = by_address('fork', ctypes.c_int)\n"
        "import time\n"
        "while True:\n"
        "    if fork() < 0:\n"
        "        failed('fork')\n"
        "    time.sleep(0.05)\n"
    )
    rating = asyncio.ensure_future(rate(libc_example(body)))
    peak = await _peak_while(rating, lambda: len(sandbox_processes()))
    rated = await rating
    assert rated.note.detail == "failed: the example failed: BlockingIOError"  # EAGAIN: RLIMIT_NPROC reached
    assert 2 < peak <= LIMITS.processes + 2  # the run's processes, bubblewrap's monitor and init
    await asyncio.sleep(0.2)
    assert await asyncio.to_thread(sandbox_processes) == []


async def test_a_thread_bomb_stops_at_the_process_cap(rate: Rater) -> None:
    code = (
        "import threading, time\nthreading.stack_size(1 << 16)\n"
        "while True:\n    threading.Thread(target=time.sleep, args=(30,), daemon=True).start()\n"
    )
    rating = asyncio.ensure_future(rate(code))
    peak = await _peak_while(rating, _threads)
    rated = await rating
    assert rated.note.detail == "failed: the example failed: RuntimeError"  # can't start new thread
    assert peak <= LIMITS.processes + 2


async def test_a_memory_bomb_stops_at_the_memory_limit(rate: Rater) -> None:
    code = "blocks = []\nwhile True:\n    blocks.append(b'x' * (8 << 20))\n"
    rating = asyncio.ensure_future(rate(code))
    peak = await _peak_while(rating, _memory_kib)
    rated = await rating
    assert rated.note.detail == "failed: the example failed: MemoryError"
    assert 0 < peak * 1024 <= LIMITS.memory_bytes


async def test_a_sleep_past_the_time_limit_is_cut_short(rate: Rater) -> None:
    rated = await rate("import time\ntime.sleep(3600)\n")
    assert rated.note.detail.startswith("failed: the example failed: timed out after 4.")
    assert rated.seconds < LIMITS.wall_seconds + 3
    await asyncio.sleep(0.2)
    assert await asyncio.to_thread(sandbox_processes) == []
