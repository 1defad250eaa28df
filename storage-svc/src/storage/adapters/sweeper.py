"""Runs ``sweep_storage`` every ``STORAGE_SWEEP_SECONDS`` and counts what it reclaims in Prometheus."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress

import structlog
from prometheus_client import CollectorRegistry, Counter

from storage.usecases.sweep_storage import Swept

log = structlog.get_logger()


class Sweeper:
    """A periodic sweep with ``registry_storage_swept_total{kind}`` and ``registry_storage_sweeps_total{outcome}``."""

    def __init__(self, registry: CollectorRegistry, sweep: Callable[[], Awaitable[Swept]], every: float) -> None:
        self._sweep = sweep
        self._every = every
        self._swept = Counter(
            "registry_storage_swept", "Abandoned S3 objects reclaimed by the sweeper.", ["kind"], registry=registry
        )
        self._runs = Counter("registry_storage_sweeps", "Sweeps run, by outcome.", ["outcome"], registry=registry)

    async def once(self) -> None:
        """One sweep; a failure (S3 down) is logged and counted, and the next period tries again."""
        try:
            swept = await self._sweep()
        except Exception as error:
            self._runs.labels("failed").inc()
            log.warning("storage_sweep_failed", error=type(error).__name__, detail=str(error))
            return
        self._runs.labels("ok").inc()
        for kind, count in swept.counts().items():
            self._swept.labels(kind).inc(count)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Sweep periodically (first after one period) while the context is open; never when ``every`` is 0."""
        task = asyncio.create_task(self._loop()) if self._every > 0 else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._every)
            await self.once()
