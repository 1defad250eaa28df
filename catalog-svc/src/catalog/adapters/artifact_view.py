"""``ArtifactStore`` whose reads come from an in-memory copy of the metadata rows (a read model).

Reads of one artifact, pages, counts and names are answered from a :class:`Snapshot` of every row, with no
database round trip; writes go to the SQL store, then drop the copy, which the next read reloads whole (writes
are rare next to reads: an ingest takes seconds). How each replica's copy stays true:

- its own writes drop it before they return, so a client reading after its write sees it;
- every write publishes ``catalog.artifacts.changed`` (flushed before the write is answered), on which every
  other replica drops its copy;
- and every ``check_seconds`` each replica reads the stored revision, so a lost event costs at most that long.
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager

import structlog

from catalog.adapters.artifact_store import SqlArtifactStore
from catalog.domain.artifacts import AuditRecord, StoredArtifact
from catalog.domain.snapshot import Snapshot
from catalog.ports import SearchDocument
from contracts.artifacts import ArtifactQuery
from contracts.base import Contract

log = structlog.get_logger()

Announce = Callable[[int], Awaitable[None]]


async def _silent(_revision: int) -> None:
    return None


class ArtifactView:
    """The catalog's artifacts: reads from memory, writes through to ``store``."""

    def __init__(self, store: SqlArtifactStore, announce: Announce = _silent, check_seconds: float = 1.0) -> None:
        self._store = store
        self._announce = announce
        self._check_seconds = check_seconds
        self._snapshot: Snapshot | None = None
        self._changes = 1  # changes heard of; the copy is current when it was loaded after the last of them
        self._loaded_after = 0
        self._loading = asyncio.Lock()

    def changed(self, revision: int | None = None) -> None:
        """Another replica changed the artifacts (at ``revision``): the next read reloads."""
        if revision is None or self._snapshot is None or revision != self._snapshot.revision:
            self._changes += 1

    @asynccontextmanager
    async def checking(self) -> AsyncIterator[None]:
        """Compare the stored revision with the copy's every ``check_seconds`` while the block runs."""
        task = asyncio.create_task(self._check_forever())
        try:
            yield
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _check_forever(self) -> None:
        while True:
            await asyncio.sleep(self._check_seconds)
            try:
                stored = await self._store.revision()
            except Exception as error:  # the database is away for a moment: the next check tries again
                log.warning("artifact_view_check_failed", error=str(error))
                continue
            if self._snapshot is not None and stored != self._snapshot.revision:
                self._changes += 1

    async def _current(self) -> Snapshot:
        """The copy, reloaded first if a change was heard of since it was loaded (readers arriving during a load
        wait for it, rather than read the copy it replaces)."""
        snapshot = self._snapshot
        if snapshot is not None and self._loaded_after == self._changes:
            return snapshot
        async with self._loading:
            if self._snapshot is None or self._loaded_after != self._changes:
                heard = self._changes  # a change heard during the load leaves the copy behind it: reloaded next
                revision, rows = await self._store.rows()
                self._snapshot = Snapshot(revision, rows)
                self._loaded_after = heard
            return self._snapshot

    async def _wrote(self) -> None:
        """After a write (even a failed one): drop the copy, and tell the other replicas."""
        self._changes += 1
        try:
            await self._announce(await self._store.revision())
        except Exception as error:  # they notice at their next revision check
            log.warning("artifacts_changed_not_announced", error=str(error))

    async def get(self, artifact_id: str) -> StoredArtifact | None:
        return (await self._current()).get(artifact_id)

    async def count(self, queries: Sequence[ArtifactQuery]) -> int:
        return (await self._current()).count(queries)

    async def page(self, queries: Sequence[ArtifactQuery], after: int, limit: int) -> list[StoredArtifact]:
        return (await self._current()).page(queries, after, limit)

    async def by_name(self, name: str) -> list[StoredArtifact]:
        return (await self._current()).by_name(name)

    async def revision(self) -> int:
        return (await self._current()).revision

    async def add(self, artifact: StoredArtifact, readme: str, audit: AuditRecord) -> StoredArtifact:
        try:
            return await self._store.add(artifact, readme, audit)
        finally:
            await self._wrote()

    async def replace_source(self, artifact: StoredArtifact, readme: str, audit: AuditRecord) -> None:
        try:
            await self._store.replace_source(artifact, readme, audit)
        finally:
            await self._wrote()

    async def delete(self, artifact_id: str, audit: AuditRecord, reply: Contract | None = None) -> None:
        try:
            await self._store.delete(artifact_id, audit, reply)
        finally:
            await self._wrote()

    async def clear(self) -> None:
        try:
            await self._store.clear()
        finally:
            await self._wrote()

    async def search_documents(self) -> tuple[int, list[SearchDocument]]:
        return await self._store.search_documents()

    async def audit_trail(self, artifact_id: str) -> list[AuditRecord]:
        return await self._store.audit_trail(artifact_id)

    async def record(self, *audits: AuditRecord) -> None:
        await self._store.record(*audits)
