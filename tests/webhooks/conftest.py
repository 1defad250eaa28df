"""A real webhook store (SQLite, and PostgreSQL as a second run) and a real receiver for the webhook-svc suites."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from webhooks.adapters.engine import open_webhook_engine
from webhooks.adapters.store import SqlWebhookStore


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty webhook store."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'webhooks.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[SqlWebhookStore]:
    """webhook-svc's store, migrated and emptied."""
    async with open_webhook_engine(store_url) as engine:
        store = SqlWebhookStore(engine)
        await store.clear()
        yield store
