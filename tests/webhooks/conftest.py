"""A real webhook store (SQLite, and PostgreSQL as a second run) and a real receiver for the webhook-svc suites."""

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.postgres import create_database, database_url, drop_database
from webhooks.adapters.engine import open_webhook_engine
from webhooks.adapters.store import SqlWebhookStore


@pytest.fixture(scope="module")
async def webhooks_postgres_url() -> AsyncIterator[str]:
    """A PostgreSQL database of these suites' own: the session's shared one also serves the e2e registry, whose
    running webhook-svc would claim the deliveries these tests make."""
    name = f"registry_webhooks_{uuid.uuid4().hex[:10]}"
    await create_database(name)
    yield database_url(name)
    await drop_database(name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty webhook store."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'webhooks.db'}"
    url: str = request.getfixturevalue("webhooks_postgres_url")
    return url


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[SqlWebhookStore]:
    """webhook-svc's store, migrated and emptied."""
    async with open_webhook_engine(store_url) as engine:
        store = SqlWebhookStore(engine)
        await store.clear()
        yield store
