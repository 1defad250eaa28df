"""Upload slots and the bytes committed to the bucket: the capacity half of storage's index."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.storage import SourceKind
from storage.adapters.tables import blobs, files, packages, upload_slots


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

    async def add_upload_slot(self, upload_id: str, owner: str, size: int, created_at: datetime) -> None:
        """Record an upload slot: whose it is and the size its PUT URL allows."""
        async with self._engine.begin() as conn:
            await conn.execute(
                insert(upload_slots).values(upload_id=upload_id, owner=owner, size=size, created_at=created_at)
            )

    async def upload_bytes(self, owner: str) -> int:
        """Bytes ``owner`` holds in uploads: every slot not yet swept or deleted with its artifact."""
        statement = select(func.coalesce(func.sum(upload_slots.c.size), 0)).where(upload_slots.c.owner == owner)
        async with self._engine.connect() as conn:
            return int(await conn.scalar(statement) or 0)

    async def committed_bytes(self) -> int:
        """Bytes the bucket holds or is about to: live blobs, files still to copy, and every upload slot's size."""
        pending = func.coalesce(files.c.size, files.c.estimate, 0)
        async with self._engine.connect() as conn:
            stored = await conn.scalar(select(func.coalesce(func.sum(blobs.c.size), 0)))
            copying = await conn.scalar(select(func.coalesce(func.sum(pending), 0)).where(files.c.status == "pending"))
            reserved = await conn.scalar(select(func.coalesce(func.sum(upload_slots.c.size), 0)))
        return int(stored or 0) + int(copying or 0) + int(reserved or 0)

    async def forget_upload_slots(self, upload_ids: Sequence[str]) -> None:
        """Drop the slots whose bytes are gone (swept, or their artifact deleted)."""
        if upload_ids:
            async with self._engine.begin() as conn:
                await conn.execute(delete(upload_slots).where(upload_slots.c.upload_id.in_(list(upload_ids))))
