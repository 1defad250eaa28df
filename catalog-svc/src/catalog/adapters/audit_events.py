"""Audit events the gateway publishes (``catalog.audit.rate``), taken by one catalog replica each and written in
batches: at a thousand rating reads a second, one transaction per read would cost the catalog more than the reads."""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence

import structlog
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from pydantic import ValidationError

from contracts import subjects
from contracts.scoring import RateAudited

MAX_BATCH = 500
MAX_QUEUED = 50_000


class RateAuditBatcher:
    """Queues ``RateAudited`` events and hands them to ``write`` in batches (whatever arrived meanwhile)."""

    def __init__(self, write: Callable[[Sequence[RateAudited]], Awaitable[None]]) -> None:
        self._write = write
        self._queue: asyncio.Queue[RateAudited] = asyncio.Queue(maxsize=MAX_QUEUED)
        self._task: asyncio.Task[None] | None = None
        self._subscription: Subscription | None = None

    async def start(self, nc: NATS) -> None:
        """Subscribe in the catalog's queue group and start writing."""
        self._task = asyncio.create_task(self._drain())
        self._subscription = await nc.subscribe(subjects.AUDIT_RATE, queue=subjects.CATALOG, cb=self._on_message)

    async def stop(self) -> None:
        """Unsubscribe, let the writer finish what is queued (the batch in flight included), stop."""
        if self._subscription is not None:
            await self._subscription.unsubscribe()
        if self._task is not None and not self._task.done():
            await self._queue.join()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _on_message(self, msg: Msg) -> None:
        try:
            self._queue.put_nowait(RateAudited.model_validate_json(msg.data))
        except ValidationError as error:
            structlog.get_logger().warning("rate_audit_malformed", error=str(error))
        except asyncio.QueueFull:
            structlog.get_logger().error("rate_audit_dropped", reason="queue full", queued=MAX_QUEUED)

    async def _drain(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while not self._queue.empty() and len(batch) < MAX_BATCH:
                batch.append(self._queue.get_nowait())
            try:
                await self._write_batch(batch)
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def _write_batch(self, batch: list[RateAudited]) -> None:
        try:
            await self._write(batch)
        except Exception as error:  # a failed audit write must not stop later ones
            structlog.get_logger().error("rate_audit_failed", events=len(batch), error=str(error))
