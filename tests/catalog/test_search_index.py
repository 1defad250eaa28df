"""Regex searches run off the event loop, under a deadline, on the real SQL store."""

import asyncio
import json
import multiprocessing
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from catalog.adapters.artifact_store import SqlArtifactStore
from catalog.adapters.engine import open_catalog_engine
from catalog.adapters.search_index import SearchBusy, SearchIndex, SearchLimits, SearchTooSlow
from catalog.domain.artifacts import AuditRecord, StoredArtifact, new_artifact_id
from catalog.domain.search import InvalidPattern, PatternTooCostly
from contracts.artifacts import Actor, ArtifactMetadata, ArtifactType
from tests.stores import MigratedStores

# Under the program-size cap, yet about 100 KB/s on varied text without a "~": only the deadline stops it.
SLOW = "[^a].{999}~"
SENTENCES = (
    "The model was pretrained on a large corpus of English data in a self-supervised fashion.",
    "Inputs are lowercased and tokenized using WordPiece with a vocabulary size of 30,000.",
    "Training ran for one million steps with a batch size of 256 and a sequence length of 128 tokens.",
    "Each example consists of a context paragraph, a question and one or more answer spans.",
    "Results may vary depending on hardware, random seeds and the version of the dependencies.",
)


def _readme(seed: int) -> str:
    """48 KB of varied card text, a scan of about half a second for SLOW (RE2's DFA copes with repetitive
    text too well to be slow on it)."""
    return " ".join(f"{SENTENCES[(seed + i) % 5]} ({seed}.{i})" for i in range(500)) + " needle"


async def _add(store: SqlArtifactStore, name: str, readme: str) -> None:
    artifact = StoredArtifact(new_artifact_id(), ArtifactType.MODEL, name, f"upload://{name}")
    actor = Actor(name="a", is_admin=True)
    await store.add(artifact, readme, AuditRecord(artifact.metadata, actor, "CREATE", datetime.now(UTC)))


@pytest.fixture
async def store(tmp_path: Path, migrated: MigratedStores) -> AsyncIterator[SqlArtifactStore]:
    async with migrated.open(open_catalog_engine, tmp_path / "catalog.db") as engine:
        store = SqlArtifactStore(engine)
        for index in range(12):
            await _add(store, f"model-{index}", _readme(index))
        yield store


async def test_results_are_found_and_cached_per_revision(store: SqlArtifactStore) -> None:
    index = SearchIndex(store)
    try:
        await index.start()
        found = await index.search("needle$")
        assert len(found) == 12
        assert await index.search("needle$") is found
        assert [m.name for m in await index.search("^model-1[01]$")] == ["model-10", "model-11"]
    finally:
        index.close()


async def test_hits_carry_the_json_array_the_api_answers_with_them(store: SqlArtifactStore) -> None:
    index = SearchIndex(store)
    try:
        hits = await index.hits("^model-1[01]?$")
        assert [m.name for m in hits.items] == ["model-1", "model-10", "model-11"]
        assert hits.encoded == TypeAdapter(list[ArtifactMetadata]).dump_json(hits.items)
        assert [ArtifactMetadata.model_validate(item) for item in json.loads(hits.encoded)] == hits.items
    finally:
        index.close()


async def test_new_patterns_whose_other_alternatives_match_nothing_reuse_the_matching_ones_hits(
    store: SqlArtifactStore,
) -> None:
    index = SearchIndex(store)
    try:
        await index.ready()  # alternatives are searched apart once the index narrows them
        first = await index.hits("nothing-1|^model-1[01]?$")
        assert [m.name for m in first.items] == ["model-1", "model-10", "model-11"]
        assert await index.hits("nothing-2|^model-1[01]?$") is first  # a new pattern: not merged and joined again
        both = await index.hits("^model-2$|^model-1[01]?$")
        assert [m.name for m in both.items] == ["model-1", "model-2", "model-10", "model-11"]  # registration order
        assert both.encoded == TypeAdapter(list[ArtifactMetadata]).dump_json(both.items)
    finally:
        index.close()


async def test_a_scan_past_its_deadline_stops_with_how_far_it_got(store: SqlArtifactStore) -> None:
    index = SearchIndex(store, SearchLimits(deadline_seconds=0.2, workers=1))
    try:
        await index.start()
        await index.ready()  # the corpus loaded and indexed before the clock matters
        started = time.monotonic()
        with pytest.raises(SearchTooSlow) as caught:
            await index.search(SLOW)
        assert time.monotonic() - started < 1.0
        assert caught.value.scanned < caught.value.total == 12
    finally:
        index.close()


async def test_the_event_loop_keeps_running_while_scans_run(store: SqlArtifactStore) -> None:
    # A scan of every README for SLOW takes 0.8 s here: well past a 0.5 s deadline.
    index = SearchIndex(store, SearchLimits(deadline_seconds=0.5, workers=2))
    try:
        await index.start()
        await index.ready()  # the corpus loaded and indexed before the clock matters
        searches = [asyncio.create_task(index.search(SLOW + f"|z{i}")) for i in range(2)]
        await asyncio.sleep(0.05)
        gaps = []
        while not all(s.done() for s in searches):
            before = time.monotonic()
            await asyncio.sleep(0.01)
            gaps.append(time.monotonic() - before)
        assert max(gaps) < 0.25, gaps  # a scan on the loop would stop it for its whole half second
        for search in searches:
            assert isinstance(search.exception(), SearchTooSlow), search.exception()
    finally:
        index.close()


async def test_a_search_waiting_for_a_thread_past_its_deadline_is_dropped(store: SqlArtifactStore) -> None:
    index = SearchIndex(store, SearchLimits(deadline_seconds=0.1, workers=1))
    try:
        await index.start()
        await index.ready()  # the corpus loaded and indexed before the clock matters
        first = asyncio.create_task(index.search(SLOW))
        await asyncio.sleep(0.01)
        with pytest.raises(SearchBusy):  # through the checking process too, so it queues behind the first
            await index.search("needle{1}")
        with pytest.raises(SearchTooSlow):
            await first
    finally:
        index.close()


async def test_a_pattern_too_costly_is_refused_before_any_scan(store: SqlArtifactStore) -> None:
    index = SearchIndex(store, SearchLimits(workers=1))
    try:
        await index.start()
        costly = "|".join(f"[^{chr(97 + i % 26)}].{{999}}~" for i in range(200))
        started = time.monotonic()
        with pytest.raises(PatternTooCostly, match="too costly"):
            await index.search(costly)
        assert time.monotonic() - started < 0.5
        with pytest.raises(InvalidPattern, match="invalid regex"):
            await index.search("(unclosed")
    finally:
        index.close()


async def test_a_scan_reads_only_the_artifacts_holding_the_literals_of_the_pattern(store: SqlArtifactStore) -> None:
    index = SearchIndex(store, SearchLimits(deadline_seconds=4.0, workers=1))
    try:
        await index.start()
        await index.ready()
        # Like SLOW, about half a second per README: all twelve would take past the deadline, but only model-3's
        # README holds "(3.70)"
        found = await index.search("[^a].{999}\\(3\\.70\\)")
        assert [m.name for m in found] == ["model-3"]
    finally:
        index.close()


async def test_a_change_is_found_before_and_after_the_index_is_updated(store: SqlArtifactStore) -> None:
    index = SearchIndex(store)
    try:
        await index.ready()
        assert [m.name for m in await index.search("model-1[01]$")] == ["model-10", "model-11"]
        await _add(store, "model-12", "a card with a fresh needle")
        assert [m.name for m in await index.search("(?i)FRESH needle")] == ["model-12"]
        await index.ready()
        assert [m.name for m in await index.search("(?i)fresh NEEDLE")] == ["model-12"]
    finally:
        index.close()


async def test_a_short_plain_pattern_is_checked_without_the_checking_process(store: SqlArtifactStore) -> None:
    index = SearchIndex(store)
    try:
        before = set(multiprocessing.active_children())
        assert len(await index.search("(?i)checkpoint-0-1|needle$")) == 12
        with pytest.raises(InvalidPattern, match="invalid regex"):
            await index.search("(unclosed")
        assert set(multiprocessing.active_children()) - before == set()
    finally:
        index.close()


async def test_alternatives_found_before_are_not_scanned_again(store: SqlArtifactStore) -> None:
    await _add(store, "long-card", " ".join(_readme(100 + n) for n in range(10)) + " hugecard")
    index = SearchIndex(store, SearchLimits(deadline_seconds=0.5, workers=1))
    try:
        await index.start()
        await index.ready()
        assert [m.name for m in await index.search("^model-1$|^model-2$")] == ["model-1", "model-2"]
        # No literal narrows [0-9]x: the whole pattern is scanned once instead of each alternative
        assert [m.name for m in await index.search("[0-9]x|^model-2$")] == ["model-2"]
        # About a second on the 480 KB README, the only one holding "hugecard": the only search thread stays busy
        busy = asyncio.create_task(index.search("[^a].{999}hugecard\\W~"))
        await asyncio.sleep(0.1)
        # A new pattern, but both its alternatives were searched before: answered without a thread
        assert [m.name for m in await index.search("^model-2$|^model-1$")] == ["model-1", "model-2"]
        with pytest.raises(SearchTooSlow):
            await busy
    finally:
        index.close()
