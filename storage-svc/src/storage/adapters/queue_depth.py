"""The copy queue's depth, sampled every few seconds: a Prometheus gauge and a figure in ``$SRV.STATS``."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import structlog
from nats.errors import Error as NatsError
from prometheus_client import CollectorRegistry, Gauge


class QueueDepth:
    """``registry_storage_copy_queue_depth``: copy jobs queued or running (the JetStream stream's messages)."""

    def __init__(self, registry: CollectorRegistry, read: Callable[[], Awaitable[int]], every: float = 5.0) -> None:
        self._gauge = Gauge(
            "registry_storage_copy_queue_depth",
            "Copy jobs queued or running (not yet acknowledged), sampled by each storage-svc replica.",
            registry=registry,
        )
        self._read = read
        self._every = every
        self.last: int | None = None

    def stats(self) -> dict[str, Any]:
        """The figure ``$SRV.STATS`` carries."""
        return {"copy_queue_depth": self.last}

    @contextlib.asynccontextmanager
    async def sampling(self) -> AsyncIterator[None]:
        """Sample in the background while the context is open."""
        task = asyncio.create_task(self._loop())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _loop(self) -> None:
        while True:
            try:
                self.last = await self._read()
                self._gauge.set(self.last)
            except (NatsError, TimeoutError) as error:
                structlog.get_logger().warning("queue_depth_unavailable", error=str(error))
            except Exception as error:  # a sampler must not die silently: keep sampling, say why it failed
                structlog.get_logger().error("queue_depth_failed", error=repr(error))
            await asyncio.sleep(self._every)
