"""Idempotent writes on a real nats-server and SQLite: a write sent again with its key runs once, and every attempt
gets the first outcome, whether its reply was lost, it is still running elsewhere, or its replica died mid-write
(kill -9 of a replica process of its own)."""

import asyncio
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from svckit import transport
from svckit.connection import connect
from svckit.database import create_engine
from svckit.host import EndpointHost
from svckit.transport import ServiceClient
from tests.harness import start_open_nats
from tests.svckit.write_service import EFFECTS, METADATA, REPLIES, SLOW_SECONDS, SUBJECT, Effects, Made, Make, replica

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    child, url = start_open_nats(tmp_path_factory.mktemp("idempotency"))
    yield url
    child.stop()


@pytest.fixture
async def nc(nats_url: str) -> AsyncIterator[NATS]:
    connection = await connect(nats_url, name="caller")
    yield connection
    await connection.drain()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'writes.db'}"


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    created = create_engine(database_url)
    async with created.begin() as conn:
        await conn.run_sync(METADATA.create_all)
    yield created
    await created.dispose()


@pytest.fixture(autouse=True)
def quick_resend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transport, "RETRY_AFTER_SECONDS", 0.5)


@asynccontextmanager
async def replica_process(
    nats_url: str, database_url: str, hold: str, lease: float = 3.0
) -> AsyncIterator[asyncio.subprocess.Process]:
    """A replica of the toy service in a process of its own, answering once it says so."""
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "tests.svckit.write_service", nats_url, database_url, hold, str(lease)),
        stdout=asyncio.subprocess.PIPE,
        cwd=REPO,
    )
    try:
        assert process.stdout is not None
        async with asyncio.timeout(30):
            while (line := await process.stdout.readline()) != b"ready\n":  # after its log lines
                assert line, "the replica ended before it was ready"
        yield process
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()


@asynccontextmanager
async def second_replica(nats_url: str, effects: Effects) -> AsyncIterator[EndpointHost]:
    """Another replica of the toy service, in this process, on a connection of its own."""
    connection = await connect(nats_url, name="replica-b")
    host = replica(connection, effects)
    await host.start()
    try:
        yield host
    finally:
        await host.stop()
        await connection.drain()


async def _count(engine: AsyncEngine, table: object) -> int:
    async with engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(table)) or 0)  # type: ignore[arg-type]


async def _until(check: Callable[[], object], timeout: float = 10) -> None:
    async with asyncio.timeout(timeout):
        while not await check():  # type: ignore[misc]
            await asyncio.sleep(0.02)


async def _serials(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as conn:
        return list((await conn.scalars(select(EFFECTS.c.serial))).all())


async def test_a_write_whose_reply_was_lost_is_sent_again_and_gets_the_first_answer(
    nc: NATS, nats_url: str, database_url: str, engine: AsyncEngine
) -> None:
    async with replica_process(nats_url, database_url, hold="after") as first:
        call = asyncio.create_task(ServiceClient(nc).call(SUBJECT, Make(name="x"), Made, timeout=10))
        await _until(lambda: _serials(engine))  # its effect and reply are committed; the reply never goes
        first.kill()
        await first.wait()
        effects = Effects(engine)
        async with second_replica(nats_url, effects):
            made = await call
    assert await _serials(engine) == [made.serial]  # once, and the answer is the first run's
    assert effects.runs == 0  # the other replica replayed it without running it


async def test_a_resend_while_the_first_attempt_still_runs_waits_for_its_answer(
    nc: NATS, nats_url: str, database_url: str, engine: AsyncEngine
) -> None:
    async with replica_process(nats_url, database_url, hold="slow") as _:
        started = asyncio.get_running_loop().time()
        call = asyncio.create_task(ServiceClient(nc).call(SUBJECT, Make(name="x"), Made, timeout=10))
        await _until(lambda: _count(engine, REPLIES))  # claimed: the first attempt runs
        effects = Effects(engine)
        async with second_replica(nats_url, effects):
            made = await call
    assert asyncio.get_running_loop().time() - started >= SLOW_SECONDS - 0.1  # resent at 0.5 s, answered after
    assert await _serials(engine) == [made.serial]
    assert effects.runs == 0


async def test_a_first_attempt_whose_replica_died_is_taken_over_once_its_lease_lapsed(
    nc: NATS, nats_url: str, database_url: str, engine: AsyncEngine
) -> None:
    async with replica_process(nats_url, database_url, hold="before", lease=1.0) as first:
        started = asyncio.get_running_loop().time()
        call = asyncio.create_task(ServiceClient(nc).call(SUBJECT, Make(name="x"), Made, timeout=10))
        await _until(lambda: _count(engine, REPLIES))
        first.kill()  # mid-write, holding the key's claim
        await first.wait()
        effects = Effects(engine)
        async with second_replica(nats_url, effects):
            made = await call
    took = asyncio.get_running_loop().time() - started
    assert await _serials(engine) == [made.serial]
    assert effects.runs == 1  # the other replica ran it, once, after the dead one's lease lapsed
    assert 0.9 <= took < 5, took


async def test_a_keyed_write_unanswered_is_sent_again_with_the_same_key(nc: NATS) -> None:
    """A write of ``IDEMPOTENT_WRITES`` whose replica died with it (or whose reply died with its NATS node) is sent
    again, with the idempotency key its first attempt carried; another call carries another key."""
    keys: list[str] = []

    async def answer(message: Msg) -> None:
        keys.append((message.headers or {}).get(transport.IDEMPOTENCY_KEY_HEADER, ""))
        if len(keys) % 2 == 0:  # every first attempt dies unanswered
            await message.respond(Made(name="x", serial="answered").model_dump_json().encode())

    subscription = await nc.subscribe(SUBJECT, queue="replicas", cb=answer)
    await nc.flush()
    try:
        for _ in range(2):
            assert (await ServiceClient(nc).call(SUBJECT, Make(name="x"), Made, timeout=1)).serial == "answered"
    finally:
        await subscription.unsubscribe()
    assert keys[0] == keys[1] != keys[2] == keys[3]
    assert all(len(key) == 32 for key in keys)
