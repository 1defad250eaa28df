"""The transaction steps and row mappings ``SqlPackageIndex`` is built from.

Every writer that changes a package's files takes the package row's lock first (``locked_generation``), so a
file recorded by a copy and the deletion or re-sourcing of its package never interleave.
"""

from datetime import UTC
from typing import Any

from sqlalchemy import Row, and_, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.artifacts import ArtifactType
from contracts.storage import PackageState, Part, SourceKind, SourceRef
from storage.adapters.tables import archives, blobs, files, packages
from storage.domain.files import blob_key
from storage.ports import FileRecord, Package
from svckit.clock import utc_now


async def drop_contents(conn: AsyncConnection, artifact_id: str) -> list[str]:
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


async def locked_generation(conn: AsyncConnection, artifact_id: str) -> int | None:
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


async def is_current(conn: AsyncConnection, artifact_id: str, generation: int) -> bool:
    """Whether ``generation`` is the package's current one (and lock the package row)."""
    return await locked_generation(conn, artifact_id) == generation


async def is_planned(conn: AsyncConnection, artifact_id: str) -> bool:
    """Whether the package's file list is stored."""
    return bool(await conn.scalar(select(packages.c.planned).where(packages.c.artifact_id == artifact_id)))


async def touch(conn: AsyncConnection, artifact_id: str, **values: Any) -> None:
    """Set ``values`` on the package row and mark it updated now."""
    await conn.execute(
        update(packages).where(packages.c.artifact_id == artifact_id).values(updated_at=utc_now(), **values)
    )


def package_from_row(row: Row[Any], total: int, done: int, done_bytes: int, total_bytes: int | None) -> Package:
    """A ``Package`` from its row and the progress figures counted from its files."""
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


def file_from_row(row: Row[Any]) -> FileRecord:
    """A ``FileRecord`` from its row."""
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
