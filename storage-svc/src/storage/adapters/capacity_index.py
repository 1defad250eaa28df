"""Upload slots, capacity holds and the bytes committed to the bucket: the capacity half of storage's index.

Capacity is checked and taken in one transaction under one lock (``hold_bytes``, ``add_upload_slot``): a
PostgreSQL advisory lock, or SQLite's write lock (taken by a no-op write before anything is read), so replicas and
requests racing for the last free bytes are admitted one at a time, each seeing what the others took.
"""

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import delete, false, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from contracts.storage import SourceKind
from storage.adapters.tables import blobs, capacity_holds, files, packages, upload_slots


class SqlCapacityIndex:
    """Who holds which upload slot, and how many bytes the bucket holds or is about to."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def uploads_in_use(self, upload_ids: Sequence[str]) -> set[str]:
        """The upload ids a package was registered from (their slot is the package's source until copied)."""
        if not upload_ids:
            return set()
        statement = select(packages.c.repo_id).where(
            packages.c.source_kind == SourceKind.UPLOAD.value, packages.c.repo_id.in_(list(upload_ids))
        )
        async with self._engine.connect() as conn:
            return set((await conn.execute(statement)).scalars().all())

    async def add_upload_slot(
        self, upload_id: str, owner: str, size: int, created_at: datetime, admit: Callable[[int, int], None]
    ) -> None:
        """Record an upload slot (whose it is, the size its PUT URL allows) once ``admit(bytes the owner holds in
        uploads, bytes committed)`` has not raised, both read under the capacity lock."""
        async with self._engine.begin() as conn:
            await _capacity_lock(conn)
            held = select(func.coalesce(func.sum(upload_slots.c.size), 0)).where(upload_slots.c.owner == owner)
            admit(int(await conn.scalar(held) or 0), await _committed(conn))
            await conn.execute(
                insert(upload_slots).values(upload_id=upload_id, owner=owner, size=size, created_at=created_at)
            )

    async def upload_bytes(self, owner: str) -> int:
        """Bytes ``owner`` holds in uploads: every slot not yet swept or deleted with its artifact."""
        statement = select(func.coalesce(func.sum(upload_slots.c.size), 0)).where(upload_slots.c.owner == owner)
        async with self._engine.connect() as conn:
            return int(await conn.scalar(statement) or 0)

    async def committed_bytes(self) -> int:
        """Bytes the bucket holds or is about to: live blobs, files still to copy, every upload slot's size and
        every capacity hold."""
        async with self._engine.connect() as conn:
            return await _committed(conn)

    async def hold_bytes(self, hold_id: str, size: int, created_at: datetime, admit: Callable[[int], None]) -> None:
        """Hold ``size`` bytes of capacity (counted by ``committed_bytes`` until ``release_hold``) once
        ``admit(bytes committed)``, read under the capacity lock, has not raised."""
        async with self._engine.begin() as conn:
            await _capacity_lock(conn)
            admit(await _committed(conn))
            await conn.execute(insert(capacity_holds).values(hold_id=hold_id, size=size, created_at=created_at))

    async def release_hold(self, hold_id: str) -> None:
        """Drop a hold (its bytes are now counted as planned files, or the ingest was refused)."""
        async with self._engine.begin() as conn:
            await conn.execute(delete(capacity_holds).where(capacity_holds.c.hold_id == hold_id))

    async def forget_holds_before(self, before: datetime) -> int:
        """Drop holds older than ``before`` (their replica died while recording a plan); how many."""
        async with self._engine.begin() as conn:
            result = await conn.execute(delete(capacity_holds).where(capacity_holds.c.created_at < before))
        return int(result.rowcount or 0)

    async def forget_upload_slots(self, upload_ids: Sequence[str]) -> None:
        """Drop the slots whose bytes are gone (swept, or their artifact deleted)."""
        if upload_ids:
            async with self._engine.begin() as conn:
                await conn.execute(delete(upload_slots).where(upload_slots.c.upload_id.in_(list(upload_ids))))


CAPACITY_LOCK_KEY = 0x5354_4341_5041  # "STCAPA": storage's capacity decisions


async def _capacity_lock(conn: AsyncConnection) -> None:
    """Serialise capacity decisions until the transaction ends."""
    if conn.dialect.name == "postgresql":
        await conn.execute(select(func.pg_advisory_xact_lock(CAPACITY_LOCK_KEY)))
    else:  # SQLite's driver begins at the first write: a no-op write takes the write lock before anything is read
        await conn.execute(update(capacity_holds).where(false()).values(size=capacity_holds.c.size))


async def _committed(conn: AsyncConnection) -> int:
    """Stored blobs, files still to copy, upload slots and holds, summed in one query (it runs under the lock)."""
    pending = func.coalesce(files.c.size, files.c.estimate, 0)
    stored, copying, reserved, held = (
        query.scalar_subquery()
        for query in (
            select(func.coalesce(func.sum(blobs.c.size), 0)),
            select(func.coalesce(func.sum(pending), 0)).where(files.c.status == "pending"),
            select(func.coalesce(func.sum(upload_slots.c.size), 0)),
            select(func.coalesce(func.sum(capacity_holds.c.size), 0)),
        )
    )
    return int(await conn.scalar(select(stored + copying + reserved + held)) or 0)
