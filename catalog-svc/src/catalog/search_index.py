"""An in-memory copy of names and READMEs for regex search, refreshed when the store's revision moves.

Every replica keeps its own copy; one cheap revision read per search tells it whether another replica
changed the catalog since, so results are never stale. Texts are held UTF-8 encoded (the engine would
otherwise re-encode them on every search), scans yield to the event loop between chunks so other requests
keep flowing, and results are remembered per (revision, pattern).
"""

import asyncio
from collections import OrderedDict
from dataclasses import dataclass

from catalog.domain.search import SearchPattern, compile_pattern
from catalog.ports import ArtifactStore
from contracts.artifacts import ArtifactMetadata

SCAN_CHUNK = 256
CACHED_RESULTS = 256


@dataclass(frozen=True)
class _Entry:
    metadata: ArtifactMetadata
    name: bytes
    readme: bytes


class SearchIndex:
    """Names and README texts of every artifact, searched with a linear-time engine."""

    def __init__(self, store: ArtifactStore) -> None:
        self._store = store
        self._revision = -1
        self._entries: list[_Entry] = []
        self._longest = 0
        self._refresh = asyncio.Lock()
        self._results: OrderedDict[tuple[int, str], list[ArtifactMetadata]] = OrderedDict()

    async def search(self, pattern: str) -> list[ArtifactMetadata]:
        """Artifacts whose name or README contains a match of ``pattern`` (raises ``InvalidPattern``)."""
        revision, entries, longest = await self._current()
        key = (revision, pattern)
        cached = self._results.get(key)
        if cached is not None:
            self._results.move_to_end(key)
            return cached
        found = await _scan(compile_pattern(pattern, longest), entries)
        self._results[key] = found
        while len(self._results) > CACHED_RESULTS:
            self._results.popitem(last=False)
        return found

    async def _current(self) -> tuple[int, list[_Entry], int]:
        revision = await self._store.revision()
        if revision != self._revision:
            async with self._refresh:
                if revision != self._revision:
                    loaded_at, documents = await self._store.search_documents()
                    self._entries = [_Entry(d.metadata, d.metadata.name.encode(), d.readme.encode()) for d in documents]
                    self._longest = max((max(len(d.metadata.name), len(d.readme)) for d in documents), default=0)
                    self._revision = loaded_at
                    self._results.clear()
        return self._revision, self._entries, self._longest


async def _scan(pattern: SearchPattern, entries: list[_Entry]) -> list[ArtifactMetadata]:
    found: list[ArtifactMetadata] = []
    for start in range(0, len(entries), SCAN_CHUNK):
        if start:
            await asyncio.sleep(0)
        found.extend(
            e.metadata
            for e in entries[start : start + SCAN_CHUNK]
            if pattern.matches(e.name) or pattern.matches(e.readme)
        )
    return found
