"""A ``RatingStore`` that serves warm reads from memory and keeps every replica's memory true.

Writes go through to the database, evict the local copy and are announced on ``scoring.ratings.changed``; each
replica evicts what the announcement names. A read that raced with an eviction (it started before and ended after)
is answered but not remembered, so a stale row read just before another replica's commit cannot stay cached.
Announcements are plain NATS messages (at most once): a replica that misses one while reconnecting would keep a stale
copy, so every copy also expires after ``ttl`` seconds. A failed announcement is logged, never raised: the write
itself is committed.
"""

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

import structlog

from contracts.scoring import RatingReport, RatingsChanged
from scoring.ports import RatingStore, StoredRating

log = structlog.get_logger()

Announce = Callable[[RatingsChanged], Awaitable[None]]


class CachedRatingStore:
    """Wraps a ``RatingStore``: reads from an LRU of at most ``capacity`` ratings, writes through and announce."""

    def __init__(self, inner: RatingStore, announce: Announce, capacity: int = 10_000, ttl: float = 60.0) -> None:
        self._inner = inner
        self._announce = announce
        self._capacity = capacity
        self._ttl = ttl
        self._entries: OrderedDict[str, tuple[StoredRating, float]] = OrderedDict()
        self._generation = 0

    async def get(self, artifact_id: str) -> StoredRating | None:
        """The cached rating, else the stored one (remembered unless an eviction happened meanwhile)."""
        hit = self._entries.get(artifact_id)
        if hit is not None and hit[1] > time.monotonic():
            self._entries.move_to_end(artifact_id)
            return hit[0]
        generation = self._generation
        stored = await self._inner.get(artifact_id)
        if stored is not None and generation == self._generation:
            self._entries[artifact_id] = (stored, time.monotonic() + self._ttl)
            self._entries.move_to_end(artifact_id)
            if len(self._entries) > self._capacity:
                self._entries.popitem(last=False)
        return stored

    async def put(self, report: RatingReport) -> None:
        """Store a report and announce it."""
        await self._inner.put(report)
        await self._changed([report.artifact_id])

    async def put_failure(self, artifact_id: str, message: str, at: datetime) -> None:
        """Store a failure and announce it."""
        await self._inner.put_failure(artifact_id, message, at)
        await self._changed([artifact_id])

    async def children(self, parent_id: str) -> list[str]:
        """Straight from the database (writes only)."""
        return await self._inner.children(parent_id)

    async def delete(self, artifact_id: str) -> bool:
        """Forget a rating and announce it."""
        deleted = await self._inner.delete(artifact_id)
        await self._changed([artifact_id])
        return deleted

    async def clear(self) -> None:
        """Forget every rating and announce it."""
        await self._inner.clear()
        await self._changed(None)

    def evict(self, artifact_ids: Sequence[str] | None) -> None:
        """Drop cached copies (``None``: all), and spoil reads in flight."""
        self._generation += 1
        if artifact_ids is None:
            self._entries.clear()
            return
        for artifact_id in artifact_ids:
            self._entries.pop(artifact_id, None)

    async def _changed(self, artifact_ids: list[str] | None) -> None:
        self.evict(artifact_ids)
        try:
            await self._announce(RatingsChanged(artifact_ids=artifact_ids))
        except Exception as error:  # committed already; other replicas' copies expire within the TTL
            log.warning("ratings_change_not_announced", artifact_ids=artifact_ids, error=str(error))
