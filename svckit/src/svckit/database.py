"""Engine creation and Alembic migrations for SQLite (default) and PostgreSQL (scale-out), for any service."""

import asyncio
import fcntl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import structlog
from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

log = structlog.get_logger()
SQLITE_CONNECTIONS = 8


@asynccontextmanager
async def open_engine(url: str, migrations: Path, lock_key: int, version_table: str) -> AsyncIterator[AsyncEngine]:
    """An engine for ``url`` with the schema in ``migrations`` applied up to its latest revision.

    ``lock_key`` serialises migrations of replicas starting together (a PostgreSQL advisory lock; a file
    lock beside a SQLite database). ``version_table`` is the service's own Alembic version table, so
    services may share one database without mixing their schema histories.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # A fixed set of connections (each is a thread of aiosqlite's): with overflow, a burst of requests opened
        # and closed a connection, and its thread, per request (measured: a third of catalog's CPU at 64 clients).
        engine = create_async_engine(url, connect_args={"timeout": 30}, pool_size=SQLITE_CONNECTIONS, max_overflow=0)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        async with _file_lock(Path(database + ".migrate.lock")):
            await _migrate(engine, migrations, lock_key, version_table)
    else:
        engine = create_async_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)
        await _migrate(engine, migrations, lock_key, version_table)
    try:
        yield engine
    finally:
        await engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


async def _migrate(engine: AsyncEngine, migrations: Path, lock_key: int, version_table: str) -> None:
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key})
        await conn.run_sync(_upgrade, migrations, version_table)
    log.info("schema_migrated", dialect=engine.dialect.name, migrations=migrations.parent.parent.name)


def _upgrade(connection: Connection, migrations: Path, version_table: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(migrations))
    config.attributes["version_table"] = version_table
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


@asynccontextmanager
async def _file_lock(path: Path) -> AsyncIterator[None]:
    """Serialise migrations of one SQLite file across replicas starting together."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        await asyncio.to_thread(fcntl.flock, handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def run_migrations_in_env() -> None:
    """Body of every service's Alembic ``env.py``: migrate on the connection ``open_engine`` handed over."""
    from alembic import context

    connection = context.config.attributes["connection"]
    context.configure(
        connection=connection,
        render_as_batch=connection.dialect.name == "sqlite",
        version_table=context.config.attributes["version_table"],
    )
    with context.begin_transaction():
        context.run_migrations()
