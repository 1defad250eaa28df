"""Composition root of catalog-svc: the one place that wires real adapters to the use cases."""

import asyncio
from contextlib import AsyncExitStack
from datetime import timedelta

import structlog
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from pydantic import ValidationError

from catalog.adapters.artifact_store import SqlArtifactStore
from catalog.adapters.artifact_view import ArtifactView
from catalog.adapters.audit_events import RateAuditBatcher
from catalog.adapters.engine import open_catalog_engine
from catalog.adapters.events import NatsEvents
from catalog.adapters.lineage_client import NatsLineage
from catalog.adapters.passwords import Argon2Hasher
from catalog.adapters.scoring_client import NatsRater
from catalog.adapters.search_index import SearchIndex, SearchLimits
from catalog.adapters.storage_client import NatsPackageStorage
from catalog.adapters.tables import replies
from catalog.adapters.upstream import HttpUpstream
from catalog.adapters.user_store import SqlUserStore
from catalog.deps import Deps, Policy
from catalog.domain.auth import TokenPolicy
from catalog.endpoints import catalog_endpoints
from catalog.settings import CatalogSettings
from catalog.usecases.ensure_default_admin import ensure_default_admin
from catalog.usecases.record_rating_read import record_rating_reads
from contracts.artifacts import ArtifactsChanged
from contracts.services import describe
from contracts.subjects import ARTIFACTS_CHANGED, CATALOG
from svckit.connection import connect
from svckit.host import host_endpoints
from svckit.reply_ledger import ReplyLedger
from svckit.transport import ServiceClient
from svckit.upstream_client import open_upstream

VERSION = "0.1.0"

log = structlog.get_logger()


def policy_from(settings: CatalogSettings) -> Policy:
    """Policy values from settings."""
    return Policy(
        page_size=settings.catalog_page_size,
        max_query_results=settings.catalog_max_query_results,
        admin_name=settings.registry_admin_name,
        admin_password=settings.registry_admin_password.get_secret_value(),
        tokens=TokenPolicy(max_uses=settings.token_max_uses, lifetime=timedelta(hours=settings.token_lifetime_hours)),
    )


def search_limits(settings: CatalogSettings) -> SearchLimits:
    """What one regex search may cost, from settings."""
    return SearchLimits(
        deadline_seconds=settings.catalog_regex_deadline_seconds,
        max_program_size=settings.catalog_regex_max_program,
        workers=settings.catalog_search_threads,
    )


async def _follow_changes(stack: AsyncExitStack, nc: NATS, view: ArtifactView) -> None:
    """Every replica hears every other's artifact changes (no queue group) and drops its copy on each."""

    async def on_change(message: Msg) -> None:
        try:
            view.changed(ArtifactsChanged.model_validate_json(message.data).revision)
        except ValidationError:
            view.changed()  # malformed: reload to be safe

    changes = await nc.subscribe(ARTIFACTS_CHANGED, cb=on_change)
    stack.push_async_callback(changes.unsubscribe)


async def run_catalog(settings: CatalogSettings, stop: asyncio.Event) -> None:
    """Open the store, serve the catalog subjects until ``stop`` is set, then drain and close."""
    async with AsyncExitStack() as stack:
        engine = await stack.enter_async_context(open_catalog_engine(settings.database_url()))
        upstream = await stack.enter_async_context(open_upstream(settings.upstream()))
        nc = await connect(settings.nats_url, name=CATALOG, auth=settings.bus_auth())
        stack.push_async_callback(nc.drain)
        events = NatsEvents(nc)
        rows = SqlArtifactStore(engine)
        store = ArtifactView(rows, events.artifacts_changed, settings.catalog_view_check_seconds)
        await stack.enter_async_context(store.checking())
        await _follow_changes(stack, nc, store)
        # Searches read the stored revision themselves (one cheap read per search, which a scan dwarfs), so they
        # stay exact even when a change event was lost; the in-memory copy serves the reads that must be cheap.
        # Its checker process starts at the first pattern that needs it (~30 MB held at rest otherwise).
        search = SearchIndex(rows, search_limits(settings))
        stack.callback(search.close)
        hasher = Argon2Hasher()
        stack.callback(hasher.close)
        deps = Deps(
            artifacts=store,
            users=SqlUserStore(engine),
            upstream=HttpUpstream(upstream),
            hasher=hasher,
            search=search,
            events=events,
            storage=NatsPackageStorage(ServiceClient(nc, default_timeout=settings.storage_timeout)),
            lineage=NatsLineage(ServiceClient(nc, default_timeout=settings.lineage_timeout)),
            scoring=NatsRater(ServiceClient(nc, default_timeout=settings.scoring_timeout)),
            policy=policy_from(settings),
        )
        await ensure_default_admin(deps)
        await host_endpoints(
            stack,
            nc,
            settings,
            name=CATALOG,
            version=VERSION,
            description=describe(CATALOG),
            endpoints=catalog_endpoints(deps),
            ledger=ReplyLedger(engine, replies),
        )
        audits = RateAuditBatcher(lambda events: record_rating_reads(events, deps))
        await audits.start(nc)
        stack.push_async_callback(audits.stop)
        log.info("catalog_ready", database=engine.dialect.name)
        await stop.wait()
