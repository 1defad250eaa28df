"""webhook-svc's database, migrated with its own Alembic scripts."""

from contextlib import AbstractAsyncContextManager

from sqlalchemy.ext.asyncio import AsyncEngine

from svckit.database import open_engine
from webhooks.adapters.migrations import MIGRATION_LOCK, MIGRATIONS


def open_webhook_engine(url: str) -> AbstractAsyncContextManager[AsyncEngine]:
    """An engine for the webhook store at ``url``, schema up to date."""
    return open_engine(url, MIGRATIONS, MIGRATION_LOCK, "webhooks_schema_version")
