"""End-to-end fixtures: a whole registry (NATS, catalog-svc, gateway) per database backend."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest

from tests.api import Api
from tests.harness import RegistryStack, running_registry


@pytest.fixture(scope="package", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def registry(request: pytest.FixtureRequest, workdir: Path, mirror_url: str) -> Iterator[RegistryStack]:
    """A running registry on SQLite and, as a second run of every test, on PostgreSQL."""
    backend = request.param
    database_url = request.getfixturevalue("postgres_url") if backend == "postgres" else None
    small_pages = {"CATALOG_PAGE_SIZE": "5", "CATALOG_MAX_QUERY_RESULTS": "30"}
    with running_registry(workdir / backend, mirror_url, database_url=database_url, extra_env=small_pages) as stack:
        yield stack


@pytest.fixture(scope="package")
def gated_registry(workdir: Path, mirror_url: str) -> Iterator[RegistryStack]:
    """A registry (SQLite) whose scoring-svc runs the default quality gate (the shared one runs with it off), so a
    model can be refused: test_quality_gate's and the refusal's webhook in test_webhooks; each test resets it."""
    with running_registry(workdir / "gated", mirror_url, extra_env={"SCORING_GATE": "true"}) as stack:
        yield stack


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests of a module marked ``any_backend`` (URL checks, sandboxing, pickle scans, HTTP edge cases: nothing the
    database decides) run on the SQLite registry only; every other test runs on both backends."""
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("registry") == "postgres"
        (dropped if on_postgres and item.get_closest_marker("any_backend") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session")
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """One HTTP client session for the whole run."""
    async with aiohttp.ClientSession() as client:
        yield client


@pytest.fixture
async def api(registry: RegistryStack, session: aiohttp.ClientSession) -> Api:
    """A client logged in as the default admin, against a freshly reset registry."""
    client = Api(session, registry.base_url)
    await client.admin_token()
    reply = await client.call("DELETE", "/reset")
    assert reply.status == 200, reply.body
    return client
