"""The gateway in this process, over the in-process bus, in front of the real catalog endpoint table on a real
SQLite store in a temporary directory.

The catalog's own collaborators (upstream, storage, lineage, scoring, events, password hashing) are the catalog's
fakes from ``tests/catalog/fakes.py``, implementations of its ports; no other service answers on the bus, so a
route backed by one answers as it does when that service is down. These tests are fast (no process, no socket to
NATS); the real-server tests in ``tests/e2e`` stay the word on the whole registry.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncEngine

from catalog.adapters.artifact_store import SqlArtifactStore
from catalog.adapters.engine import open_catalog_engine
from catalog.adapters.search_index import SearchIndex
from catalog.adapters.tables import replies
from catalog.adapters.user_store import SqlUserStore
from catalog.deps import Deps, Policy
from catalog.endpoints import catalog_endpoints
from catalog.usecases.ensure_default_admin import ensure_default_admin
from contracts.subjects import CATALOG
from gateway.app import init_app
from gateway.settings import GatewaySettings
from svckit.inprocess import InProcessBus
from svckit.reply_ledger import ReplyLedger
from svckit.transport import Bus
from tests.api import Api
from tests.catalog.fakes import FakeLineage, FakeRater, FakeStorage, FakeUpstream, FastHasher, RecordingEvents
from tests.stores import MigratedStores

PAGE_SIZE = 2  # small, so three artifacts make two pages
READMES = {f"org/model-{n}": f"# Model {n}" for n in range(5)}


@pytest.fixture
def rater() -> FakeRater:
    """The catalog's scoring port: rates every model, passes the gate, remembers what it rated."""
    return FakeRater()


@pytest.fixture
async def catalog_engine(migrated: MigratedStores, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """The catalog's database: a fresh copy of the migrated SQLite database."""
    async with migrated.open(open_catalog_engine, tmp_path / "catalog.db") as engine:
        yield engine


@pytest.fixture
async def catalog(catalog_engine: AsyncEngine, rater: FakeRater) -> Deps:
    """The catalog's dependencies: its real SQL stores, fakes for the services it calls."""
    store = SqlArtifactStore(catalog_engine)
    deps = Deps(
        artifacts=store,
        users=SqlUserStore(catalog_engine),
        upstream=FakeUpstream(READMES),
        hasher=FastHasher(),
        search=SearchIndex(store),
        events=RecordingEvents(),
        storage=FakeStorage(),
        lineage=FakeLineage(),
        scoring=rater,
        policy=Policy(page_size=PAGE_SIZE),
    )
    await ensure_default_admin(deps)
    return deps


@pytest.fixture
async def bus(catalog: Deps, catalog_engine: AsyncEngine) -> InProcessBus:
    """The in-process bus with the catalog's endpoint table on it (its keyed writes recorded as catalog-svc does)."""
    in_process = InProcessBus()
    in_process.serve(CATALOG, catalog_endpoints(catalog), ledger=ReplyLedger(catalog_engine, replies))
    return in_process


@pytest.fixture
async def gateway(bus: InProcessBus) -> AsyncIterator[Api]:
    """A client of ``init_app(settings, <the in-process bus>)`` served on a local port, not signed in."""

    @asynccontextmanager
    async def open_bus(settings: GatewaySettings) -> AsyncIterator[Bus]:
        yield bus.client(default_timeout=settings.service_timeout)

    client: TestClient[web.Request, web.Application] = TestClient(TestServer(init_app(GatewaySettings(), open_bus)))
    await client.start_server()
    yield Api(client.session, str(client.make_url("")).rstrip("/"))
    await client.close()


@pytest.fixture
async def admin(gateway: Api) -> Api:
    """The same client signed in as the default administrator."""
    await gateway.admin_token()
    return gateway
