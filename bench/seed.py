"""Seed the catalog's SQLite database directly, before catalog-svc starts, in one transaction."""

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, update

from bench.corpus import SeedArtifact
from catalog.adapters.artifact_store import REVISION_KEY
from catalog.adapters.engine import open_catalog_engine
from catalog.adapters.tables import artifacts, readmes, state
from contracts.artifacts import ArtifactType


@dataclass(frozen=True)
class Seeded:
    """What was seeded: the (type, id) of every artifact and the database file."""

    keys: list[tuple[ArtifactType, str]]
    database: Path
    readme_bytes: int


def database_path(data_dir: Path) -> Path:
    """Where catalog-svc keeps its SQLite file (``CatalogSettings.database_url``'s default)."""
    return (data_dir / "catalog" / "catalog.db").resolve()


async def seed(data_dir: Path, items: list[SeedArtifact]) -> Seeded:
    """Migrate the schema with the catalog's own adapter, then bulk-insert ``items`` and the revision row."""
    database = database_path(data_dir)
    now = datetime.now(UTC)
    rows = [
        {
            "id": item.id,
            "type": item.type.value,
            "name": item.name,
            "url": item.url,
            "created_at": now,
            "updated_at": now,
        }
        for item in items
    ]
    async with open_catalog_engine(f"sqlite+aiosqlite:///{database}") as engine, engine.begin() as conn:
        if rows:
            await conn.execute(insert(artifacts), rows)
            await conn.execute(insert(readmes), [{"artifact_id": i.id, "readme": i.readme} for i in items])
        bumped = await conn.execute(
            update(state).where(state.c.key == REVISION_KEY).values(value=state.c.value + len(rows))
        )
        if bumped.rowcount == 0:
            await conn.execute(insert(state).values(key=REVISION_KEY, value=max(len(rows), 1)))
    return Seeded(
        keys=[(item.type, item.id) for item in items],
        database=database,
        readme_bytes=sum(len(item.readme.encode()) for item in items),
    )
