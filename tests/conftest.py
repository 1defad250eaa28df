"""Session-wide real servers shared by the suites: the upstream mirror and a PostgreSQL database."""

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from tests.harness import start_mirror

POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A temporary directory for this test session's servers and logs."""
    return tmp_path_factory.mktemp("registry")


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
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    yield f"{base}/{name}"
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()
