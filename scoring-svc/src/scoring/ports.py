"""The small interfaces scoring-svc's use cases depend on; adapters implement them, ``service.py`` wires them."""

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal, Protocol

from contracts.lineage import NodeParents
from contracts.scoring import PickleFileScan, PickleVerdict, RatingReport
from scoring.domain.code_quality import CodeFacts
from scoring.domain.dataset_quality import DatasetCard
from scoring.domain.pickle_safety import is_pickle_based
from scoring.domain.reviewedness import PullRequest


class SourceUnavailable(Exception):
    """An upstream source could not be read (unreachable, 5xx or rate-limited after retries)."""


class ArchiveMissing(Exception):
    """The repository exists but has no archive to download (an empty repository)."""


@dataclass(frozen=True, slots=True)
class PublishedHash:
    """The digest the Hub publishes for a file: sha256 of an LFS file, git blob sha1 of any other."""

    algorithm: Literal["sha256", "git-sha1"]
    hexdigest: str


@dataclass(frozen=True, slots=True)
class HubSecurity:
    """The Hub's own scan of a repository (``securityRepoStatus``): whether its scans are done, and the files it
    lists with an issue, each with its level (``unsafe``, ``caution``, ``suspicious``, ``queued``, ...)."""

    scans_done: bool
    files_with_issues: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class HubModel:
    """What the Hub says about a model: parsed card metadata, every file with its size, the commit and digests,
    and its own security scan (None when it gave none)."""

    repo_id: str
    card_data: Mapping[str, object] = field(default_factory=dict)
    files: Sequence[tuple[str, int | None]] = ()
    commit: str | None = None
    hashes: Mapping[str, PublishedHash] = field(default_factory=dict)
    security: HubSecurity | None = None


@dataclass(frozen=True, slots=True)
class OfflineModel:
    """The model's files laid out as a Hugging Face hub cache for the card's example, read only.

    ``cache`` is the directory to use as ``HF_HUB_CACHE`` (None: nothing was copied); ``incomplete`` says what the
    copy lacks and why (None: it holds every file an example loading the model can need).
    """

    cache: Path | None
    incomplete: str | None


NO_OFFLINE_MODEL = OfflineModel(cache=None, incomplete="only Hugging Face models are copied for their examples")


@dataclass(frozen=True)
class StoredRating:
    """A stored rating report, or the failure message recorded instead of one."""

    report: RatingReport | None
    failure: str | None


class ModelHub(Protocol):
    """Hugging Face, through ``HF_ENDPOINT``."""

    async def model(self, repo_id: str, revision: str | None) -> HubModel: ...
    async def card(self, repo_id: str, revision: str | None) -> str: ...
    async def dataset(self, repo_id: str) -> DatasetCard | None: ...


class CodeHost(Protocol):
    """GitHub, through ``GITHUB_API_URL``; ``repository`` is None when the repository does not exist."""

    async def repository(self, repo_id: str) -> str | None: ...
    async def contributions(self, repo_id: str) -> list[int]: ...
    async def merged_pulls(self, repo_id: str) -> list[PullRequest]: ...
    def archive(self, repo_id: str) -> AbstractAsyncContextManager[Path]: ...


class ModelCopy(Protocol):
    """An offline copy of a Hub model's files for one reproduction, removed when the context ends."""

    def offline(
        self, model: HubModel, aliases: Sequence[str], with_weights: bool
    ) -> AbstractAsyncContextManager[OfflineModel]: ...


class NoModelCopy:
    """Copies nothing (tools and tests that rate without the Hub's files)."""

    @asynccontextmanager
    async def offline(self, model: HubModel, aliases: Sequence[str], with_weights: bool) -> AsyncIterator[OfflineModel]:
        """Yield a copy that holds nothing."""
        yield OfflineModel(cache=None, incomplete="the model's files are not copied here")


class PickleScanner(Protocol):
    """Reads a Hub model's pickle-based files at its commit and scans them statically (never unpickled): one entry
    per file, in the order of ``model.files``; a file that could not be read is ``unscanned`` with the reason."""

    async def scan(self, model: HubModel) -> list[PickleFileScan]: ...


class NoPickleScanner:
    """Reads no file (tools and tests that rate without the Hub's bytes): every pickle-based file is unscanned."""

    async def scan(self, model: HubModel) -> list[PickleFileScan]:
        """Each pickle-based file, unscanned."""
        return [
            PickleFileScan(path=path, verdict=PickleVerdict.UNSCANNED, detail="the model's files are not read here")
            for path, _ in model.files
            if is_pickle_based(path)
        ]


class StoredPickleScanner(Protocol):
    """Reads the files of a model's package in the registry's own bucket (an upload) and scans them statically: one
    entry per pickle-based file or archive member; a file that could not be read is ``unscanned`` with the reason."""

    async def scan(self, artifact_id: str) -> list[PickleFileScan]: ...


class NoStoredPickleScanner:
    """Reads no stored file (tools and tests that rate without storage-svc's bytes)."""

    async def scan(self, artifact_id: str) -> list[PickleFileScan]:
        """Nothing: the package's files are not read here."""
        return []


class Relatives(Protocol):
    """lineage-svc: a registered artifact's direct parents and children (None when lineage has no such node)."""

    async def of(self, artifact_id: str) -> NodeParents | None: ...


class PackageBytes(Protocol):
    """storage-svc: the bytes of an artifact's package (None when unknown)."""

    async def of(self, artifact_id: str) -> int | None: ...


class RatingStore(Protocol):
    """scoring-svc's own store of rating reports."""

    async def put(self, report: RatingReport) -> None: ...
    async def put_failure(self, artifact_id: str, message: str, at: datetime) -> None: ...
    async def get(self, artifact_id: str) -> StoredRating | None: ...
    async def children(self, parent_id: str) -> list[str]: ...
    async def delete(self, artifact_id: str) -> bool: ...
    async def clear(self) -> None: ...


class RatingObserver(Protocol):
    """Where the rating's own measurements go (Prometheus in the service)."""

    def metric_seconds(self, metric: str, seconds: float) -> None: ...
    def outcome(self, outcome: str) -> None: ...


class NoObserver:
    """Observes nothing (tests, tools)."""

    def metric_seconds(self, metric: str, seconds: float) -> None:
        """Ignore a latency."""

    def outcome(self, outcome: str) -> None:
        """Ignore an outcome."""


class Inspection(Protocol):
    """What static inspection of a code archive found."""

    @property
    def facts(self) -> CodeFacts: ...

    @property
    def total_lines(self) -> int: ...


# Inspects a downloaded code archive (a tar.gz path): hygiene facts, lint density, lines of code.
ArchiveInspector = Callable[[Path], Awaitable[Inspection]]
