"""An in-memory copy of names and READMEs for regex search, refreshed when the store's revision moves.

Every replica keeps its own copy; one cheap revision read per search tells it whether another replica
changed the catalog since, so results are never stale.
"""

import asyncio

from catalog.domain.search import SearchPattern, compile_pattern
from catalog.ports import ArtifactStore, SearchDocument
from contracts.artifacts import ArtifactMetadata


class SearchIndex:
    """Names and README texts of every artifact, searched with a linear-time engine."""

    def __init__(self, store: ArtifactStore) -> None:
        self._store = store
        self._revision = -1
        self._documents: list[SearchDocument] = []
        self._longest = 0
        self._lock = asyncio.Lock()

    async def search(self, pattern: str) -> list[ArtifactMetadata]:
        """Artifacts whose name or README contains a match of ``pattern`` (raises ``InvalidPattern``)."""
        documents, longest = await self._current()
        compiled = compile_pattern(pattern, longest)
        if len(documents) > 200:
            return await asyncio.to_thread(_scan, compiled, documents)
        return _scan(compiled, documents)

    async def _current(self) -> tuple[list[SearchDocument], int]:
        revision = await self._store.revision()
        if revision != self._revision:
            async with self._lock:
                if revision != self._revision:
                    self._revision, self._documents = await self._store.search_documents()
                    self._longest = max((max(len(d.metadata.name), len(d.readme)) for d in self._documents), default=0)
        return self._documents, self._longest


def _scan(pattern: SearchPattern, documents: list[SearchDocument]) -> list[ArtifactMetadata]:
    return [d.metadata for d in documents if pattern.matches(d.metadata.name) or pattern.matches(d.readme)]
