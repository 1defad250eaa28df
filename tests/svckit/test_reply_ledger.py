"""``svckit.idempotency.answer_once`` over the real ``ReplyLedger`` on SQLite: which outcomes are kept and replayed,
which are dropped so a later attempt runs again, refused key reuse, and the sweep of old records."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from contracts.errors import ErrorCode, ServiceFailure
from svckit import reply_ledger
from svckit.database import create_engine
from svckit.idempotency import answer_once
from svckit.reply_ledger import Outcome, ReplyLedger, Ticket
from tests.svckit.write_service import METADATA, REPLIES, Effects, Make

SUBJECT = "writes.make"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    created = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'ledger.db'}")
    async with created.begin() as conn:
        await conn.run_sync(METADATA.create_all)
    yield created
    await created.dispose()


class Handler:
    """A write answering ``replies`` in turn (a ``ServiceFailure`` is raised), counting its runs."""

    def __init__(self, *replies: bytes | ServiceFailure) -> None:
        self.replies = list(replies)
        self.runs = 0

    async def __call__(self) -> bytes:
        self.runs += 1
        reply = self.replies.pop(0)
        if isinstance(reply, ServiceFailure):
            raise reply
        return reply


async def test_a_reply_is_kept_and_replayed_without_running_again(engine: AsyncEngine) -> None:
    ledger = ReplyLedger(engine, REPLIES)
    handler = Handler(b'{"n": 1}', b'{"n": 2}')
    first = await answer_once(ledger, SUBJECT, "k", b"payload", handler)
    again = await answer_once(ledger, SUBJECT, "k", b"payload", handler)
    assert (first, again, handler.runs) == (b'{"n": 1}', b'{"n": 1}', 1)


async def test_a_refusal_is_kept_and_raised_again(engine: AsyncEngine) -> None:
    ledger = ReplyLedger(engine, REPLIES)
    handler = Handler(ServiceFailure(ErrorCode.CONFLICT, "taken"), b"{}")
    for _ in range(2):
        with pytest.raises(ServiceFailure) as caught:
            await answer_once(ledger, SUBJECT, "k", b"payload", handler)
        assert (caught.value.code, caught.value.message) == (ErrorCode.CONFLICT, "taken")
    assert handler.runs == 1


async def test_a_server_failure_is_not_kept_so_a_later_attempt_runs_it(engine: AsyncEngine) -> None:
    ledger = ReplyLedger(engine, REPLIES)
    handler = Handler(ServiceFailure(ErrorCode.UNAVAILABLE, "database down"), b'{"n": 2}')
    with pytest.raises(ServiceFailure):
        await answer_once(ledger, SUBJECT, "k", b"payload", handler)
    assert await answer_once(ledger, SUBJECT, "k", b"payload", handler) == b'{"n": 2}'
    assert handler.runs == 2


async def test_a_key_reused_for_another_request_is_a_conflict(engine: AsyncEngine) -> None:
    ledger = ReplyLedger(engine, REPLIES)
    handler = Handler(b"{}", b"{}")
    await answer_once(ledger, SUBJECT, "k", b"payload", handler)
    with pytest.raises(ServiceFailure) as caught:
        await answer_once(ledger, SUBJECT, "k", b"another payload", handler)
    assert caught.value.code is ErrorCode.CONFLICT
    assert handler.runs == 1
    assert await answer_once(ledger, "writes.other", "k", b"another payload", handler) == b"{}"  # keys per subject


async def test_records_older_than_an_hour_are_swept(engine: AsyncEngine) -> None:
    clock = Clock()
    ledger = ReplyLedger(engine, REPLIES, clock=clock)
    await answer_once(ledger, SUBJECT, "old", b"payload", Handler(b"{}"))
    clock.now += reply_ledger.KEEP_SECONDS - 1
    await answer_once(ledger, SUBJECT, "recent", b"payload", Handler(b"{}"))
    clock.now += 2
    assert await ledger.sweep() == 1
    async with engine.connect() as conn:
        assert list((await conn.scalars(select(REPLIES.c.key))).all()) == ["recent"]
        assert await conn.scalar(select(func.count()).select_from(REPLIES)) == 1


class CountingLedger(ReplyLedger):
    """The real ledger, noting each time it records or reads an outcome."""

    calls: list[str]

    async def settle(self, ticket: Ticket, outcome: Outcome, conn: AsyncConnection | None = None) -> bool:
        self.calls.append("settle" if conn is None else "settle with the effect")
        return await super().settle(ticket, outcome, conn)

    async def settled_outcome(self, ticket: Ticket) -> Outcome | None:
        self.calls.append("settled_outcome")
        return await super().settled_outcome(ticket)


async def test_an_outcome_recorded_with_the_effect_is_neither_written_nor_read_again(engine: AsyncEngine) -> None:
    ledger = CountingLedger(engine, REPLIES)
    ledger.calls = []
    effects = Effects(engine)

    async def run() -> bytes:
        return (await effects.make(Make(name="once"))).model_dump_json().encode()

    first = await answer_once(ledger, SUBJECT, "k", b"payload", run)
    assert ledger.calls == ["settle with the effect"]
    assert await answer_once(ledger, SUBJECT, "k", b"payload", run) == first and effects.runs == 1
