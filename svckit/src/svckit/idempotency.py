"""Writes that may be sent twice (``contracts.subjects.IDEMPOTENT_WRITES``): each attempt carries the caller's
idempotency key, and the answering service runs the write once per key and replays its outcome to every later
attempt.

``answer_once`` is the answering side: it claims the key in the service's ``ReplyLedger``, runs the handler while
renewing the claim's lease, and records the outcome. An attempt that finds the key settled gets the outcome
replayed; one that finds it claimed by an attempt still running (on another replica) waits for that outcome; one
that finds a lapsed claim (its replica died) takes it over and runs the write. A store settles the claim in the
same transaction as the write's effect with ``settle_within``, so the effect and its recorded reply commit together
or not at all; a refusal (4xx) is recorded after the handler, as it changed nothing.
"""

import asyncio
import contextlib
import contextvars
import time
from collections.abc import Awaitable, Callable

import structlog
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.base import Contract
from contracts.errors import ErrorCode, ServiceFailure
from svckit import reply_ledger
from svckit.reply_ledger import Outcome, ReplyLedger, Ticket, fingerprint

POLL_SECONDS = 0.2  # between looks at a key another attempt holds
WAIT_LIMIT_SECONDS = 30.0  # the longest an attempt waits for another's outcome (callers wait 10 s by default)

log = structlog.get_logger()
_current: contextvars.ContextVar[Ticket | None] = contextvars.ContextVar("idempotency_ticket", default=None)
# What the running attempt's store recorded with the effect (``settle_within``): the attempt then replays it without
# asking the ledger again. A list, shared with tasks the handler starts (they see a copy of the context).
_recorded: contextvars.ContextVar[list[Outcome] | None] = contextvars.ContextVar("idempotency_recorded", default=None)


class LostClaim(Exception):
    """Another attempt took the key over (this one's lease had lapsed): this attempt's effect must not stay."""


async def settle_within(conn: AsyncConnection, reply: Contract) -> None:
    """Record ``reply`` as the outcome of the idempotent write running in this task, in ``conn``'s transaction (the
    one that carries the write's effect, on the ledger's database); nothing when no such write is running. Raises
    ``LostClaim`` when another attempt took the key over, which rolls the transaction back."""
    ticket = _current.get()
    if ticket is None:
        return
    outcome = Outcome(None, reply.model_dump_json())
    if not await ticket.ledger.settle(ticket, outcome, conn):
        raise LostClaim(f"{ticket.subject} {ticket.key}")
    recorded = _recorded.get()
    if recorded is not None:
        recorded.append(outcome)


async def answer_once(
    ledger: ReplyLedger, subject: str, key: str, payload: bytes, run: Callable[[], Awaitable[bytes]]
) -> bytes:
    """The encoded reply of the write ``payload`` under ``key``: ``run()``'s, for the attempt that runs it, or the
    recorded outcome replayed (a refusal raised again as its ``ServiceFailure``)."""
    payload_print = fingerprint(payload)
    deadline = time.monotonic() + WAIT_LIMIT_SECONDS
    waited = False
    while True:
        claimed = await ledger.claim(subject, key, payload_print)
        if isinstance(claimed, Outcome):
            log.info("write_replayed", key=key, waited=waited)
            return claimed.replay()
        if isinstance(claimed, Ticket):
            if waited:
                log.info("write_taken_over", key=key)
            try:
                return await _run(claimed, run)
            except LostClaim:
                log.warning("write_claim_lost", key=key)
        if time.monotonic() >= deadline:
            raise ServiceFailure(ErrorCode.TIMEOUT, "An earlier attempt of this request is still running.")
        waited = True
        await asyncio.sleep(POLL_SECONDS)


async def _run(ticket: Ticket, run: Callable[[], Awaitable[bytes]]) -> bytes:
    """Run the write holding ``ticket``, then record its outcome unless its store already did (with the effect).
    ``LostClaim`` when another attempt took the key over meanwhile: its outcome is the one to replay."""
    token = _current.set(ticket)
    recorded: list[Outcome] = []
    recorded_token = _recorded.set(recorded)
    renewing = asyncio.create_task(_renew(ticket))
    try:
        reply = await run()
    except ServiceFailure as failure:
        if failure.code < ErrorCode.INTERNAL:
            return await _finish(ticket, Outcome(int(failure.code), failure.message))
        # nothing to keep (a crash, the database down): a later attempt runs it again
        if await ticket.ledger.release(ticket):
            raise
        return await _finish(ticket, None)
    finally:
        renewing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewing
        _current.reset(token)
        _recorded.reset(recorded_token)
    if recorded:  # the store recorded the outcome with the effect, which committed: nothing more to write or read
        return recorded[-1].replay()
    return await _finish(ticket, Outcome(None, reply.decode()))


async def _finish(ticket: Ticket, outcome: Outcome | None) -> bytes:
    """Record ``outcome`` (None: none to record) unless the store did with the effect, and replay what is recorded
    for this attempt; ``LostClaim`` when the key is another attempt's."""
    if outcome is not None and await ticket.ledger.settle(ticket, outcome):
        return outcome.replay()
    recorded = await ticket.ledger.settled_outcome(ticket)
    if recorded is None:
        raise LostClaim(ticket.key)
    return recorded.replay()


async def _renew(ticket: Ticket) -> None:
    """Keep the claim alive while its handler runs."""
    while True:
        await asyncio.sleep(reply_ledger.LEASE_SECONDS / 3)
        try:
            if not await ticket.ledger.renew(ticket):
                return
        except Exception as error:  # the database hiccuped: the next renewal may pass, the lease has slack
            log.warning("write_lease_not_renewed", key=ticket.key, error=type(error).__name__)
