"""Engine creation and Alembic migrations for SQLite (default) and PostgreSQL (scale-out), for any service.

Migrations run in a short-lived process of their own (``python -m svckit.migrate``) which the service waits for:
Alembic, and Mako beneath it, are ~130 modules, some 10 MB a service would otherwise hold for its whole life after
a few milliseconds of work at start.
"""

import asyncio
import fcntl
import json
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

log = structlog.get_logger()
SQLITE_CONNECTIONS = 8
OUTPUT_TAIL = 4000


# SQLSTATE classes and codes of a server that is gone, going or not back yet: connection exceptions (08),
# admin/crash shutdown and "the database system is starting up" (57P01-57P03).
_UNREACHABLE_STATES = ("08", "57P01", "57P02", "57P03")


def database_unreachable(error: BaseException) -> bool:
    """True when ``error`` (or what caused it) says the database server cannot be reached now, as opposed to a
    query it refused: a refused or cut connection, or a server shutting down or starting up."""
    seen: BaseException | None = error
    for _ in range(8):  # SQLAlchemy wraps the driver's error, which may wrap the socket's
        if seen is None:
            return False
        if isinstance(seen, ConnectionError | TimeoutError) or getattr(seen, "connection_invalidated", False):
            return True
        state = str(getattr(seen, "sqlstate", "") or "")
        if state.startswith(_UNREACHABLE_STATES):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class MigrationFailed(RuntimeError):
    """The migration process ended with an error (the end of its output is in the message)."""


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
        if database in ("", ":memory:"):
            raise ValueError("an in-memory SQLite database cannot be migrated by another process: give a file")
        Path(database).parent.mkdir(parents=True, exist_ok=True)
        async with _file_lock(Path(database + ".migrate.lock")):
            await migrate_apart(url, migrations, lock_key, version_table)
    else:
        await migrate_apart(url, migrations, lock_key, version_table)
    engine = create_engine(url)
    try:
        yield engine
    finally:
        await engine.dispose()


def create_engine(url: str) -> AsyncEngine:
    """An engine for ``url``: SQLite in WAL mode on a fixed set of connections, or PostgreSQL pooled."""
    if make_url(url).get_backend_name() == "sqlite":
        # A fixed set of connections (each is a thread of aiosqlite's): with overflow, a burst of requests opened
        # and closed a connection, and its thread, per request (measured: a third of catalog's CPU at 64 clients).
        engine = create_async_engine(url, connect_args={"timeout": 30}, pool_size=SQLITE_CONNECTIONS, max_overflow=0)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


async def migrate_apart(url: str, migrations: Path, lock_key: int, version_table: str) -> None:
    """``migrate`` in a ``python -m svckit.migrate`` process, waited for; ``MigrationFailed`` when it fails.

    The request goes on the child's stdin: a database url may hold a password, which argv would show to every user.
    """
    request = {"url": url, "migrations": str(migrations), "lock_key": lock_key, "version_table": version_table}
    started = time.monotonic()
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "svckit.migrate",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        output, _ = await child.communicate(json.dumps(request).encode())
    except BaseException:  # cancelled (the service is stopping): the migration stops with it
        if child.returncode is None:
            child.kill()
            await child.wait()
        raise
    if child.returncode != 0:
        tail = output[-OUTPUT_TAIL:].decode("utf-8", "replace")
        raise MigrationFailed(f"migrating with {migrations} failed (exit {child.returncode}):\n{tail}")
    log.info(
        "schema_migrated",
        dialect=make_url(url).get_backend_name(),
        migrations=migrations.parent.parent.name,
        seconds=round(time.monotonic() - started, 3),
    )


async def migrate(url: str, migrations: Path, lock_key: int, version_table: str) -> None:
    """Apply ``migrations`` to ``url`` up to their latest revision, in this process (``python -m svckit.migrate``)."""
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key})
            await conn.run_sync(_upgrade, migrations, version_table)
    finally:
        await engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _upgrade(connection: Connection, migrations: Path, version_table: str) -> None:
    from alembic import command
    from alembic.config import Config

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
