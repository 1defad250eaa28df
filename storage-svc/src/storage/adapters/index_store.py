"""``PackageIndex`` on SQLAlchemy Core (SQLite or PostgreSQL, one code path).

Blobs carry reference counts. A blob whose count drops to zero is marked ``deleting`` in the same
transaction; its object is removed from S3 afterwards and only then is its row forgotten. A copy that finds
a ``deleting`` blob waits, so an object is never deleted under a package that has just claimed it.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, and_, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from contracts.artifacts import ArtifactType
from contracts.storage import PackageState, Part, SourceKind, SourceRef
from storage.adapters.tables import archives, blobs, files, packages, upload_slots
from storage.domain.files import PlannedFile, blob_key
from storage.ports import Archive, Claim, FileRecord, Package


def _now() -> datetime:
    return datetime.now(UTC)


class SqlPackageIndex:
    """storage-svc's index in its own SQL database."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def create(
        self, artifact_id: str, artifact_type: ArtifactType, source: SourceRef
    ) -> tuple[Package, list[str]]:
        """Record a package (a new generation if it exists); returns object keys that became unreferenced."""
        async with self._engine.begin() as conn:
            current = await _locked_generation(conn, artifact_id)
            doomed = await _drop_contents(conn, artifact_id) if current is not None else []
            values = {
                "type": artifact_type.value,
                "source_kind": source.kind.value,
                "repo_id": source.repo_id,
                "subpath": source.subpath,
                "revision": source.revision,
                "state": PackageState.QUEUED.value,
                "message": "",
                "generation": (current or 0) + 1,
                "planned": False,
                "copying_bytes": 0,
                "updated_at": _now(),
            }
            if current is None:
                await conn.execute(insert(packages).values(artifact_id=artifact_id, **values))
            else:
                await conn.execute(update(packages).where(packages.c.artifact_id == artifact_id).values(**values))
        package = await self.get(artifact_id)
        assert package is not None
        return package, doomed

    async def get(self, artifact_id: str) -> Package | None:
        """The package with progress figures computed from its files."""
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(packages).where(packages.c.artifact_id == artifact_id))).first()
            if row is None:
                return None
            stats = (
                await conn.execute(
                    select(
                        func.count(),
                        func.count().filter(files.c.status != "pending"),
                        func.coalesce(func.sum(files.c.size).filter(files.c.status == "stored"), 0),
                        func.sum(files.c.size),
                        func.count().filter(files.c.size.is_(None)),
                    ).where(files.c.artifact_id == artifact_id)
                )
            ).one()
        total, done, stored_bytes, size_sum, unknown = stats
        known_total = int(size_sum or 0) if row.planned and not unknown else None
        return _package(row, int(total), int(done), int(stored_bytes) + int(row.copying_bytes), known_total)

    async def set_plan(
        self, artifact_id: str, generation: int, planned: Sequence[PlannedFile], revision: str | None
    ) -> bool:
        """Store the file list of the current generation (once; its state unchanged); False when it is stale."""
        async with self._engine.begin() as conn:
            if not await _is_current(conn, artifact_id, generation) or await _planned(conn, artifact_id):
                return await _is_current(conn, artifact_id, generation)
            rows = [
                {
                    "artifact_id": artifact_id,
                    "path": f.path,
                    "part": f.part.value,
                    "size": f.size,
                    "estimate": f.estimate,
                    "upstream_sha256": f.upstream_sha256,
                    "git_oid": f.git_oid,
                    "status": "pending",
                    "note": "",
                }
                for f in planned
            ]
            if rows:
                await conn.execute(insert(files), rows)
            await _touch(conn, artifact_id, planned=True, revision=revision)
        return True

    async def files(self, artifact_id: str) -> list[FileRecord]:
        """Every planned file with its state and checksums."""
        statement = select(files).where(files.c.artifact_id == artifact_id).order_by(files.c.path)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(statement)).all()
        return [_file(r) for r in rows]

    async def total_sizes(self, artifact_ids: Sequence[str]) -> dict[str, int | None]:
        """Bytes of each planned package in one query (a file of unknown size counts with the upstream's estimate);
        None for unknown, unplanned or unsized packages."""
        statement = (
            select(
                files.c.artifact_id,
                func.sum(func.coalesce(files.c.size, files.c.estimate)),
                func.count().filter(files.c.size.is_(None), files.c.estimate.is_(None)),
            )
            .join(packages, packages.c.artifact_id == files.c.artifact_id)
            .where(files.c.artifact_id.in_(list(artifact_ids)), packages.c.planned.is_(True))
            .group_by(files.c.artifact_id)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(statement)).all()
            planned_empty = (
                (
                    await conn.execute(
                        select(packages.c.artifact_id).where(
                            packages.c.artifact_id.in_(list(artifact_ids)), packages.c.planned.is_(True)
                        )
                    )
                )
                .scalars()
                .all()
            )
        sizes: dict[str, int | None] = {i: None for i in artifact_ids}
        sizes.update({i: 0 for i in planned_empty})
        sizes.update({r[0]: None if r[2] else int(r[1] or 0) for r in rows})
        return sizes

    async def claim_blob(self, sha256: str) -> Claim:
        """Take a reference on an existing live blob ("reused"), or say it is absent or being deleted."""
        async with self._engine.begin() as conn:
            claimed = await conn.execute(
                update(blobs).where(blobs.c.sha256 == sha256, blobs.c.state == "live").values(refs=blobs.c.refs + 1)
            )
            if claimed.rowcount == 1:
                return "reused"
            busy = await conn.scalar(select(blobs.c.state).where(blobs.c.sha256 == sha256))
        return "busy" if busy else "absent"

    async def add_blob(self, sha256: str, size: int) -> None:
        """Record a newly stored blob with one reference (or add one if another copy recorded it first)."""
        try:
            async with self._engine.begin() as conn:
                await conn.execute(insert(blobs).values(sha256=sha256, size=size, refs=1, state="live"))
        except IntegrityError:
            async with self._engine.begin() as conn:
                await conn.execute(
                    update(blobs).where(blobs.c.sha256 == sha256).values(refs=blobs.c.refs + 1, state="live")
                )

    async def release_blob(self, sha256: str) -> list[str]:
        """Drop one reference taken for a file that could not be recorded; the object key if now unused."""
        async with self._engine.begin() as conn:
            await conn.execute(update(blobs).where(blobs.c.sha256 == sha256).values(refs=blobs.c.refs - 1))
            dead = await conn.execute(
                update(blobs).where(blobs.c.sha256 == sha256, blobs.c.refs <= 0).values(state="deleting", refs=0)
            )
        return [blob_key(sha256)] if dead.rowcount else []

    async def file_stored(
        self, artifact_id: str, generation: int, path: str, sha256: str, size: int, verified: bool | None
    ) -> bool:
        """Mark a file stored under blob ``sha256``; False when the generation is stale."""
        values = {"status": "stored", "sha256": sha256, "size": size, "verified": verified}
        return await self._update_file(artifact_id, generation, path, values)

    async def file_skipped(self, artifact_id: str, generation: int, path: str, reason: str) -> bool:
        """Mark a file not stored, with the reason."""
        return await self._update_file(artifact_id, generation, path, {"status": "skipped", "note": reason})

    async def file_failed(self, artifact_id: str, generation: int, path: str, reason: str) -> bool:
        """Mark a file whose received bytes differ from the published ones: not stored, never served, with why."""
        values = {"status": "failed", "verified": False, "note": reason}
        return await self._update_file(artifact_id, generation, path, values)

    async def copying(self, artifact_id: str, generation: int, copied: int) -> None:
        """Progress inside the file being copied."""
        async with self._engine.begin() as conn:
            await conn.execute(
                update(packages)
                .where(packages.c.artifact_id == artifact_id, packages.c.generation == generation)
                .values(copying_bytes=copied)
            )

    async def set_state(self, artifact_id: str, generation: int, state: PackageState, message: str = "") -> bool:
        """Set the package state of the current generation; False when stale or gone."""
        async with self._engine.begin() as conn:
            result = await conn.execute(
                update(packages)
                .where(packages.c.artifact_id == artifact_id, packages.c.generation == generation)
                .values(state=state.value, message=message, copying_bytes=0, updated_at=_now())
            )
        return bool(result.rowcount == 1)

    async def add_archive(self, artifact_id: str, generation: int, archive: Archive) -> bool:
        """Record a built archive of the current generation."""
        async with self._engine.begin() as conn:
            if not await _is_current(conn, artifact_id, generation):
                return False
            await conn.execute(
                insert(archives).values(
                    artifact_id=artifact_id,
                    part=archive.part.value,
                    key=archive.key,
                    size=archive.size,
                    sha256=archive.sha256,
                )
            )
        return True

    async def archive(self, artifact_id: str, part: Part) -> Archive | None:
        """The built archive of a part, if any."""
        statement = select(archives).where(archives.c.artifact_id == artifact_id, archives.c.part == part.value)
        async with self._engine.connect() as conn:
            row = (await conn.execute(statement)).first()
        return Archive(Part(row.part), row.key, int(row.size), row.sha256) if row else None

    async def delete(self, artifact_id: str) -> list[str] | None:
        """Remove the package; returns object keys no longer referenced (None for an unknown package)."""
        async with self._engine.begin() as conn:
            if await _locked_generation(conn, artifact_id) is None:
                return None
            doomed = await _drop_contents(conn, artifact_id)
            uploaded = select(packages.c.repo_id).where(
                packages.c.artifact_id == artifact_id, packages.c.source_kind == SourceKind.UPLOAD.value
            )
            await conn.execute(delete(upload_slots).where(upload_slots.c.upload_id.in_(uploaded.scalar_subquery())))
            await conn.execute(delete(packages).where(packages.c.artifact_id == artifact_id))
        return doomed

    async def forget_blobs(self, keys: Sequence[str]) -> None:
        """Forget blobs whose objects were deleted (unless a copy revived them meanwhile)."""
        hashes = [k.rsplit("/", 1)[-1] for k in keys if k.startswith("blobs/")]
        if hashes:
            async with self._engine.begin() as conn:
                await conn.execute(
                    delete(blobs).where(blobs.c.sha256.in_(hashes), blobs.c.state == "deleting", blobs.c.refs == 0)
                )

    async def deleting_blobs(self) -> list[str]:
        """Object keys of blobs marked for deletion whose object may still exist (a deletion that stalled)."""
        statement = select(blobs.c.sha256).where(blobs.c.state == "deleting", blobs.c.refs == 0)
        async with self._engine.connect() as conn:
            return [blob_key(sha256) for sha256 in (await conn.execute(statement)).scalars().all()]

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

    async def clear(self) -> None:
        """Empty the index."""
        async with self._engine.begin() as conn:
            for table in (
                packages,
                files,
                blobs,
                archives,
                upload_slots,
            ):  # packages first: the lock order of every writer
                await conn.execute(delete(table))

    async def _update_file(self, artifact_id: str, generation: int, path: str, values: dict[str, Any]) -> bool:
        async with self._engine.begin() as conn:
            if not await _is_current(conn, artifact_id, generation):
                return False
            await conn.execute(
                update(files).where(files.c.artifact_id == artifact_id, files.c.path == path).values(**values)
            )
            await conn.execute(
                update(packages).where(packages.c.artifact_id == artifact_id).values(copying_bytes=0, updated_at=_now())
            )
        return True


async def _drop_contents(conn: AsyncConnection, artifact_id: str) -> list[str]:
    """Release the package's blob references and archives; mark unreferenced blobs for deletion."""
    rows = (
        await conn.execute(
            select(files.c.sha256, func.count())
            .where(files.c.artifact_id == artifact_id, files.c.status == "stored")
            .group_by(files.c.sha256)
        )
    ).all()
    for sha256, count in rows:
        await conn.execute(update(blobs).where(blobs.c.sha256 == sha256).values(refs=blobs.c.refs - count))
    hashes = [r[0] for r in rows]
    dead = (
        (await conn.execute(select(blobs.c.sha256).where(and_(blobs.c.sha256.in_(hashes), blobs.c.refs <= 0))))
        .scalars()
        .all()
        if hashes
        else []
    )
    if dead:
        await conn.execute(update(blobs).where(blobs.c.sha256.in_(dead)).values(state="deleting", refs=0))
    archive_keys = (
        (await conn.execute(select(archives.c.key).where(archives.c.artifact_id == artifact_id))).scalars().all()
    )
    await conn.execute(delete(archives).where(archives.c.artifact_id == artifact_id))
    await conn.execute(delete(files).where(files.c.artifact_id == artifact_id))
    return [blob_key(h) for h in dead] + [key for key in archive_keys if key]  # archives stored before 0002


async def _locked_generation(conn: AsyncConnection, artifact_id: str) -> int | None:
    """The package's generation, read by a no-op write that locks it until the transaction ends.

    A write, not a read: PostgreSQL locks the row, and SQLite (whose driver starts a transaction only at the
    first write) takes its write lock before anything is read. So a file recorded by a copy and the deletion
    or re-sourcing of its package never interleave, and neither reads rows the other is changing.
    """
    statement = (
        update(packages)
        .where(packages.c.artifact_id == artifact_id)
        .values(generation=packages.c.generation)
        .returning(packages.c.generation)
    )
    found = (await conn.execute(statement)).scalar()
    return None if found is None else int(found)


async def _is_current(conn: AsyncConnection, artifact_id: str, generation: int) -> bool:
    return await _locked_generation(conn, artifact_id) == generation


async def _planned(conn: AsyncConnection, artifact_id: str) -> bool:
    return bool(await conn.scalar(select(packages.c.planned).where(packages.c.artifact_id == artifact_id)))


async def _touch(conn: AsyncConnection, artifact_id: str, **values: Any) -> None:
    await conn.execute(
        update(packages).where(packages.c.artifact_id == artifact_id).values(updated_at=_now(), **values)
    )


def _package(row: Row[Any], total: int, done: int, done_bytes: int, total_bytes: int | None) -> Package:
    source = SourceRef(
        kind=SourceKind(row.source_kind), repo_id=row.repo_id, subpath=row.subpath, revision=row.revision
    )
    updated = row.updated_at if row.updated_at.tzinfo else row.updated_at.replace(tzinfo=UTC)
    return Package(
        artifact_id=row.artifact_id,
        type=ArtifactType(row.type),
        source=source,
        state=PackageState(row.state),
        generation=row.generation,
        planned=bool(row.planned),
        bytes_done=done_bytes,
        bytes_total=total_bytes,
        files_done=done,
        files_total=total,
        message=row.message,
        updated_at=updated,
    )


def _file(row: Row[Any]) -> FileRecord:
    return FileRecord(
        path=row.path,
        part=Part(row.part),
        size=None if row.size is None else int(row.size),
        upstream_sha256=row.upstream_sha256,
        git_oid=row.git_oid,
        sha256=row.sha256,
        status=row.status,
        verified=row.verified,
        note=row.note,
    )
