"""storage-svc's index database, migrated with its own Alembic scripts."""

from contextlib import AbstractAsyncContextManager

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.adapters.migrations import MIGRATION_LOCK, MIGRATIONS
from svckit.database import open_engine


def open_index_engine(url: str) -> AbstractAsyncContextManager[AsyncEngine]:
    """An engine for the storage index at ``url``, schema up to date."""
    return open_engine(url, MIGRATIONS, MIGRATION_LOCK, "storage_schema_version")
