"""An in-memory copy of names and READMEs for regex search, refreshed when the store's revision moves.

Every replica keeps its own copy; a cheap revision read that began after the search arrived (shared by the searches
arriving together, ``SharedRead``) tells it whether another replica changed the catalog since, so results are never
stale. Texts are held UTF-8 encoded (the engine would otherwise re-encode them on every search); results are
remembered per (revision, pattern) and per (revision, outermost alternative of a pattern,
``domain/regex_alternatives``), and one scan of an alternative serves every search waiting for it.

A new pattern is checked (valid, under the program-size cap) on the event loop when it is short and plain enough
to take well under a millisecond (``quick_to_check``), else in a process of its own (``PatternChecker``): RE2
holds the GIL while it compiles, up to tens of milliseconds for a pattern far over the cap. Scans run in a small
pool of threads at a lower priority: RE2 releases the GIL while it searches, so every other request keeps flowing.
A trigram index (``domain/trigram_index``) narrows each scan to the artifacts holding every literal a match must
contain (``domain/regex_literals``); it is built (or, after a write or two, updated) in a thread of its own when
the revision moves, and until it is ready scans read every artifact.

Each search has a deadline, counted from its arrival: a scan still running at the deadline is answered at
once and its thread stops before the next artifact (``SearchTooSlow``; one README of the largest size the
catalog keeps, 1 MiB, at the program-size cap, can keep the thread some seconds longer); a search that never
got a thread by then is dropped (``SearchBusy``).
"""

import asyncio
import contextlib
import functools
import threading
import time
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import TypeVar

import structlog

from catalog.adapters.pattern_checker import PatternChecker
from catalog.adapters.shared_read import SharedRead
from catalog.cores import available_cores, release_free_memory, yield_to_requests
from catalog.domain.regex_alternatives import top_level_alternatives
from catalog.domain.regex_literals import EVERYTHING, required_literals
from catalog.domain.search import MAX_PROGRAM_SIZE, check_pattern, compile_checked, quick_to_check
from catalog.domain.trigram_index import IndexOutdated, TrigramIndex, build_index, update_index
from catalog.ports import ArtifactStore
from contracts.artifacts import ArtifactMetadata

CACHED_RESULTS = 256
V = TypeVar("V")
log = structlog.get_logger()


def default_search_threads() -> int:
    """One thread per core but one: that core stays free for the event loop, the database thread and the
    processes beside the catalog (measured on 2 cores: reads took up to 0.26 s beside 2 busy search threads,
    at most 36 ms beside 1)."""
    return max(1, available_cores() - 1)


@dataclass(frozen=True)
class SearchLimits:
    """How much one search may cost: its deadline, its compiled size, and the threads all searches share."""

    deadline_seconds: float = 5.0
    max_program_size: int = MAX_PROGRAM_SIZE
    workers: int = field(default_factory=default_search_threads)


class SearchTooSlow(Exception):
    """The scan was still running at its deadline and was stopped."""

    def __init__(self, seconds: float, scanned: int, total: int, text_bytes: int) -> None:
        super().__init__(f"stopped after {seconds:g} s, {scanned} of {total} artifacts scanned")
        self.seconds = seconds
        self.scanned = scanned
        self.total = total
        self.text_bytes = text_bytes


class SearchBusy(Exception):
    """Every search thread stayed busy with other searches until this one's deadline."""


@dataclass(frozen=True)
class SearchHits:
    """What one pattern matched, in registration order: the models, and the JSON array the API answers with them
    (joined from each artifact's encoding, kept with the copy, rather than encoded again per search)."""

    items: list[ArtifactMetadata]
    encoded: bytes


@dataclass(frozen=True)
class _Entry:
    metadata: ArtifactMetadata
    name: bytes
    readme: bytes
    encoded: bytes  # metadata.model_dump_json(), once per load of the copy


@dataclass(frozen=True)
class _Corpus:
    revision: int
    entries: list[_Entry]
    longest: int
    text_bytes: int
    index: TrigramIndex | None = None


class _Unfiltered(Exception):
    """An alternative the index cannot narrow: the whole pattern is scanned once instead of it and the others."""


class _Scan:
    """One search as a worker thread runs it: compile, then match artifact by artifact until done or stopped."""

    def __init__(
        self, checked: str, corpus: _Corpus, limits: SearchLimits, deadline: float, narrowed_only: bool = False
    ) -> None:
        self.checked = checked
        self.narrowed_only = narrowed_only
        self.corpus = corpus
        self.limits = limits
        self.deadline = deadline
        self.started = threading.Event()
        self.stopped = threading.Event()
        self.scanned = 0
        self.total = len(corpus.entries)

    def run(self) -> "array[int]":
        """The numbers (positions in the corpus) of the artifacts with a match."""
        self.started.set()
        numbers = self.candidates()
        compiled = compile_checked(self.checked, self.corpus.longest)
        self.total = len(numbers)
        found = array("I")
        for number in numbers:
            if self.stopped.is_set() or time.monotonic() > self.deadline:
                raise self.too_slow()
            entry = self.corpus.entries[number]
            if compiled.matches(entry.name) or compiled.matches(entry.readme):
                found.append(number)
            self.scanned += 1
        return found

    def candidates(self) -> Sequence[int]:
        """The artifacts the index leaves to scan: those holding what every match must contain."""
        index = self.corpus.index
        numbers = None if index is None else index.candidates(required_literals(self.checked))
        if numbers is None and self.narrowed_only:
            raise _Unfiltered
        return range(len(self.corpus.entries)) if numbers is None else numbers

    def too_slow(self) -> SearchTooSlow:
        return SearchTooSlow(self.limits.deadline_seconds, self.scanned, self.total, self.corpus.text_bytes)


class SearchIndex:
    """Names and README texts of every artifact, searched with a linear-time engine off the event loop."""

    def __init__(self, store: ArtifactStore, limits: SearchLimits | None = None) -> None:
        self._store = store
        self._limits = limits or SearchLimits()
        self._corpus = _Corpus(-1, [], 0, 0)
        self._refresh = asyncio.Lock()
        self._stored_revision = SharedRead(store.revision)  # never older than the search asking
        self._results: OrderedDict[tuple[int, str], SearchHits] = OrderedDict()
        self._alternatives: OrderedDict[tuple[int, str], array[int]] = OrderedDict()
        self._alternative_hits: OrderedDict[tuple[int, str], SearchHits] = OrderedDict()
        self._scanning: dict[tuple[int, str], asyncio.Future[array[int]]] = {}
        self._checker = PatternChecker()
        self._pool = ThreadPoolExecutor(self._limits.workers, "regex-search", yield_to_requests)
        self._indexer = ThreadPoolExecutor(1, "regex-index", yield_to_requests)
        self._indexing: asyncio.Future[TrigramIndex] | None = None

    async def search(self, pattern: str) -> list[ArtifactMetadata]:
        """Artifacts whose name or README contains a match of ``pattern``; raises as ``hits`` does."""
        return (await self.hits(pattern)).items

    async def hits(self, pattern: str) -> SearchHits:
        """Artifacts whose name or README contains a match of ``pattern``, with their encoding; raises
        ``InvalidPattern`` (or its ``PatternTooCostly``), ``SearchTooSlow`` or ``SearchBusy``."""
        deadline = time.monotonic() + self._limits.deadline_seconds
        corpus = await self._current()
        key = (corpus.revision, pattern)
        cached = self._results.get(key)
        if cached is not None:
            self._results.move_to_end(key)
            return cached
        checked = await self._check(pattern, corpus, deadline)
        corpus = await self._indexed(corpus, checked, deadline)
        try:
            found = await self._alternatives_hits(top_level_alternatives(checked) or [], corpus, deadline)
        except _Unfiltered:
            found = None
        if found is None:
            found = _hits(corpus, await self._scan(_Scan(checked, corpus, self._limits, deadline)))
        _remember(self._results, key, found)
        return found

    async def _indexed(self, corpus: _Corpus, checked: str, deadline: float) -> _Corpus:
        """``corpus`` with its index, when one is being built and could narrow ``checked``: waiting for it (about a
        second for 10,000 artifacts after a start, tens of milliseconds after a write) costs less than scanning
        every artifact meanwhile, and searches arriving together after a start would otherwise queue their full
        scans past their deadlines. The wait takes half the time left at most; then every artifact is scanned."""
        corpus = self._attached(corpus)  # its index may have been attached while the pattern was checked
        indexing = self._indexing
        if corpus.index is not None or indexing is None or indexing.done():
            return corpus
        if required_literals(checked) == EVERYTHING:
            return corpus
        with contextlib.suppress(Exception):  # outdated, failed (logged by ``attach``) or too long: scan all
            async with asyncio.timeout(max(0.0, deadline - time.monotonic()) / 2):
                await asyncio.shield(indexing)
        return self._attached(corpus)

    def _attached(self, corpus: _Corpus) -> _Corpus:
        """The current copy if it is ``corpus``'s revision (with its index, once attached), else ``corpus``."""
        current = self._corpus
        return current if current.revision == corpus.revision else corpus

    async def _alternatives_hits(self, alternatives: list[str], corpus: _Corpus, deadline: float) -> SearchHits | None:
        """The union of what each alternative matches (None without alternatives); raises ``_Unfiltered``. When
        only one alternative matches anything (a recurring one beside new ones matching nothing, the common case
        of a new pattern), its own hits are reused whole: no merge, no join."""
        if not alternatives:
            return None
        matched = [(a, await self._alternative(a, corpus, deadline)) for a in alternatives]
        nonempty = [(alternative, numbers) for alternative, numbers in matched if numbers]
        if len(nonempty) != 1:
            return _hits(corpus, sorted(set().union(*(numbers for _, numbers in nonempty))))
        alternative, numbers = nonempty[0]
        key = (corpus.revision, alternative)
        found = self._alternative_hits.get(key)
        if found is None:
            found = _hits(corpus, numbers)
        _remember(self._alternative_hits, key, found)
        return found

    async def _alternative(self, alternative: str, corpus: _Corpus, deadline: float) -> "array[int]":
        """The artifacts matching one alternative of a pattern, remembered apart from the whole pattern; raises
        ``_Unfiltered`` rather than scan every artifact for it."""
        key = (corpus.revision, alternative)
        numbers = self._alternatives.get(key)
        if numbers is None:
            scanning = self._scanning.get(key)
            if scanning is None:
                scan = _Scan(alternative, corpus, self._limits, deadline, narrowed_only=True)
                self._scanning[key] = scanning = asyncio.ensure_future(self._scan(scan))
                scanning.add_done_callback(functools.partial(self._scanned, key))
            numbers = await asyncio.shield(scanning)
        _remember(self._alternatives, key, numbers)
        return numbers

    def _scanned(self, key: tuple[int, str], done: "asyncio.Future[array[int]]") -> None:
        """Forget a finished scan; its outcome is every waiter's, even with none left (hence retrieved here)."""
        self._scanning.pop(key, None)
        if not done.cancelled():
            done.exception()

    async def start(self) -> None:
        """Start the checking process now rather than at the first pattern that needs it (it takes a moment to
        start; the service leaves it to that pattern, so an idle catalog holds no checker)."""
        await self._checker.check("start", 0, self._limits.max_program_size)

    async def ready(self) -> None:
        """Load the current corpus and wait until its index is built (warm-up, tests, benchmarks)."""
        while (await self._current()).index is None and self._indexing is not None:
            with contextlib.suppress(IndexOutdated):
                await asyncio.shield(self._indexing)

    def close(self) -> None:
        """Stop the checking process, the search threads (scans in flight end at their next artifact) and the
        indexing thread (an index in progress ends at its next 256 artifacts)."""
        self._checker.close()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._corpus = _Corpus(-2, [], 0, 0)
        self._indexer.shutdown(wait=False, cancel_futures=True)

    async def _check(self, pattern: str, corpus: _Corpus, deadline: float) -> str:
        if quick_to_check(pattern):
            return check_pattern(pattern, corpus.longest, self._limits.max_program_size)
        try:
            async with asyncio.timeout(max(0.0, deadline - time.monotonic())):
                return await self._checker.check(pattern, corpus.longest, self._limits.max_program_size)
        except TimeoutError:
            raise SearchBusy from None

    async def _scan(self, scan: _Scan) -> "array[int]":
        future = self._pool.submit(scan.run)
        try:
            async with asyncio.timeout(max(0.0, scan.deadline - time.monotonic())):
                return await asyncio.wrap_future(future)
        except TimeoutError:
            scan.stopped.set()
            if future.cancel() or not scan.started.is_set():
                raise SearchBusy from None
            raise scan.too_slow() from None

    async def _current(self) -> _Corpus:
        revision = await self._stored_revision()
        if revision != self._corpus.revision:
            async with self._refresh:
                if revision != self._corpus.revision:
                    loaded_at, documents = await self._store.search_documents()
                    previous = self._corpus
                    entries = [
                        _Entry(
                            d.metadata,
                            d.metadata.name.encode(),
                            d.readme.encode(),
                            d.metadata.model_dump_json().encode(),
                        )
                        for d in documents
                    ]
                    longest = max((max(len(d.metadata.name), len(d.readme)) for d in documents), default=0)
                    size = sum(len(e.name) + len(e.readme) for e in entries)
                    self._corpus = _Corpus(loaded_at, entries, longest, size)
                    self._results.clear()
                    self._alternatives.clear()
                    self._alternative_hits.clear()
                    self._index(self._corpus, previous)
        return self._corpus

    def _index(self, corpus: _Corpus, previous: _Corpus) -> None:
        """Build the index of ``corpus`` in the indexing thread (from ``previous``'s after a small change); it is
        attached if ``corpus`` is still current."""
        documents = [(entry.name, entry.readme) for entry in corpus.entries]
        started = time.monotonic()
        indexing = asyncio.get_running_loop().run_in_executor(
            self._indexer, _build, documents, previous, lambda: self._corpus.revision != corpus.revision
        )
        self._indexing = indexing

        def attach(done: "asyncio.Future[TrigramIndex]") -> None:
            if done.cancelled() or isinstance(done.exception(), IndexOutdated):
                return
            if (error := done.exception()) is not None:
                log.error("regex_index_failed", revision=corpus.revision, error=repr(error))
            elif self._corpus.revision == corpus.revision:
                self._corpus = replace(self._corpus, index=done.result())
                figures = {"artifacts": len(documents), "posting_bytes": done.result().nbytes}
                log.info("regex_index_built", revision=corpus.revision, seconds=time.monotonic() - started, **figures)

        indexing.add_done_callback(attach)


def _build(documents: list[tuple[bytes, bytes]], previous: _Corpus, outdated: Callable[[], bool]) -> TrigramIndex:
    if previous.index is not None:
        before = [(entry.name, entry.readme) for entry in previous.entries]
        updated = update_index(previous.index, before, documents)
        if updated is not None:
            return updated
    index = build_index(documents, outdated)
    release_free_memory()
    return index


def _hits(corpus: _Corpus, numbers: Iterable[int]) -> SearchHits:
    entries = [corpus.entries[number] for number in numbers]
    return SearchHits([e.metadata for e in entries], b"[" + b",".join([e.encoded for e in entries]) + b"]")


def _remember(cache: "OrderedDict[tuple[int, str], V]", key: tuple[int, str], value: V) -> None:
    """Keep ``value`` as the newest of ``cache``'s entries, dropping the oldest beyond ``CACHED_RESULTS``."""
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > CACHED_RESULTS:
        cache.popitem(last=False)
