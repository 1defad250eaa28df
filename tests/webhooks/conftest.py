"""A real webhook store (SQLite, and PostgreSQL as a second run) and a real receiver for the webhook-svc suites."""

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.postgres import create_database, database_url, drop_database
from tests.stores import MigratedStores, engine_at
from webhooks.adapters.engine import open_webhook_engine
from webhooks.adapters.store import SqlWebhookStore


@pytest.fixture(scope="module")
async def webhooks_postgres_url() -> AsyncIterator[str]:
    """A PostgreSQL database of these suites' own: the session's shared one also serves the e2e registry, whose
    running webhook-svc would claim the deliveries these tests make."""
    name = f"registry_webhooks_{uuid.uuid4().hex[:10]}"
    await create_database(name)
    async with open_webhook_engine(database_url(name)):  # migrated once: each test empties the store
        pass
    yield database_url(name)
    await drop_database(name)


@pytest.fixture
async def webhooks_sqlite_url(tmp_path: Path, migrated: MigratedStores) -> str:
    """A fresh SQLite webhook store, migrated."""
    return await migrated.copy(open_webhook_engine, tmp_path / "webhooks.db")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest) -> str:
    """The URL of a webhook store with its schema migrated (a fresh SQLite file, or the module's PostgreSQL
    database, which each test empties)."""
    url: str = request.getfixturevalue(f"webhooks_{request.param}_url")
    return url


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[SqlWebhookStore]:
    """webhook-svc's store, migrated and emptied."""
    async with engine_at(store_url) as engine:
        store = SqlWebhookStore(engine)
        await store.clear()
        yield store
