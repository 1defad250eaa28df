"""The catalog's database engine, migrated with the catalog's own Alembic scripts."""

from contextlib import AbstractAsyncContextManager

from sqlalchemy.ext.asyncio import AsyncEngine

from catalog.adapters.migrations import MIGRATION_LOCK, MIGRATIONS
from svckit.database import open_engine


def open_catalog_engine(url: str) -> AbstractAsyncContextManager[AsyncEngine]:
    """An engine for the catalog store at ``url``, schema up to date."""
    return open_engine(url, MIGRATIONS, MIGRATION_LOCK, "catalog_schema_version")
