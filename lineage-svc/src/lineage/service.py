"""Composition root of lineage-svc: the one place that wires real adapters to the use cases."""

import asyncio
from contextlib import AsyncExitStack

import structlog

from contracts.services import describe
from contracts.subjects import LINEAGE
from lineage.adapters.engine import open_graph_engine
from lineage.adapters.graph_store import SqlGraphStore
from lineage.adapters.sizes import NatsSizes
from lineage.adapters.upstream import HttpUpstream
from lineage.deps import Deps
from lineage.endpoints import lineage_endpoints
from lineage.settings import LineageSettings
from svckit.connection import connect
from svckit.host import host_endpoints
from svckit.transport import ServiceClient
from svckit.upstream_client import open_upstream

VERSION = "0.1.0"

log = structlog.get_logger()


async def run_lineage(settings: LineageSettings, stop: asyncio.Event) -> None:
    """Serve the lineage subjects until ``stop`` is set, then drain and close."""
    async with AsyncExitStack() as stack:
        engine = await stack.enter_async_context(open_graph_engine(settings.database_url()))
        upstream = await stack.enter_async_context(open_upstream(settings.upstream()))
        nc = await connect(settings.nats_url, name=LINEAGE, auth=settings.bus_auth())
        stack.push_async_callback(nc.drain)
        deps = Deps(
            graph=SqlGraphStore(engine),
            upstream=HttpUpstream(upstream),
            sizes=NatsSizes(ServiceClient(nc, default_timeout=settings.storage_timeout)),
        )
        await host_endpoints(
            stack,
            nc,
            settings,
            name=LINEAGE,
            version=VERSION,
            description=describe(LINEAGE),
            endpoints=lineage_endpoints(deps),
        )
        log.info("lineage_ready", database=engine.dialect.name)
        await stop.wait()
