"""A toy service with one idempotent write, for the idempotency tests: ``Make`` adds a row to ``effects`` and
records its reply in the same transaction (``svckit.idempotency.settle_within``), as the catalog's user writes do.
``python -m tests.svckit.write_service NATS_URL DATABASE_URL HOLD LEASE`` runs it as a replica of its own, which a
test may kill -9 mid-write; it prints ``ready`` once it answers."""

import asyncio
import sys
import uuid

from nats.aio.client import Client as NATS
from prometheus_client import CollectorRegistry
from sqlalchemy import Column, Integer, MetaData, String, Table, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts import subjects
from contracts.base import Contract
from svckit import reply_ledger
from svckit.connection import connect
from svckit.database import create_engine
from svckit.host import Endpoint, EndpointHost
from svckit.idempotency import settle_within
from svckit.metrics import EndpointMetrics
from svckit.reply_ledger import ReplyLedger, reply_table

SUBJECT = subjects.USER_CREATE  # any subject of ``IDEMPOTENT_WRITES``: the transport keys and resends it
SLOW_SECONDS = 1.5

METADATA = MetaData()
REPLIES = reply_table(METADATA, "replies")
EFFECTS = Table(
    "effects",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),  # a write run twice leaves two rows
    Column("name", String(64), nullable=False),
    Column("serial", String(32), nullable=False),
)


class Make(Contract):
    name: str


class Made(Contract):
    name: str
    serial: str  # new on every run: the reply a caller gets names the run that answered it


class Effects:
    """The write's handler; its first run may ``hold``: "before" its effect (forever), "after" it (forever: its
    reply never goes), or "slow" (``SLOW_SECONDS`` before its effect)."""

    def __init__(self, engine: AsyncEngine, hold: str = "none") -> None:
        self.engine = engine
        self.hold = hold
        self.runs = 0

    async def make(self, request: Make) -> Made:
        self.runs += 1
        first = self.runs == 1
        if first and self.hold == "before":
            await asyncio.Event().wait()
        if first and self.hold == "slow":
            await asyncio.sleep(SLOW_SECONDS)
        reply = Made(name=request.name, serial=uuid.uuid4().hex)
        async with self.engine.begin() as conn:
            await conn.execute(insert(EFFECTS).values(name=request.name, serial=reply.serial))
            await settle_within(conn, reply)
        if first and self.hold == "after":
            await asyncio.Event().wait()
        return reply


def replica(nc: NATS, effects: Effects) -> EndpointHost:
    """A replica of the toy service on ``nc``, recording outcomes in ``effects``' database."""
    return EndpointHost(
        nc=nc,
        name="writes",
        version="1.0.0",
        description="test",
        endpoints=[Endpoint(SUBJECT, Make, effects.make)],
        metrics=EndpointMetrics(CollectorRegistry(), "writes"),
        ledger=ReplyLedger(effects.engine, REPLIES),
    )


async def main(nats_url: str, database_url: str, hold: str, lease: float) -> None:
    reply_ledger.LEASE_SECONDS = lease
    engine = create_engine(database_url)
    nc = await connect(nats_url, name="writes")
    await replica(nc, Effects(engine, hold)).start()
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])))
