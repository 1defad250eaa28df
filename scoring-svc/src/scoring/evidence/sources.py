"""The evidence about one model, fetched once and shared by every metric that needs it.

Each source (Hub metadata, card text, linked datasets, the code repository, its contributors, pull requests and
archive, the lineage relatives, the package size, the scan of the pickle-based files on the Hub or, for an upload,
in the registry's bucket) is fetched on first use by a task that later callers await too, so metrics running
concurrently never fetch the same thing twice. The offline copy of the model's files for the card's example is made
by reproducibility alone, for the time of its runs.
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from contracts.lineage import NodeParents
from contracts.scoring import PickleFileScan, RateModel
from contracts.storage import SourceKind
from scoring.domain.card import front_matter
from scoring.domain.dataset_quality import DatasetCard
from scoring.domain.links import code_repository, linked_datasets
from scoring.domain.reviewedness import PullRequest
from scoring.domain.weights import weight_bytes
from scoring.evidence.reproduction import Sandbox
from scoring.ports import (
    NO_OFFLINE_MODEL,
    ArchiveInspector,
    ArchiveMissing,
    CodeHost,
    HubModel,
    Inspection,
    ModelCopy,
    ModelHub,
    NoModelCopy,
    NoPickleScanner,
    NoStoredPickleScanner,
    OfflineModel,
    PackageBytes,
    PickleScanner,
    Relatives,
    StoredPickleScanner,
)

T = TypeVar("T")


@dataclass(frozen=True)
class Sources:
    """The ports evidence is read through."""

    hub: ModelHub
    code: CodeHost
    relatives: Relatives
    package_bytes: PackageBytes
    sandbox: Sandbox
    inspect: ArchiveInspector
    model_copy: ModelCopy = field(default_factory=NoModelCopy)
    pickles: PickleScanner = field(default_factory=NoPickleScanner)
    stored_pickles: StoredPickleScanner = field(default_factory=NoStoredPickleScanner)


@dataclass(frozen=True)
class LinkedDataset:
    """A dataset the card links to, and its card (None when the Hub has no such dataset)."""

    repo_id: str
    card: DatasetCard | None


class Evidence:
    """Lazily fetched, shared evidence about the model named by ``command``."""

    def __init__(self, command: RateModel, sources: Sources) -> None:
        self.command = command
        self._sources = sources
        self._tasks: dict[str, asyncio.Task[Any]] = {}

    @property
    def sandbox(self) -> Sandbox:
        """Where the card's example code runs."""
        return self._sources.sandbox

    def _once(self, key: str, fetch: Callable[[], Awaitable[T]]) -> Awaitable[T]:
        task = self._tasks.get(key)
        if task is None:
            task = asyncio.ensure_future(fetch())
            self._tasks[key] = task
        return task

    def close(self) -> None:
        """Cancel fetches no metric waited for (e.g. after another metric failed)."""
        for task in self._tasks.values():
            if not task.done():
                task.cancel()

    @property
    def _on_hub(self) -> bool:
        return self.command.source.kind is SourceKind.HF_MODEL

    async def hub_model(self) -> HubModel | None:
        """The Hub's metadata of the model (None for a source that is not a Hub model)."""
        if not self._on_hub:
            return None
        source = self.command.source
        return await self._once("hub", lambda: self._sources.hub.model(source.repo_id, source.revision))

    @asynccontextmanager
    async def offline_model(self, libraries_installed: Callable[[], Awaitable[bool]]) -> AsyncIterator[OfflineModel]:
        """The model's files as a read-only hub cache for its example (weights only if its libraries are installed)."""
        model = await self.hub_model()
        if model is None:
            yield NO_OFFLINE_MODEL
            return
        with_weights = weight_bytes(model.files) is not None and await libraries_installed()
        async with self._sources.model_copy.offline(model, [self.command.source.repo_id], with_weights) as copy:
            yield copy

    async def pickle_files(self, model: HubModel) -> list[PickleFileScan]:
        """The static scan of the Hub model's pickle-based files (``model``: ``hub_model()``'s answer)."""
        return await self._once("pickles", lambda: self._sources.pickles.scan(model))

    async def stored_pickle_files(self) -> list[PickleFileScan] | None:
        """The static scan of an uploaded model's files in the registry's bucket (None: not an upload)."""
        if self.command.source.kind is not SourceKind.UPLOAD:
            return None
        artifact_id = self.command.artifact_id
        return await self._once("stored_pickles", lambda: self._sources.stored_pickles.scan(artifact_id))

    async def card_data(self) -> Mapping[str, object]:
        """The card's parsed YAML metadata: the Hub's, else the card's own front matter ({} when there is none)."""
        model = await self.hub_model()
        return model.card_data if model is not None else front_matter(await self.card())

    async def card(self) -> str:
        """The model card's markdown: as the catalog fetched it, else from the Hub."""
        if self.command.readme or not self._on_hub:
            return self.command.readme
        source = self.command.source
        return await self._once("card", lambda: self._sources.hub.card(source.repo_id, source.revision))

    async def datasets(self) -> list[LinkedDataset]:
        """The datasets the card links to, each with its card."""
        return await self._once("datasets", self._fetch_datasets)

    async def _fetch_datasets(self) -> list[LinkedDataset]:
        ids = linked_datasets(await self.card_data(), await self.card())
        cards = await asyncio.gather(*(self._sources.hub.dataset(repo_id) for repo_id in ids))
        return [LinkedDataset(repo_id, card) for repo_id, card in zip(ids, cards, strict=True)]

    async def repository(self) -> str | None:
        """The model's code repository on GitHub when it exists there, else None."""
        return await self._once("repository", self._find_repository)

    async def _find_repository(self) -> str | None:
        source = self.command.source
        wanted = (
            source.repo_id
            if source.kind is SourceKind.GITHUB
            else code_repository(await self.card(), self.command.name)
        )
        if wanted is None:
            return None
        return await self._sources.code.repository(wanted)

    async def contributions(self) -> list[int]:
        """Commit counts of the repository's contributors ([] without a repository)."""
        repo = await self.repository()
        return [] if repo is None else await self._once("contributors", lambda: self._sources.code.contributions(repo))

    async def pulls(self) -> list[PullRequest]:
        """The repository's recent merged pull requests ([] without a repository)."""
        repo = await self.repository()
        return [] if repo is None else await self._once("pulls", lambda: self._sources.code.merged_pulls(repo))

    async def inspection(self) -> Inspection | None:
        """Static inspection of the repository's archive (None without a repository)."""
        repo = await self.repository()
        return None if repo is None else await self._once("inspection", lambda: self._inspect(repo))

    async def _inspect(self, repo: str) -> Inspection | None:
        try:
            async with self._sources.code.archive(repo) as archive:
                return await self._sources.inspect(archive)
        except ArchiveMissing:
            return None

    async def relatives(self) -> NodeParents | None:
        """The model's parents and children in the lineage graph (None when lineage has no node)."""
        artifact_id = self.command.artifact_id
        return await self._once("relatives", lambda: self._sources.relatives.of(artifact_id))

    async def weights(self) -> list[tuple[str, int | None]]:
        """Files with sizes: the Hub's listing, or the whole stored package for other sources."""
        model = await self.hub_model()
        if model is not None:
            return list(model.files)
        artifact_id = self.command.artifact_id
        size = await self._once("package", lambda: self._sources.package_bytes.of(artifact_id))
        return [] if size is None else [("package.bin", size)]
