"""Regex searches that cannot stall the registry, on a stack of its own (a 1 s search deadline): a pattern too
costly to compile answers 400 at once, one too slow for the catalog's text answers 400 at the deadline, and
meanwhile the gateway's heartbeat and authenticated reads (token leases included) stay fast."""

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from catalog.adapters.artifact_store import SqlArtifactStore
from catalog.adapters.engine import open_catalog_engine
from catalog.domain.artifacts import AuditRecord, StoredArtifact, new_artifact_id
from contracts.artifacts import Actor, ArtifactType
from tests.api import ADMIN, ADMIN_PASSWORD, Api, Reply, reset_admin
from tests.harness import RegistryStack, running_registry

# 200 alternatives, 2.4 KB: 1.6 million RE2 instructions, a few KB of text per second once compiled.
COSTLY = "|".join(f"[^{chr(97 + i % 26)}].{{999}}~" for i in range(200))
# Under the program-size cap (8,005 instructions) but about 50 KB/s on text without a "~".
SLOW = ("[^a].{999}~", "[^b].{999}~")
SENTENCES = (
    "The model was pretrained on a large corpus of English data in a self-supervised fashion.",
    "Inputs are lowercased and tokenized using WordPiece with a vocabulary size of 30,000.",
    "Training ran for one million steps with a batch size of 256 and a sequence length of 128 tokens.",
    "Each example consists of a context paragraph, a question and one or more answer spans.",
    "Results may vary depending on hardware, random seeds and the version of the dependencies.",
)


def _readme(seed: int) -> str:
    """About 24 KB of card text (varied, as real cards are: RE2's DFA caches repetitive text too well):
    24 of them take COSTLY minutes and SLOW seconds (8 alone scanned in 0.7 s once RE2's DFA fitted in memory)."""
    lines = (f"{SENTENCES[(seed + i) % len(SENTENCES)]} ({seed}.{i})" for i in range(250))
    return " ".join(lines) + " needle"


@pytest.fixture(scope="module")
def limited_registry(workdir: Path, mirror_url: str) -> Iterator[RegistryStack]:
    """A registry (SQLite) whose regex searches stop after one second."""
    env = {"CATALOG_REGEX_DEADLINE_SECONDS": "1"}
    with running_registry(workdir / "regex-limits", mirror_url, extra_env=env) as stack:
        yield stack


@pytest.fixture
async def limited(limited_registry: RegistryStack) -> AsyncIterator[Api]:
    async with reset_admin(limited_registry.base_url) as api:
        yield api


async def _seed(registry: RegistryStack, count: int) -> list[str]:
    """Artifacts with long READMEs, written with the catalog's own store into its database."""
    database = (registry.workdir / "data" / "catalog" / "catalog.db").resolve()
    actor = Actor(name=ADMIN, is_admin=True)
    ids = []
    async with open_catalog_engine(f"sqlite+aiosqlite:///{database}") as engine:
        store = SqlArtifactStore(engine)
        for index in range(count):
            artifact = StoredArtifact(new_artifact_id(), ArtifactType.MODEL, f"long-card-{index}", f"upload://{index}")
            record = AuditRecord(artifact.metadata, actor, "CREATE", datetime.now(UTC))
            ids.append((await store.add(artifact, _readme(index), record)).id)
    return ids


async def _timed(request: Awaitable[Reply]) -> tuple[Reply, float]:
    started = time.perf_counter()
    reply = await request
    return reply, time.perf_counter() - started


async def test_costly_and_slow_regexes_answer_in_time_while_health_and_reads_stay_fast(
    limited: Api, limited_registry: RegistryStack
) -> None:
    ids = await _seed(limited_registry, 24)  # a whole SLOW scan takes seconds, well past the 1 s deadline
    written_behind_its_back = asyncio.get_running_loop().time() + 3  # reads see such rows within the 1 s check
    while (await limited.call("GET", f"/artifacts/model/{ids[0]}")).status != 200:
        assert asyncio.get_running_loop().time() < written_behind_its_back
        await asyncio.sleep(0.1)
    assert (await limited.call("POST", "/artifact/byRegEx", json_body={"regex": "needle$"})).status == 200
    # Fresh tokens: the first use of each is a token lease from catalog-svc, the call a slow search must not delay.
    fresh = [(await limited.login(ADMIN, ADMIN_PASSWORD)).body for _ in range(6)]
    searching = True

    async def costly_searches() -> list[tuple[Reply, float]]:
        replies = []
        while searching:
            replies.append(await _timed(limited.call("POST", "/artifact/byRegEx", json_body={"regex": COSTLY})))
            await asyncio.sleep(0.01)
        return replies

    async def probe() -> tuple[list[float], list[float]]:
        health, reads = [], []
        while searching:
            health.append((await _timed(limited.call("GET", "/health", token=None)))[1])
            token = fresh.pop() if fresh else True
            read, seconds = await _timed(limited.call("GET", f"/artifacts/model/{ids[0]}", token=token))
            assert read.status == 200, read.body
            reads.append(seconds)
            await asyncio.sleep(0.01)
        return health, reads

    costly_tasks = [asyncio.create_task(costly_searches()) for _ in range(2)]
    probing = asyncio.create_task(probe())
    slow = await asyncio.gather(
        *(_timed(limited.call("POST", "/artifact/byRegEx", json_body={"regex": p})) for p in SLOW)
    )
    searching = False
    health, reads = await probing
    costly = [reply for task in costly_tasks for reply in await task]

    for reply, seconds in costly:
        assert reply.status == 400, reply.body
        assert "too costly" in reply.body["message"] and seconds < 2.0
    # With one search thread (2 cores), one slow search is stopped at the deadline, and the other, waiting for the
    # thread all that time, is dropped (503) at the same deadline.
    messages = [reply.body["message"] for reply, _ in slow]
    assert any("too slow" in m and "1 s deadline" in m for m in messages), messages
    for reply, seconds in slow:
        assert reply.status in (400, 503), reply.body
        assert seconds < 2.0
    assert len(costly) >= 10 and len(reads) >= 10 and not fresh
    assert max(health) < 0.1, sorted(health)[-5:]
    assert max(reads) < 0.1, sorted(reads)[-5:]
    found = await limited.call("POST", "/artifact/byRegEx", json_body={"regex": "^long-card-[0-7]$"})
    assert found.status == 200 and len(found.body) == 8
