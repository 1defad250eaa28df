"""lineage-svc's graph database, migrated with its own Alembic scripts."""

from contextlib import AbstractAsyncContextManager

from sqlalchemy.ext.asyncio import AsyncEngine

from lineage.adapters.migrations import MIGRATION_LOCK, MIGRATIONS
from svckit.database import open_engine


def open_graph_engine(url: str) -> AbstractAsyncContextManager[AsyncEngine]:
    """An engine for the lineage store at ``url``, schema up to date."""
    return open_engine(url, MIGRATIONS, MIGRATION_LOCK, "lineage_schema_version")
