"""``PackageIndex`` on SQLAlchemy Core (SQLite or PostgreSQL, one code path).

Blobs carry reference counts. A blob whose count drops to zero is marked ``deleting`` in the same
transaction; its object is removed from S3 afterwards and only then is its row forgotten. A copy that finds
a ``deleting`` blob waits, so an object is never deleted under a package that has just claimed it.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from contracts.artifacts import ArtifactType
from contracts.storage import PackageState, Part, SourceKind, SourceRef
from storage.adapters.capacity_index import SqlCapacityIndex
from storage.adapters.index_steps import (
    drop_contents,
    file_from_row,
    is_current,
    is_planned,
    locked_generation,
    package_from_row,
    touch,
)
from storage.adapters.tables import archives, blobs, capacity_holds, files, packages, upload_slots
from storage.domain.files import PlannedFile, blob_key
from storage.ports import Archive, Claim, FileRecord, Package
from svckit.clock import utc_now


class SqlPackageIndex(SqlCapacityIndex):
    """storage-svc's index in its own SQL database: packages, their files, blobs and archives (upload slots and
    the bytes committed to the bucket are counted by the ``SqlCapacityIndex`` it extends)."""

    async def create(
        self, artifact_id: str, artifact_type: ArtifactType, source: SourceRef
    ) -> tuple[Package, list[str]]:
        """Record a package (a new generation if it exists); returns object keys that became unreferenced."""
        async with self._engine.begin() as conn:
            current = await locked_generation(conn, artifact_id)
            doomed = await drop_contents(conn, artifact_id) if current is not None else []
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
                "updated_at": utc_now(),
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
        return package_from_row(row, int(total), int(done), int(stored_bytes) + int(row.copying_bytes), known_total)

    async def set_plan(
        self, artifact_id: str, generation: int, planned: Sequence[PlannedFile], revision: str | None
    ) -> bool:
        """Store the file list of the current generation (once; its state unchanged); False when it is stale."""
        async with self._engine.begin() as conn:
            if not await is_current(conn, artifact_id, generation) or await is_planned(conn, artifact_id):
                return await is_current(conn, artifact_id, generation)
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
            await touch(conn, artifact_id, planned=True, revision=revision)
        return True

    async def files(self, artifact_id: str) -> list[FileRecord]:
        """Every planned file with its state and checksums."""
        statement = select(files).where(files.c.artifact_id == artifact_id).order_by(files.c.path)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(statement)).all()
        return [file_from_row(r) for r in rows]

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
        return await self._updatefile_from_row(artifact_id, generation, path, values)

    async def file_skipped(self, artifact_id: str, generation: int, path: str, reason: str) -> bool:
        """Mark a file not stored, with the reason."""
        return await self._updatefile_from_row(artifact_id, generation, path, {"status": "skipped", "note": reason})

    async def file_failed(self, artifact_id: str, generation: int, path: str, reason: str) -> bool:
        """Mark a file whose received bytes differ from the published ones: not stored, never served, with why."""
        values = {"status": "failed", "verified": False, "note": reason}
        return await self._updatefile_from_row(artifact_id, generation, path, values)

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
                .values(state=state.value, message=message, copying_bytes=0, updated_at=utc_now())
            )
        return bool(result.rowcount == 1)

    async def add_archive(self, artifact_id: str, generation: int, archive: Archive) -> bool:
        """Record a built archive of the current generation."""
        async with self._engine.begin() as conn:
            if not await is_current(conn, artifact_id, generation):
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
            if await locked_generation(conn, artifact_id) is None:
                return None
            doomed = await drop_contents(conn, artifact_id)
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

    async def clear(self) -> None:
        """Empty the index."""
        async with self._engine.begin() as conn:
            for table in (
                packages,
                files,
                blobs,
                archives,
                upload_slots,
                capacity_holds,
            ):  # packages first: the lock order of every writer
                await conn.execute(delete(table))

    async def _updatefile_from_row(self, artifact_id: str, generation: int, path: str, values: dict[str, Any]) -> bool:
        async with self._engine.begin() as conn:
            if not await is_current(conn, artifact_id, generation):
                return False
            await conn.execute(
                update(files).where(files.c.artifact_id == artifact_id, files.c.path == path).values(**values)
            )
            await conn.execute(
                update(packages)
                .where(packages.c.artifact_id == artifact_id)
                .values(copying_bytes=0, updated_at=utc_now())
            )
        return True
