"""The answering service's record of idempotent writes: one row per (subject, idempotency key).

A row is first a claim (an owner token and a short lease, renewed while the owner's handler runs), then, once
settled, the outcome a resend gets replayed: the encoded reply, or a refusal's code and message. Each service keeps
its rows in its own database (``reply_table`` in its tables, created by its own migration). A claim whose lease
lapsed (its replica died) is taken over by the next attempt; settling is fenced by the owner token, so of two
attempts that both ran, only the owner's outcome is kept, and an effect settled in its own transaction
(``svckit.idempotency.settle_within``) is rolled back when it lost its claim. Leases are the replicas' wall-clock
times (keep the hosts' clocks in sync): a skewed clock moves when a claim may be taken over, never whether a write
runs twice, which the owner token decides.
"""

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    insert,
    select,
)
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from contracts.errors import ErrorCode, ServiceFailure

LEASE_SECONDS = 3.0  # a claim not renewed this long belongs to an attempt that died: the next one takes it over
KEEP_SECONDS = 3600.0  # how long settled outcomes are replayed; older rows are swept
SWEEP_EVERY_SECONDS = 60.0


def reply_table(metadata: MetaData, name: str) -> Table:
    """The ledger's table in a service's metadata (its migration creates the same columns), under a name no other
    service's tables use: services may share one database."""
    return Table(
        name,
        metadata,
        Column("subject", String(128), primary_key=True),
        Column("key", String(200), primary_key=True),
        Column("fingerprint", String(64), nullable=False),  # sha256 of the request payload
        Column("owner", String(32), nullable=False),  # the attempt holding the claim, or the one that settled it
        Column("lease_until", Float, nullable=False),  # epoch seconds
        Column("created_at", Float, nullable=False),
        Column("settled", Boolean, nullable=False),
        Column("code", Integer, nullable=True),  # a refusal's error code; NULL with a reply
        Column("reply", Text, nullable=True),  # the encoded reply or the refusal's message
        Index(f"ix_{name}_created_at", "created_at"),
    )


def fingerprint(payload: bytes) -> str:
    """What a key's later attempts must match: the same request, byte for byte."""
    return hashlib.sha256(payload).hexdigest()


@dataclass(frozen=True)
class Outcome:
    """A settled write: the encoded reply (``code`` None) or a refusal's code and message."""

    code: int | None
    body: str

    def replay(self) -> bytes:
        """The reply again, or the refusal raised again."""
        if self.code is None:
            return self.body.encode()
        raise ServiceFailure(ErrorCode(self.code), self.body)


@dataclass(frozen=True)
class Ticket:
    """One attempt's claim on a key."""

    ledger: "ReplyLedger"
    subject: str
    key: str
    owner: str


class ReplyLedger:
    """Claims and outcomes of idempotent writes in one service's database."""

    def __init__(self, engine: AsyncEngine, table: Table, *, clock: Callable[[], float] = time.time) -> None:
        self._engine = engine
        self.table = table
        self._clock = clock
        self._swept_at = 0.0

    async def claim(self, subject: str, key: str, payload_print: str) -> Ticket | Outcome | None:
        """This attempt's ticket to run the write; its outcome when settled; None while another attempt holds a live
        claim. A key used before with a different request is a 409. Looks before it inserts: an attempt waiting for
        another's outcome asks again and again, with one cheap read each time."""
        await self._sweep_now_and_then()
        owner, now = secrets.token_hex(8), self._clock()
        async with self._engine.begin() as conn:
            row = (await conn.execute(select(self.table).where(*self._of(subject, key)))).first()
            if row is not None:
                if row.fingerprint != payload_print:
                    raise ServiceFailure(ErrorCode.CONFLICT, "This idempotency key was used with a different request.")
                if row.settled:
                    return Outcome(row.code, row.reply)
                if row.lease_until >= now:
                    return None
                taken = await conn.execute(  # the lease lapsed: its attempt died; take the claim over
                    sql_update(self.table)
                    .where(*self._of(subject, key), self.table.c.owner == row.owner, self.table.c.settled.is_(False))
                    .values(owner=owner, lease_until=now + LEASE_SECONDS)
                )
                return Ticket(self, subject, key, owner) if taken.rowcount == 1 else None
        try:
            async with self._engine.begin() as conn:
                await conn.execute(
                    insert(self.table).values(
                        subject=subject,
                        key=key,
                        fingerprint=payload_print,
                        owner=owner,
                        lease_until=now + LEASE_SECONDS,
                        created_at=now,
                        settled=False,
                    )
                )
        except IntegrityError:
            return None  # another attempt claimed it first: ask again
        return Ticket(self, subject, key, owner)

    async def renew(self, ticket: Ticket) -> bool:
        """Extend the ticket's lease; False when it is no longer the owner's or already settled."""
        async with self._engine.begin() as conn:
            result = await conn.execute(
                sql_update(self.table).where(*self._owned(ticket)).values(lease_until=self._clock() + LEASE_SECONDS)
            )
        return bool(result.rowcount == 1)

    async def settle(self, ticket: Ticket, outcome: Outcome, conn: AsyncConnection | None = None) -> bool:
        """Record ``outcome`` for the ticket's key, in ``conn``'s transaction when given (with the effect itself);
        False when the claim is no longer the ticket's (taken over) or already settled."""
        statement = (
            sql_update(self.table)
            .where(*self._owned(ticket))
            .values(settled=True, code=outcome.code, reply=outcome.body)
        )
        if conn is not None:
            result = await conn.execute(statement)
        else:
            async with self._engine.begin() as own:
                result = await own.execute(statement)
        return bool(result.rowcount == 1)

    async def settled_outcome(self, ticket: Ticket) -> Outcome | None:
        """The outcome the ticket's own attempt settled (with its effect), or None."""
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(self.table).where(*self._of(ticket.subject, ticket.key)))).first()
        if row is None or not row.settled or row.owner != ticket.owner:
            return None
        return Outcome(row.code, row.reply)

    async def release(self, ticket: Ticket) -> bool:
        """Drop an unsettled claim (the attempt failed without effect, or may be tried again); False when it is no
        longer the ticket's."""
        async with self._engine.begin() as conn:
            result = await conn.execute(delete(self.table).where(*self._owned(ticket)))
        return bool(result.rowcount == 1)

    async def sweep(self) -> int:
        """Forget outcomes older than ``KEEP_SECONDS``; how many rows went."""
        async with self._engine.begin() as conn:
            result = await conn.execute(
                delete(self.table).where(self.table.c.created_at < self._clock() - KEEP_SECONDS)
            )
        self._swept_at = self._clock()
        return int(result.rowcount or 0)

    async def _sweep_now_and_then(self) -> None:
        if self._clock() - self._swept_at >= SWEEP_EVERY_SECONDS:
            await self.sweep()

    def _of(self, subject: str, key: str) -> tuple[ColumnElement[bool], ...]:
        return (self.table.c.subject == subject, self.table.c.key == key)

    def _owned(self, ticket: Ticket) -> tuple[ColumnElement[bool], ...]:
        return (
            *self._of(ticket.subject, ticket.key),
            self.table.c.owner == ticket.owner,
            self.table.c.settled.is_(False),
        )
