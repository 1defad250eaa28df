"""``RatingStore`` on SQLAlchemy Core (SQLite or PostgreSQL, one code path)."""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Table, delete, select
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from contracts.scoring import RatingReport
from scoring.adapters.tables import rating_parents, ratings
from scoring.ports import StoredRating

if TYPE_CHECKING:
    from sqlalchemy.dialects.postgresql import Insert as PostgresqlInsert


class SqlRatingStore:
    """Stored rating reports (or the failure that replaced one) and the parents each tree_score used."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def put(self, report: RatingReport) -> None:
        """Store (or replace) a model's rating report and the parents it averaged."""
        async with self._engine.begin() as conn:
            await self._replace(conn, report.artifact_id, report.model_dump_json(), None, report.rated_at)
            if report.parents:
                rows = [
                    {"child_id": report.artifact_id, "parent_id": parent} for parent in dict.fromkeys(report.parents)
                ]
                await conn.execute(_insert(conn, rating_parents).on_conflict_do_nothing(), rows)

    async def put_failure(self, artifact_id: str, message: str, at: datetime) -> None:
        """Record that the model's rating could not be computed (``/rate`` answers 500 with ``message``)."""
        async with self._engine.begin() as conn:
            await self._replace(conn, artifact_id, "", message, at)

    async def get(self, artifact_id: str) -> StoredRating | None:
        """The stored report or failure of one model; None when it was never rated (or was forgotten)."""
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(
                    select(ratings.c.report, ratings.c.failure).where(ratings.c.artifact_id == artifact_id)
                )
            ).first()
        if row is None:
            return None
        if row.failure is not None:
            return StoredRating(report=None, failure=row.failure)
        return StoredRating(report=RatingReport.model_validate_json(row.report), failure=None)

    async def children(self, parent_id: str) -> list[str]:
        """Models whose stored tree_score averaged ``parent_id``."""
        async with self._engine.connect() as conn:
            result = await conn.execute(
                select(rating_parents.c.child_id).where(rating_parents.c.parent_id == parent_id)
            )
            return sorted(str(child) for child in result.scalars())

    async def delete(self, artifact_id: str) -> bool:
        """Forget a model's rating and the parents it used; True when there was one."""
        async with self._engine.begin() as conn:
            result = await conn.execute(
                delete(ratings).where(ratings.c.artifact_id == artifact_id)
            )  # lock order: rating first
            await conn.execute(delete(rating_parents).where(rating_parents.c.child_id == artifact_id))
        return bool(result.rowcount)

    async def clear(self) -> None:
        """Forget every rating."""
        async with self._engine.begin() as conn:
            await conn.execute(delete(rating_parents))
            await conn.execute(delete(ratings))

    @staticmethod
    async def _replace(conn: AsyncConnection, artifact_id: str, report: str, failure: str | None, at: datetime) -> None:
        """Upsert the row first — it locks the rating, so concurrent writes of one model queue behind each other
        instead of deadlocking on its parents — then clear the parents the new version will list."""
        values = {"artifact_id": artifact_id, "report": report, "failure": failure, "rated_at": at}
        statement = _insert(conn, ratings).values(**values)
        await conn.execute(
            statement.on_conflict_do_update(
                index_elements=[ratings.c.artifact_id],
                set_={"report": statement.excluded.report, "failure": statement.excluded.failure,
                      "rated_at": statement.excluded.rated_at},
            )
        )  # fmt: skip
        await conn.execute(delete(rating_parents).where(rating_parents.c.child_id == artifact_id))


def _insert(conn: AsyncConnection, table: Table) -> "SqliteInsert | PostgresqlInsert":
    """An ``INSERT`` that takes ``ON CONFLICT`` clauses, in the connection's dialect (PostgreSQL's module, ~2 MB, is
    imported only where the database is PostgreSQL)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert

        return insert(table)
    return sqlite_insert(table)
