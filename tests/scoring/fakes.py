"""Fakes of scoring-svc's upstream ports (they implement the real interfaces, with counters and delays)."""

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from contracts.artifacts import ArtifactType
from contracts.lineage import NodeParents, Parent
from contracts.scoring import PickleFileScan, PickleVerdict
from scoring.domain.code_quality import CodeFacts
from scoring.domain.dataset_quality import DatasetCard
from scoring.domain.pickle_safety import is_pickle_based
from scoring.domain.reviewedness import PullRequest
from scoring.evidence.reproduction import SandboxRun
from scoring.ports import HubModel, SourceUnavailable


@dataclass
class Calls:
    """How often each source was read."""

    counts: Counter[str] = field(default_factory=Counter)

    async def hit(self, name: str, delay: float) -> None:
        self.counts[name] += 1
        await asyncio.sleep(delay)


@dataclass
class FakeHub:
    """Models and dataset cards by id; ``delay`` seconds per call."""

    models: Mapping[str, HubModel]
    cards: Mapping[str, str] = field(default_factory=dict)
    datasets: Mapping[str, DatasetCard] = field(default_factory=dict)
    calls: Calls = field(default_factory=Calls)
    delay: float = 0.0
    down: bool = False

    async def model(self, repo_id: str, revision: str | None) -> HubModel:
        await self.calls.hit("model", self.delay)
        if self.down:
            raise SourceUnavailable("Hugging Face is unreachable: connection refused")
        return self.models[repo_id]

    async def card(self, repo_id: str, revision: str | None) -> str:
        await self.calls.hit("card", self.delay)
        return self.cards.get(repo_id, "")

    async def dataset(self, repo_id: str) -> DatasetCard | None:
        await self.calls.hit("dataset", self.delay)
        return self.datasets.get(repo_id)


@dataclass(frozen=True)
class FakeInspection:
    """An inspection result."""

    facts: CodeFacts
    total_lines: int


@dataclass
class FakeCodeHost:
    """Repositories by id with contributors, pull requests and an inspection result."""

    repos: Mapping[str, tuple[list[int], list[PullRequest], FakeInspection]] = field(default_factory=dict)
    calls: Calls = field(default_factory=Calls)
    delay: float = 0.0

    async def repository(self, repo_id: str) -> str | None:
        await self.calls.hit("repository", self.delay)
        return repo_id if repo_id in self.repos else None

    async def contributions(self, repo_id: str) -> list[int]:
        await self.calls.hit("contributors", self.delay)
        return self.repos[repo_id][0]

    async def merged_pulls(self, repo_id: str) -> list[PullRequest]:
        await self.calls.hit("pulls", self.delay)
        return self.repos[repo_id][1]

    @asynccontextmanager
    async def archive(self, repo_id: str) -> AsyncIterator[Path]:
        await self.calls.hit("archive", self.delay)
        yield Path("/nonexistent") / repo_id

    async def inspect(self, archive: Path) -> FakeInspection:
        """The ``ArchiveInspector`` for archives this host handed out."""
        return self.repos[f"{archive.parent.name}/{archive.name}"][2]


@dataclass
class FakeRelatives:
    """A lineage graph as child → parents (models only)."""

    parents: dict[str, list[str]] = field(default_factory=dict)

    async def of(self, artifact_id: str) -> NodeParents | None:
        def node(other: str) -> Parent:
            return Parent(artifact_id=other, type=ArtifactType.MODEL, relationship="base_model")

        ups = [node(p) for p in self.parents.get(artifact_id, [])]
        downs = [node(child) for child, ps in self.parents.items() if artifact_id in ps]
        return NodeParents(artifact_id=artifact_id, parents=ups, children=downs)


@dataclass
class FakePackageBytes:
    """Package sizes by artifact id."""

    sizes: dict[str, int] = field(default_factory=dict)

    async def of(self, artifact_id: str) -> int | None:
        return self.sizes.get(artifact_id)


@dataclass
class FakeSandbox:
    """Answers every run with ``status`` after ``delay`` seconds."""

    status: str = "ok"
    delay: float = 0.0
    runs: int = 0
    unavailable: str | None = None

    async def run(self, code: str, cache: Path | None = None) -> SandboxRun:
        self.runs += 1
        await asyncio.sleep(self.delay)
        if self.status == "ok":
            return SandboxRun(status="ok", exit_code=0, seconds=self.delay, stderr_tail="")
        return SandboxRun(status="error", exit_code=1, seconds=self.delay, stderr_tail="RuntimeError: boom")


@dataclass
class FakePickleScanner:
    """Verdicts of pickle-based files by path (a file not listed is safe); counts the models scanned."""

    verdicts: dict[str, tuple[PickleVerdict, list[str]]] = field(default_factory=dict)
    scanned: list[str] = field(default_factory=list)

    async def scan(self, model: HubModel) -> list[PickleFileScan]:
        self.scanned.append(model.repo_id)
        scans = []
        for path, size in model.files:
            if not is_pickle_based(path):
                continue
            verdict, imports = self.verdicts.get(path, (PickleVerdict.SAFE, []))
            scans.append(
                PickleFileScan(
                    path=path, verdict=verdict, detail=f"{verdict.value} here", dangerous_imports=imports, size=size
                )
            )
        return scans
