"""Composition root of scoring-svc: the one place that wires real adapters to the use cases."""

import asyncio
import functools
import sys
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import AsyncExitStack
from dataclasses import replace

import aiohttp
import structlog
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from prometheus_client import CollectorRegistry
from pydantic import ValidationError

from contracts.scoring import RatingsChanged
from contracts.services import describe
from contracts.subjects import RATINGS_CHANGED, SCORING
from scoring.adapters.bwrap import bwrap_binary
from scoring.adapters.cached_store import CachedRatingStore
from scoring.adapters.code_archive import ArchiveLimits, inspect_archive
from scoring.adapters.engine import open_rating_engine
from scoring.adapters.github import GitHubCodeHost
from scoring.adapters.hub import HfHub
from scoring.adapters.hub_pickles import HubPickleScanner
from scoring.adapters.model_copy import HubModelCopy
from scoring.adapters.package_bytes import NatsPackageBytes
from scoring.adapters.rating_metrics import PrometheusRatingObserver
from scoring.adapters.rating_store import SqlRatingStore
from scoring.adapters.relatives import NatsRelatives
from scoring.adapters.remote_scan import PickleScanLimits
from scoring.adapters.sandbox import SandboxLimits, SubprocessSandbox, detect_isolation
from scoring.adapters.stored_pickles import StoredPickleScanner
from scoring.deps import Deps, GatePolicy, PicklePolicy, Policy
from scoring.endpoints import scoring_endpoints
from scoring.evidence.reproduction import Sandbox
from scoring.evidence.sources import Sources
from scoring.ports import PickleScanner
from scoring.ports import StoredPickleScanner as StoredScanner
from scoring.settings import ScoringSettings
from svckit.connection import connect
from svckit.host import host_endpoints
from svckit.transport import ServiceClient
from svckit.upstream_client import UpstreamClient, open_upstream

VERSION = "0.1.0"
# Files of one model scanned at once (each thread mostly waits on its byte ranges).
PICKLE_SCAN_THREADS = 4

log = structlog.get_logger()


def policy_from(settings: ScoringSettings) -> Policy:
    """Gate, pickle refusal and weights from settings."""
    gate = GatePolicy(
        enabled=settings.scoring_gate, threshold=settings.scoring_gate_threshold, metrics=settings.gate_metrics()
    )
    pickles = PicklePolicy(
        gate=settings.scoring_pickle_gate, refuse_unscanned=settings.scoring_pickle_unscanned == "refuse"
    )
    return Policy(
        gate=gate, pickles=pickles, weights=settings.weights(), rating_seconds=settings.scoring_rating_seconds
    )


def pickle_scanners(
    settings: ScoringSettings, session: aiohttp.ClientSession, nc: NATS, executor: Executor
) -> tuple[HubPickleScanner, StoredPickleScanner]:
    """The scans of pickle-based files the settings describe, on the Hub and in the registry's bucket (uploads);
    ``executor`` parses them."""
    limits = PickleScanLimits(
        max_bytes=settings.scoring_pickle_scan_max_mb << 20, seconds=settings.scoring_pickle_scan_seconds
    )
    storage = ServiceClient(nc, default_timeout=settings.storage_timeout)
    return (
        HubPickleScanner(session, settings.upstream(), limits, executor),
        StoredPickleScanner(storage, session, limits, executor, settings.upstream().timeout),
    )


def sandbox_from(settings: ScoringSettings) -> SubprocessSandbox:
    """The example-code sandbox the settings describe (not probed yet: it runs nothing until ``isolated_sandbox``)."""
    limits = SandboxLimits(
        wall_seconds=settings.sandbox_timeout,
        cpu_seconds=max(1, int(settings.sandbox_timeout)),
        memory_bytes=settings.sandbox_memory_mb << 20,
        processes=settings.sandbox_max_processes,
        disk_bytes=settings.sandbox_disk_mb << 20,
    )
    return SubprocessSandbox(
        limits=limits,
        interpreter=str(settings.sandbox_python) if settings.sandbox_python else sys.executable,
        bwrap=bwrap_binary(str(settings.sandbox_bwrap) if settings.sandbox_bwrap else None),
        private=(str(settings.data_dir.resolve()),),
    )


async def isolated_sandbox(settings: ScoringSettings) -> SubprocessSandbox:
    """The sandbox with the isolation its start-up probe found; with ``SANDBOX_ISOLATION=bwrap`` it must be there."""
    sandbox = sandbox_from(settings)
    isolation = await detect_isolation(sandbox)
    if isolation.mode != "bwrap" and settings.sandbox_isolation == "bwrap":
        raise RuntimeError(f"SANDBOX_ISOLATION=bwrap, but card examples cannot be isolated here: {isolation.reason}")
    return replace(sandbox, isolation=isolation)


def sources_from(
    settings: ScoringSettings,
    upstream: UpstreamClient,
    nc: NATS,
    sandbox: Sandbox,
    scanners: tuple[PickleScanner, StoredScanner],
) -> Sources:
    """The real evidence sources: Hub, GitHub, lineage-svc, storage-svc, the sandbox, the archive inspector and the
    pickle scanner."""
    return Sources(
        hub=HfHub(upstream),
        code=GitHubCodeHost(
            upstream,
            max_pulls=settings.scoring_max_pulls,
            max_archive_bytes=settings.scoring_max_archive_mb << 20,
        ),
        relatives=NatsRelatives(ServiceClient(nc, default_timeout=settings.lineage_timeout)),
        package_bytes=NatsPackageBytes(ServiceClient(nc, default_timeout=settings.storage_timeout)),
        sandbox=sandbox,
        inspect=functools.partial(inspect_archive, limits=ArchiveLimits(lint_timeout=settings.lint_timeout)),
        model_copy=HubModelCopy(upstream, settings.sandbox_model_max_mb << 20),
        pickles=scanners[0],
        stored_pickles=scanners[1],
    )


async def _shared_cache(store: SqlRatingStore, nc: NATS, stack: AsyncExitStack) -> CachedRatingStore:
    """The store behind a cache that every replica keeps true through ``scoring.ratings.changed``."""
    cached = CachedRatingStore(store, functools.partial(ServiceClient(nc).publish, RATINGS_CHANGED))

    async def on_change(msg: Msg) -> None:
        _evict(cached, msg.data)

    changes = await nc.subscribe(RATINGS_CHANGED, cb=on_change)  # every replica: no queue group
    stack.push_async_callback(changes.unsubscribe)
    return cached


def _evict(store: CachedRatingStore, data: bytes) -> None:
    try:
        store.evict(RatingsChanged.model_validate_json(data).artifact_ids)
    except ValidationError:
        store.evict(None)


async def run_scoring(settings: ScoringSettings, stop: asyncio.Event) -> None:
    """Serve the scoring subjects until ``stop`` is set, then drain and close."""
    async with AsyncExitStack() as stack:
        engine = await stack.enter_async_context(open_rating_engine(settings.database_url()))
        upstream = await stack.enter_async_context(open_upstream(settings.upstream()))
        nc = await connect(settings.nats_url, name=SCORING, auth=settings.bus_auth())
        stack.push_async_callback(nc.drain)
        sandbox = await isolated_sandbox(settings)
        threads = ThreadPoolExecutor(PICKLE_SCAN_THREADS, thread_name_prefix="pickle-scan")
        stack.callback(threads.shutdown, wait=False, cancel_futures=True)
        scanners = pickle_scanners(settings, upstream.session, nc, threads)
        for scanner in scanners:  # before the executor's shutdown: threads stop at their next range
            stack.callback(scanner.close)
        sources = sources_from(settings, upstream, nc, sandbox, scanners)
        store = await _shared_cache(SqlRatingStore(engine), nc, stack)
        registry = CollectorRegistry()
        observer = PrometheusRatingObserver(registry)
        deps = Deps(store=store, sources=sources, policy=policy_from(settings), observer=observer)
        await host_endpoints(
            stack,
            nc,
            settings,
            name=SCORING,
            version=VERSION,
            description=describe(SCORING),
            endpoints=scoring_endpoints(deps),
            registry=registry,
            extra_stats=observer.stats,
        )
        log.info(
            "scoring_ready", database=engine.dialect.name, gate=deps.policy.gate.enabled, sandbox=sandbox.isolation.mode
        )
        await stop.wait()
