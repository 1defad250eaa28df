"""``svckit.idempotency.answer_once`` over the real ``ReplyLedger`` on SQLite: which outcomes are kept and replayed,
which are dropped so a later attempt runs again, refused key reuse, and the sweep of old records."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.errors import ErrorCode, ServiceFailure
from svckit import reply_ledger
from svckit.database import create_engine
from svckit.idempotency import answer_once
from svckit.reply_ledger import ReplyLedger
from tests.svckit.write_service import METADATA, REPLIES

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
