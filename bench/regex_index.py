"""The regex prefilter in process: per-pattern scan cost with and without the trigram index, the index's size and
build time, and the cost of checking a pattern in the checker process or on the event loop.

``python -m bench.regex_index [--artifacts N]``: the hot-path corpus (``bench.corpus``, 10,000 artifacts, 46.5 MB of
README text by default), names and READMEs held as the catalog holds them (UTF-8 bytes). Each figure is the best of
a few runs on one thread; the machine's other load shows in the spread, not in these minima.
"""

import argparse
import asyncio
import functools
import gc
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bench import corpus
from bench.seed import seed
from catalog.adapters.artifact_store import SqlArtifactStore
from catalog.adapters.engine import open_catalog_engine
from catalog.adapters.pattern_checker import PatternChecker
from catalog.adapters.search_index import SearchBusy, SearchIndex, SearchTooSlow
from catalog.domain.artifacts import AuditRecord, StoredArtifact, new_artifact_id
from catalog.domain.regex_literals import required_literals
from catalog.domain.search import check_pattern, compile_checked
from catalog.domain.trigram_index import TrigramIndex, build_index
from contracts.artifacts import Actor, ArtifactType

PATTERNS = (
    "(?i)checkpoint-0-1|fine-?tuned on squad",  # the hot-path bench's shape: a new counter on every request
    "(?i)checkpoint-1-4711|fine-?tuned on squad",
    "(?i)checkpoint-1-4711",
    "bert-base-uncased-00[0-9]+",
    "(?i)transformer encoder",
    "alpaca$",
    "^resnet-50-0042$",
    "[^a].{99}~",  # no literal: the full scan
)
Documents = list[tuple[bytes, bytes]]


def _best(runs: int, work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def _rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def _deep_size(index: TrigramIndex) -> int:
    """Bytes of the index's dicts, keys, ints and arrays (every object it holds)."""
    size = sys.getsizeof(index.dense) + sys.getsizeof(index.sparse)
    size += sum(sys.getsizeof(key) + sys.getsizeof(bits) for key, bits in index.dense.items())
    return size + sum(sys.getsizeof(key) + sys.getsizeof(ids) for key, ids in index.sparse.items())


def _scan(documents: Documents, pattern: str, index: TrigramIndex | None) -> tuple[int, int]:
    """What a search thread does: compile, ask the index (if any), run RE2 over what is left."""
    compiled = compile_checked(pattern, 1 << 20)
    numbers = None if index is None else index.candidates(required_literals(pattern))
    chosen = range(len(documents)) if numbers is None else numbers
    found = sum(1 for n in chosen if compiled.matches(documents[n][0]) or compiled.matches(documents[n][1]))
    return len(chosen), found


def measure_index(documents: Documents) -> TrigramIndex:
    """Build the index (best of 3) and report its time, its size and the process's RSS growth."""
    gc.collect()
    before = _rss_mb()
    index = build_index(documents)
    grown = _rss_mb() - before
    seconds = _best(2, lambda: build_index(documents))
    print(f"index build: {seconds:.2f} s (best of 3 with the first); RSS +{grown:.1f} MB after the first build")
    print(
        f"index size: {_deep_size(index) / 1e6:.2f} MB in all ({index.nbytes / 1e6:.2f} MB of postings): "
        f"{len(index.dense):,} trigrams as bitsets, {len(index.sparse):,} as arrays"
    )
    return index


def measure_patterns(documents: Documents, index: TrigramIndex) -> None:
    """Scan time of each pattern over every artifact and over the index's candidates; both must agree."""
    print(f"{'pattern':44} {'full ms':>8} {'indexed ms':>10} {'candidates':>10} {'matches':>8}")
    for pattern in PATTERNS:
        full = _best(3, functools.partial(_scan, documents, pattern, None))
        indexed = _best(5, functools.partial(_scan, documents, pattern, index))
        scanned, found = _scan(documents, pattern, index)
        assert found == _scan(documents, pattern, None)[1], pattern
        print(f"{pattern[:44]:44} {full * 1e3:8.1f} {indexed * 1e3:10.2f} {scanned:10,} {found:8,}")


async def measure_checks(count: int) -> None:
    """A pattern's check in the checker process (one at a time, then 64 at once) against on the event loop."""
    checker = PatternChecker()
    try:
        await checker.check("start", 0, 10_000)
        started = time.perf_counter()
        for n in range(count):
            await checker.check(f"(?i)checkpoint-2-{n}|fine-?tuned on squad", 8192, 10_000)
        serial = (time.perf_counter() - started) / count
        started = time.perf_counter()
        await asyncio.gather(
            *(checker.check(f"(?i)checkpoint-3-{n}|fine-?tuned on squad", 8192, 10_000) for n in range(64 * 10))
        )
        burst = (time.perf_counter() - started) / 640
    finally:
        checker.close()
    started = time.perf_counter()
    for n in range(count):
        check_pattern(f"(?i)checkpoint-4-{n}|fine-?tuned on squad", 8192)
    loop = (time.perf_counter() - started) / count
    print(
        f"check per pattern: checker process {serial * 1e3:.2f} ms one at a time, {burst * 1e3:.2f} ms each "
        f"with 64 in flight; on the event loop {loop * 1e3:.3f} ms"
    )


async def measure_search_index(items: list[corpus.SeedArtifact], clients: int, seconds: float) -> None:
    """The catalog's SearchIndex on a seeded SQLite store: warm-up, one write's refresh, and ``clients`` concurrent
    searchers each sending a new pattern (the hot-path bench's) after the other for ``seconds``."""
    with tempfile.TemporaryDirectory(prefix="regex-index-") as data_dir:
        seeded = await seed(Path(data_dir), items)
        async with open_catalog_engine(f"sqlite+aiosqlite:///{seeded.database}") as engine:
            store = SqlArtifactStore(engine)
            index = SearchIndex(store)
            try:
                await index.start()
                started = time.perf_counter()
                await index.ready()
                print(
                    f"SearchIndex warm-up (load {len(items):,} artifacts, build the index): "
                    f"{time.perf_counter() - started:.2f} s"
                )
                artifact = StoredArtifact(new_artifact_id(), ArtifactType.MODEL, "fresh-model", "upload://fresh")
                record = AuditRecord(artifact.metadata, Actor(name="bench", is_admin=True), "CREATE", datetime.now(UTC))
                await store.add(artifact, "a fresh card", record)
                started = time.perf_counter()
                await index.search("fresh card")
                reloaded = time.perf_counter() - started
                await index.ready()
                print(
                    f"after one write: first search (reload, full scan) {reloaded:.2f} s, index updated "
                    f"{time.perf_counter() - started:.2f} s after the write"
                )
                await _searchers(index, clients, seconds)
            finally:
                index.close()


async def _searchers(index: SearchIndex, clients: int, seconds: float) -> None:
    latencies: list[float] = []
    failures = 0
    stop = time.perf_counter() + seconds

    async def client(number: int) -> None:
        nonlocal failures
        counter = 0
        while time.perf_counter() < stop:
            counter += 1
            started = time.perf_counter()
            try:
                await index.search(f"(?i)checkpoint-{number}-{counter}|fine-?tuned on squad")
            except (SearchTooSlow, SearchBusy):  # what the service answers 400 and 503
                failures += 1
            latencies.append(time.perf_counter() - started)

    await asyncio.gather(*(client(n) for n in range(clients)))
    cuts = statistics.quantiles(latencies, n=100)
    print(
        f"{clients} concurrent searchers, a new pattern each time, {seconds:g} s: {len(latencies) / seconds:.0f} "
        f"searches/s, p50 {cuts[49] * 1e3:.1f} ms, p99 {cuts[98] * 1e3:.1f} ms, {failures} refused"
    )


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--artifacts", type=int, default=10_000)
    args = parser.parse_args()
    items = corpus.generate(args.artifacts, 20240611)
    documents = [(item.name.encode(), item.readme.encode()) for item in items]
    text_mb = sum(len(name) + len(readme) for name, readme in documents) / 1e6
    print(f"{len(documents):,} artifacts, {text_mb:.1f} MB of names and READMEs; {os.cpu_count()} cores")
    index = measure_index(documents)
    measure_patterns(documents, index)
    asyncio.run(measure_checks(300))
    asyncio.run(measure_search_index(items, clients=64, seconds=10))


if __name__ == "__main__":
    main()
