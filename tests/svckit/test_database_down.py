"""A PostgreSQL server that goes away and comes back: the errors it causes are told apart from refused queries
(so a service answers 503, not 500, while it is down), and the engine's pool works again once it is back."""

from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from stack.ports import in_use
from svckit.database import create_engine, database_unreachable
from tests.stack.pgserver import PrivatePostgres


@pytest.fixture(scope="module")
def started_once() -> Iterator[PrivatePostgres]:
    """One server for the module (initdb and a first start cost more than the tests)."""
    postgres = PrivatePostgres()
    postgres.start()
    yield postgres
    postgres.close()


@pytest.fixture
def server(started_once: PrivatePostgres) -> PrivatePostgres:
    """The module's server, running: started again if a test before left it stopped."""
    if not in_use(started_once.port):
        started_once.start()
    return started_once


async def _one(engine: AsyncEngine, sql: str = "SELECT 1") -> object:
    async with engine.connect() as connection:
        return (await connection.execute(text(sql))).scalar()


async def _failure(engine: AsyncEngine, sql: str = "SELECT 1") -> BaseException:
    with pytest.raises((DBAPIError, OSError)) as caught:  # SQLAlchemy's wrap of the driver's, or the socket's
        await _one(engine, sql)
    return caught.value


async def test_a_stopped_server_is_unreachable_and_a_restarted_one_is_used_again(server: PrivatePostgres) -> None:
    engine = create_engine(server.url("postgres"))
    try:
        assert await _one(engine) == 1  # a pooled connection exists when the server goes
        server.stop()
        down = await _failure(engine)
        assert database_unreachable(down), repr(down)
        assert database_unreachable(await _failure(engine)), "a new connection is refused"
        server.start()
        assert await _one(engine) == 1
    finally:
        await engine.dispose()


async def test_a_refused_query_is_not_an_unreachable_server(server: PrivatePostgres) -> None:
    engine = create_engine(server.url("postgres"))
    try:
        assert not database_unreachable(await _failure(engine, "SELEC 1"))
        assert not database_unreachable(await _failure(engine, "SELECT * FROM no_such_table"))
        assert not database_unreachable(await _failure(engine, "SELECT 1/0"))
    finally:
        await engine.dispose()
