"""CachedRatingStore: warm reads from memory, write-through with announcements, no stale copy after a race."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from contracts.scoring import ModelRating, RatingReport, RatingsChanged, SizeScores
from scoring.adapters.cached_store import CachedRatingStore
from scoring.adapters.engine import open_rating_engine
from scoring.adapters.rating_store import SqlRatingStore
from scoring.ports import StoredRating
from tests.stores import MigratedStores

NOW = datetime(2026, 11, 26, tzinfo=UTC)


def _report(artifact_id: str, net: float) -> RatingReport:
    scores = {f: net for f in ModelRating.model_fields if f not in ("name", "category", "size_score")}
    rating = ModelRating(
        name="m",
        category="MODEL",
        size_score=SizeScores(**dict.fromkeys(("raspberry_pi", "jetson_nano", "desktop_pc", "aws_server"), 1.0)),
        **scores,
    )
    return RatingReport(artifact_id=artifact_id, rating=rating, notes=[], gated=[], gate_failures=[], rated_at=NOW)


class CountingStore(SqlRatingStore):
    """The real store, counting reads and optionally pausing them (to interleave an eviction)."""

    reads = 0
    pause: asyncio.Event | None = None

    async def get(self, artifact_id: str) -> StoredRating | None:
        self.reads += 1
        found = await super().get(artifact_id)
        if self.pause is not None:
            await self.pause.wait()
        return found


@pytest.fixture
async def stores(
    tmp_path: Path, migrated: MigratedStores
) -> AsyncIterator[tuple[CountingStore, CachedRatingStore, list[RatingsChanged]]]:
    async with migrated.open(open_rating_engine, tmp_path / "r.db") as engine:
        inner = CountingStore(engine)
        announced: list[RatingsChanged] = []

        async def announce(event: RatingsChanged) -> None:
            announced.append(event)

        yield inner, CachedRatingStore(inner, announce, capacity=2), announced


async def test_warm_reads_come_from_memory_and_writes_are_announced(
    stores: tuple[CountingStore, CachedRatingStore, list[RatingsChanged]],
) -> None:
    inner, cached, announced = stores
    await cached.put(_report("a", 0.5))
    for _ in range(5):
        stored = await cached.get("a")
        assert stored is not None and stored.report is not None and stored.report.rating.net_score == 0.5
    assert inner.reads == 1
    await cached.put(_report("a", 0.7))
    stored = await cached.get("a")
    assert stored is not None and stored.report is not None and stored.report.rating.net_score == 0.7
    await cached.clear()
    assert await cached.get("a") is None
    assert [event.artifact_ids for event in announced] == [["a"], ["a"], None]


async def test_another_replicas_announcement_evicts_the_copy(
    stores: tuple[CountingStore, CachedRatingStore, list[RatingsChanged]],
) -> None:
    inner, cached, _ = stores
    await cached.put(_report("a", 0.5))
    await cached.get("a")
    await inner.put(_report("a", 0.9))  # another replica's write, straight to the database
    cached.evict(["a"])  # ...and its announcement
    stored = await cached.get("a")
    assert stored is not None and stored.report is not None and stored.report.rating.net_score == 0.9


async def test_a_read_racing_an_eviction_is_not_remembered(
    stores: tuple[CountingStore, CachedRatingStore, list[RatingsChanged]],
) -> None:
    inner, cached, _ = stores
    await inner.put(_report("a", 0.5))
    inner.pause = asyncio.Event()
    read = asyncio.create_task(cached.get("a"))
    await asyncio.sleep(0.05)
    cached.evict(["a"])  # the value being read is already stale
    inner.pause.set()
    assert (await read) is not None
    inner.pause = None
    before = inner.reads
    await cached.get("a")
    assert inner.reads == before + 1, "the raced read must not have been cached"


async def test_the_cache_keeps_at_most_its_capacity(
    stores: tuple[CountingStore, CachedRatingStore, list[RatingsChanged]],
) -> None:
    inner, cached, _ = stores
    for name in "abc":
        await inner.put(_report(name, 0.1))
        await cached.get(name)
    before = inner.reads
    await cached.get("a")  # the oldest was dropped
    await cached.get("c")
    assert inner.reads == before + 1


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """SQLite, then the session's PostgreSQL database."""
    if request.param == "postgres":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite+aiosqlite:///{tmp_path / 'c.db'}"


async def test_concurrent_writes_of_one_rating_never_fail_on_the_key(database_url: str) -> None:
    async with open_rating_engine(database_url) as engine:
        store = SqlRatingStore(engine)
        reports = [_report("same", 0.1 * i).model_copy(update={"parents": ["p1", "p2"]}) for i in range(1, 9)]
        await asyncio.gather(*(store.put(report) for report in reports))
        stored = await store.get("same")
        assert stored is not None and stored.report is not None
        assert stored.report.rating.net_score in {r.rating.net_score for r in reports}
        assert await store.children("p1") == ["same"]
        await store.clear()
