"""A fresh copy of the catalog's texts: searches arriving while its regex index is built wait for it."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from catalog.adapters.artifact_store import SqlArtifactStore
from catalog.adapters.engine import open_catalog_engine
from catalog.adapters.search_index import SearchIndex, SearchLimits
from tests.catalog.test_search_index import SLOW, _add, _readme


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqlArtifactStore]:
    async with open_catalog_engine(f"sqlite+aiosqlite:///{tmp_path / 'catalog.db'}") as engine:
        store = SqlArtifactStore(engine)
        for index in range(12):
            await _add(store, f"model-{index}", _readme(index))
        yield store


async def test_a_search_arriving_while_the_index_is_built_waits_for_it_rather_than_scan_everything(
    store: SqlArtifactStore,
) -> None:
    # "zzzq" is in no README: the index narrows this pattern to no artifact, where a scan of all of them for the
    # SLOW part takes 0.8 s, past the deadline (SearchTooSlow).
    index = SearchIndex(store, SearchLimits(deadline_seconds=0.5, workers=1))
    try:
        await index.start()  # the pattern checker's process is up: checking the pattern takes no time
        assert await index.search(SLOW + "zzzq") == []  # the first search of a fresh copy: no index yet
    finally:
        index.close()
