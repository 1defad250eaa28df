"""Schemas are migrated by a process of their own, so a service never holds Alembic after it starts."""

import subprocess
import sys
from pathlib import Path

import pytest

from svckit.database import MigrationFailed, open_engine

# What a service does at start (catalog-svc here), then what it holds.
SERVICE_OPENING_ITS_STORE = """
import asyncio, sys
from sqlalchemy import text
from catalog.adapters.engine import open_catalog_engine

async def main() -> None:
    async with open_catalog_engine(sys.argv[1]) as engine, engine.connect() as conn:
        print("artifacts:", (await conn.execute(text("SELECT count(*) FROM artifacts"))).scalar_one())
    print("alembic modules:", sorted(name for name in sys.modules if name.split(".")[0] in ("alembic", "mako")))

asyncio.run(main())
"""
FAILING_REVISION = """
revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    raise RuntimeError("revision 0001 refuses to run")
"""


def test_a_service_gets_a_migrated_schema_without_ever_importing_alembic(tmp_path: Path) -> None:
    argv = [sys.executable, "-c", SERVICE_OPENING_ITS_STORE, f"sqlite+aiosqlite:///{tmp_path / 'catalog.db'}"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.splitlines()[-2:] == ["artifacts: 0", "alembic modules: []"]  # after its log line


async def test_a_failing_migration_raises_with_the_migration_output(tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    (migrations / "versions").mkdir(parents=True)
    (migrations / "env.py").write_text("from svckit.database import run_migrations_in_env\n\nrun_migrations_in_env()\n")
    (migrations / "versions" / "0001_fails.py").write_text(FAILING_REVISION)
    with pytest.raises(MigrationFailed, match="revision 0001 refuses to run"):
        async with open_engine(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}", migrations, 1, "test_version"):
            pass


@pytest.mark.parametrize("url", ["sqlite+aiosqlite://", "sqlite+aiosqlite:///:memory:"])
async def test_an_in_memory_sqlite_database_is_refused(url: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="in-memory SQLite"):
        async with open_engine(url, tmp_path, 1, "test_version"):
            pass
