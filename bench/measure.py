"""How every bench measures and reports, written once: a request budget spent by concurrent workers, nearest-rank
percentiles, failure samples, CPU shares per process, and the targets' met/MISS lines."""

import asyncio
import math
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from bench.cpu import OTHERS

MAX_ERROR_SAMPLES = 3  # failures quoted in a report per scenario (all are counted)
MIN_CPU_WINDOW = 0.5  # seconds: shorter phases are too short for the kernel's 10 ms CPU ticks


class Named(Protocol):
    """A scenario's result, found by its scenario's name."""

    @property
    def scenario(self) -> str: ...


N = TypeVar("N", bound=Named)


async def spend(budget: int, workers: int, one: Callable[[int], Awaitable[None]]) -> None:
    """``workers`` concurrent workers each call ``one(slot)`` until ``budget`` calls have been started in all."""
    remaining = [budget]

    async def worker(slot: int) -> None:
        while remaining[0] > 0:
            remaining[0] -= 1
            await one(slot)

    await asyncio.gather(*(worker(slot) for slot in range(workers)))


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of ``values`` (NaN when there are none)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]


def keep_sample(samples: list[str], failure: str) -> None:
    """Quote ``failure`` in the report unless ``MAX_ERROR_SAMPLES`` are already quoted."""
    if len(samples) < MAX_ERROR_SAMPLES:
        samples.append(failure)


def cpu_shares(cpu_seconds: dict[str, float], seconds: float) -> str:
    """Each process's CPU over ``seconds`` as a % of one core, busiest first and the rest of the machine last,
    leaving out those under 1%."""
    if seconds < MIN_CPU_WINDOW or not cpu_seconds:
        return f"n/a (under {MIN_CPU_WINDOW} s: too short for 10 ms CPU ticks)"
    shares = sorted(cpu_seconds.items(), key=lambda item: (item[0] == OTHERS, -item[1]))
    return ", ".join(f"{name} {100 * used / seconds:.0f}%" for name, used in shares if used / seconds >= 0.01)


def find(results: Iterable[N], name: str) -> N | None:
    """The result of the scenario called ``name``, if it ran."""
    return next((result for result in results if result.scenario == name), None)


def ratio(value: float, baseline: float) -> float:
    """``value / baseline``; NaN without a baseline."""
    return value / baseline if baseline else math.nan


@dataclass(frozen=True)
class Target:
    """One goal and whether the run met it."""

    label: str
    met: bool
    detail: str


def target_lines(targets: Iterable[Target]) -> list[str]:
    """The report's ``targets:`` section."""
    return ["targets:", *(f"  [{'met ' if t.met else 'MISS'}] {t.label}: {t.detail}" for t in targets)]
