"""Session-wide real servers shared by the suites: the upstream mirror and a PostgreSQL database; and the migrated
SQLite store templates (tests/stores.py)."""

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.harness import start_mirror
from tests.postgres import create_database, database_url, drop_database
from tests.stores import MigratedStores


@pytest.fixture(scope="session")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A temporary directory for this test session's servers and logs."""
    return tmp_path_factory.mktemp("registry")


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> MigratedStores:
    """Empty SQLite stores of each service's schema, migrated once per session and copied per test."""
    return MigratedStores(tmp_path_factory.mktemp("migrated"))


@pytest.fixture(scope="session")
def mirror_url(workdir: Path) -> Iterator[str]:
    """Base URL of the Hugging Face / GitHub mirror (``/hf`` and ``/gh`` below it)."""
    child, url = start_mirror(workdir)
    yield url
    child.stop()


@pytest.fixture(scope="session")
async def postgres_url() -> AsyncIterator[str]:
    """A fresh PostgreSQL database on the local server, dropped at the end of the session."""
    name = f"registry_test_{uuid.uuid4().hex[:12]}"
    await create_database(name)
    yield database_url(name)
    await drop_database(name)
