"""scoring-svc's rating database, migrated with its own Alembic scripts."""

from contextlib import AbstractAsyncContextManager

from sqlalchemy.ext.asyncio import AsyncEngine

from scoring.adapters.migrations import MIGRATION_LOCK, MIGRATIONS
from svckit.database import open_engine


def open_rating_engine(url: str) -> AbstractAsyncContextManager[AsyncEngine]:
    """An engine for the rating store at ``url``, schema up to date."""
    return open_engine(url, MIGRATIONS, MIGRATION_LOCK, "scoring_schema_version")
