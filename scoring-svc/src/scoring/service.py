"""Composition root of scoring-svc: the one place that wires real adapters to the use cases."""

import asyncio
import functools
import sys
from contextlib import AsyncExitStack

import aiohttp
import structlog

from contracts.subjects import SCORING
from scoring.adapters.code_archive import ArchiveLimits, inspect_archive
from scoring.adapters.engine import open_rating_engine
from scoring.adapters.github import GitHubCodeHost
from scoring.adapters.hub import HfHub
from scoring.adapters.rating_store import SqlRatingStore
from scoring.adapters.relatives import NatsPackageBytes, NatsRelatives
from scoring.adapters.sandbox import SandboxLimits, SubprocessSandbox
from scoring.deps import Deps, GatePolicy, Policy
from scoring.endpoints import scoring_endpoints
from scoring.evidence.sources import Sources
from scoring.settings import ScoringSettings
from svckit.host import host_endpoints
from svckit.transport import ServiceClient, connect

VERSION = "0.1.0"

log = structlog.get_logger()


def policy_from(settings: ScoringSettings) -> Policy:
    """Gate and weights from settings."""
    gate = GatePolicy(
        enabled=settings.scoring_gate, threshold=settings.scoring_gate_threshold, metrics=settings.gate_metrics()
    )
    return Policy(gate=gate, weights=settings.weights())


def sandbox_from(settings: ScoringSettings) -> SubprocessSandbox:
    """The example-code sandbox the settings describe."""
    limits = SandboxLimits(
        wall_seconds=settings.sandbox_timeout,
        cpu_seconds=max(1, int(settings.sandbox_timeout)),
        memory_bytes=settings.sandbox_memory_mb << 20,
    )
    interpreter = str(settings.sandbox_python) if settings.sandbox_python else sys.executable
    return SubprocessSandbox(settings.hf_endpoint, settings.github_api_url, limits=limits, interpreter=interpreter)


async def run_scoring(settings: ScoringSettings, stop: asyncio.Event) -> None:
    """Serve the scoring subjects until ``stop`` is set, then drain and close."""
    async with AsyncExitStack() as stack:
        engine = await stack.enter_async_context(open_rating_engine(settings.database_url()))
        session = await stack.enter_async_context(aiohttp.ClientSession())
        nc = await connect(settings.nats_url, name=SCORING)
        stack.push_async_callback(nc.drain)
        upstream = settings.upstream()
        sources = Sources(
            hub=HfHub(session, upstream),
            code=GitHubCodeHost(
                session,
                upstream,
                max_pulls=settings.scoring_max_pulls,
                max_archive_bytes=settings.scoring_max_archive_mb << 20,
            ),
            relatives=NatsRelatives(ServiceClient(nc, default_timeout=settings.lineage_timeout)),
            package_bytes=NatsPackageBytes(ServiceClient(nc, default_timeout=settings.storage_timeout)),
            sandbox=sandbox_from(settings),
            inspect=functools.partial(inspect_archive, limits=ArchiveLimits(lint_timeout=settings.lint_timeout)),
        )
        deps = Deps(store=SqlRatingStore(engine), sources=sources, policy=policy_from(settings))
        await host_endpoints(
            stack,
            nc,
            settings,
            name=SCORING,
            version=VERSION,
            description="Trust ratings of models: every metric from real evidence, and the ingest quality gate.",
            endpoints=scoring_endpoints(deps),
        )
        log.info("scoring_ready", database=engine.dialect.name, gate=deps.policy.gate.enabled)
        await stop.wait()
