"""``ArtifactStore`` on SQLAlchemy Core: one code path for SQLite and PostgreSQL.

Metadata rows stay narrow (README/card text lives in ``artifact_readmes``), so look-ups, pages and counts
never read the large texts; only the search index does.
"""

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, delete, false, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from catalog.adapters.tables import artifacts, audit, readmes, state
from catalog.domain.artifacts import AuditRecord, StoredArtifact, new_artifact_id
from catalog.ports import SearchDocument
from contracts.artifacts import Actor, ArtifactMetadata, ArtifactQuery, ArtifactType
from contracts.base import Contract
from svckit.idempotency import settle_within

ID_ATTEMPTS = 8
REVISION_KEY = "revision"
_COLUMNS = (artifacts.c.seq, artifacts.c.id, artifacts.c.type, artifacts.c.name, artifacts.c.url, artifacts.c.owner)


def utc(moment: datetime) -> datetime:
    """SQLite hands datetimes back naive; every stored time is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class SqlArtifactStore:
    """Artifacts, their README text and the audit trail in one SQL database."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, artifact: StoredArtifact, readme: str, audit_record: AuditRecord) -> StoredArtifact:
        """Insert with a fresh id, retrying the rare id clash; README and audit entry commit with it."""
        for attempt in range(ID_ATTEMPTS):
            candidate = artifact if attempt == 0 else replace(artifact, id=new_artifact_id())
            try:
                async with self._engine.begin() as conn:
                    result = await conn.execute(
                        insert(artifacts).values(
                            id=candidate.id,
                            type=candidate.type.value,
                            name=candidate.name,
                            url=candidate.url,
                            owner=candidate.owner,
                            created_at=audit_record.at,
                            updated_at=audit_record.at,
                        )
                    )
                    await conn.execute(insert(readmes).values(artifact_id=candidate.id, readme=readme))
                    await _insert_audit(conn, replace(audit_record, artifact=candidate.metadata))
                    await _bump_revision(conn)
                seq = int(result.inserted_primary_key[0]) if result.inserted_primary_key else 0
                return replace(candidate, seq=seq)
            except IntegrityError:
                if await self.get(candidate.id) is None:
                    raise
        raise RuntimeError("could not allocate a unique artifact id")

    async def get(self, artifact_id: str) -> StoredArtifact | None:
        """One artifact by id."""
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(*_COLUMNS).where(artifacts.c.id == artifact_id))).first()
        return _artifact(row) if row else None

    async def replace_source(self, artifact: StoredArtifact, readme: str, audit_record: AuditRecord) -> None:
        """Store a new url and README for an existing artifact."""
        async with self._engine.begin() as conn:
            await conn.execute(
                update(artifacts)
                .where(artifacts.c.id == artifact.id)
                .values(url=artifact.url, updated_at=audit_record.at)
            )
            await conn.execute(update(readmes).where(readmes.c.artifact_id == artifact.id).values(readme=readme))
            await _insert_audit(conn, audit_record)
            await _bump_revision(conn)

    async def delete(self, artifact_id: str, audit_record: AuditRecord, reply: Contract | None = None) -> None:
        """Remove the artifact and its README; its audit trail is kept, closed by a ``DELETE`` entry. ``reply`` is
        recorded with the removal as the outcome of the idempotent write removing it (``svckit.idempotency``)."""
        async with self._engine.begin() as conn:
            await conn.execute(delete(readmes).where(readmes.c.artifact_id == artifact_id))
            await conn.execute(delete(artifacts).where(artifacts.c.id == artifact_id))
            await _insert_audit(conn, audit_record)
            await _bump_revision(conn)
            if reply is not None:
                await settle_within(conn, reply)

    async def count(self, queries: Sequence[ArtifactQuery]) -> int:
        """How many artifacts match any of the queries."""
        statement = select(func.count()).select_from(artifacts)
        condition = _matching(queries)
        if condition is not None:
            statement = statement.where(condition)
        async with self._engine.connect() as conn:
            total = await conn.scalar(statement)
        return int(total or 0)

    async def page(self, queries: Sequence[ArtifactQuery], after: int, limit: int) -> list[StoredArtifact]:
        """Up to ``limit`` matches registered after cursor ``after``, in registration order."""
        condition = _matching(queries)
        cursor = artifacts.c.seq > after
        statement = (
            select(*_COLUMNS)
            .where(cursor if condition is None else and_(condition, cursor))
            .order_by(artifacts.c.seq)
            .limit(limit)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(statement)).all()
        return [_artifact(row) for row in rows]

    async def by_name(self, name: str) -> list[StoredArtifact]:
        """Exact, case-sensitive name match, in registration order."""
        statement = select(*_COLUMNS).where(artifacts.c.name == name).order_by(artifacts.c.seq)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(statement)).all()
        return [_artifact(row) for row in rows]

    async def revision(self) -> int:
        """A counter bumped by every change; replicas use it to refresh their search cache."""
        async with self._engine.connect() as conn:
            value = await conn.scalar(select(state.c.value).where(state.c.key == REVISION_KEY))
        return int(value or 0)

    async def rows(self) -> tuple[int, list[StoredArtifact]]:
        """Every artifact's metadata row in registration order, with the revision read just before them (the rows
        are at least that new: a change between the two reads moves the revision on, and the copy is reloaded)."""
        async with self._engine.connect() as conn:
            revision = await conn.scalar(select(state.c.value).where(state.c.key == REVISION_KEY))
            rows = (await conn.execute(select(*_COLUMNS).order_by(artifacts.c.seq))).all()
        return int(revision or 0), [_artifact(row) for row in rows]

    async def search_documents(self) -> tuple[int, list[SearchDocument]]:
        """Every artifact's name and README, with the revision they were read at."""
        statement = (
            select(artifacts.c.id, artifacts.c.name, artifacts.c.type, readmes.c.readme)
            .join(readmes, readmes.c.artifact_id == artifacts.c.id)
            .order_by(artifacts.c.seq)
        )
        async with self._engine.connect() as conn:
            revision = await conn.scalar(select(state.c.value).where(state.c.key == REVISION_KEY))
            rows = (await conn.execute(statement)).all()
        documents = [
            SearchDocument(ArtifactMetadata(id=r.id, name=r.name, type=ArtifactType(r.type)), r.readme) for r in rows
        ]
        return int(revision or 0), documents

    async def audit_trail(self, artifact_id: str) -> list[AuditRecord]:
        """The artifact's audit entries, oldest first."""
        statement = select(audit).where(audit.c.artifact_id == artifact_id).order_by(audit.c.seq)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(statement)).all()
        return [
            AuditRecord(
                artifact=ArtifactMetadata(id=r.artifact_id, name=r.artifact_name, type=ArtifactType(r.artifact_type)),
                actor=Actor(name=r.user_name, is_admin=r.user_is_admin),
                action=r.action,
                at=utc(r.at),
            )
            for r in rows
        ]

    async def record(self, *audit_records: AuditRecord) -> None:
        """Append audit entries, in one transaction and one statement (executemany: a batch of rating reads is
        hundreds of rows)."""
        if audit_records:
            async with self._engine.begin() as conn:
                await conn.execute(insert(audit), [_audit_row(r) for r in audit_records])

    async def clear(self) -> None:
        """Remove every artifact, README and audit entry."""
        async with self._engine.begin() as conn:
            await conn.execute(delete(audit))
            await conn.execute(delete(readmes))
            await conn.execute(delete(artifacts))
            await _bump_revision(conn)


def _matching(queries: Sequence[ArtifactQuery]) -> ColumnElement[bool] | None:
    """The WHERE clause for a union of queries; None when it matches everything."""
    clauses: list[ColumnElement[bool]] = []
    for query in queries:
        conditions: list[ColumnElement[bool]] = []
        if query.name != "*":
            conditions.append(artifacts.c.name == query.name)
        if query.types:
            conditions.append(artifacts.c.type.in_([t.value for t in query.types]))
        if not conditions:
            return None
        clauses.append(and_(*conditions) if len(conditions) > 1 else conditions[0])
    return or_(*clauses) if clauses else false()


async def _insert_audit(conn: AsyncConnection, record: AuditRecord) -> None:
    await conn.execute(insert(audit).values(**_audit_row(record)))


def _audit_row(record: AuditRecord) -> dict[str, Any]:
    return {
        "artifact_id": record.artifact.id,
        "artifact_type": record.artifact.type.value,
        "artifact_name": record.artifact.name,
        "user_name": record.actor.name,
        "user_is_admin": record.actor.is_admin,
        "action": record.action,
        "at": record.at,
    }


async def _bump_revision(conn: AsyncConnection) -> None:
    result = await conn.execute(update(state).where(state.c.key == REVISION_KEY).values(value=state.c.value + 1))
    if result.rowcount == 0:
        await conn.execute(insert(state).values(key=REVISION_KEY, value=1))


def _artifact(row: Row[Any, Any, Any, Any, Any, Any]) -> StoredArtifact:
    return StoredArtifact(
        id=row.id, type=ArtifactType(row.type), name=row.name, url=row.url, seq=row.seq, owner=row.owner
    )
