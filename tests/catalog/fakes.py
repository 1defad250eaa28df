"""Fakes implementing the catalog's ports, for use-case tests that need no upstream service."""

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from catalog.adapters.artifact_store import SqlArtifactStore
from catalog.adapters.search_index import SearchIndex
from catalog.adapters.user_store import SqlUserStore
from catalog.deps import Deps
from catalog.domain.sources import Source
from catalog.ports import UpstreamDescription, UpstreamNotFound
from contracts.artifacts import ArtifactType
from contracts.errors import ErrorCode, ServiceFailure
from contracts.scoring import MetricNote, ModelRating, RatingReport, SizeScores
from contracts.storage import DownloadLink, PackageView, Part, SourceRef
from contracts.webhooks import RegistryEvent


class FakeUpstream:
    """An upstream that knows a fixed set of repositories and their READMEs."""

    def __init__(self, readmes: dict[str, str]) -> None:
        self.readmes = readmes

    async def describe(self, source: Source, artifact_type: ArtifactType) -> UpstreamDescription:
        if source.repo_id not in self.readmes:
            raise UpstreamNotFound(f"no repository {source.repo_id}")
        return UpstreamDescription(readme=self.readmes[source.repo_id])


class FastHasher:
    """Plain-text "hashing" so use-case tests need not pay for argon2 (the e2e tests use the real one)."""

    async def hash(self, password: str) -> str:
        return "plain:" + password

    async def verify(self, password_hash: str | None, password: str) -> bool:
        return password_hash is not None and password_hash == "plain:" + password


class RecordingEvents:
    """Remembers the events a use case published."""

    def __init__(self) -> None:
        self.revoked: list[list[str] | None] = []
        self.revocations: list[int] = []
        self.registry: list[RegistryEvent] = []

    async def tokens_revoked(self, users: Sequence[str] | None, revocation: int) -> None:
        self.revoked.append(list(users) if users is not None else None)
        self.revocations.append(revocation)

    async def registry_event(self, event: RegistryEvent) -> None:
        self.registry.append(event)


class FakeStorage:
    """Records what the catalog asked storage-svc; ``down`` makes every call fail like an absent service."""

    def __init__(self) -> None:
        self.prepared: list[str] = []
        self.discarded: list[str] = []
        self.down = False

    def _check(self) -> None:
        if self.down:
            raise ServiceFailure(ErrorCode.UNAVAILABLE, "The storage service is not available right now.")

    async def prepare(self, artifact_id: str, artifact_type: ArtifactType, source: SourceRef) -> None:
        self._check()
        self.prepared.append(artifact_id)

    async def discard(self, artifact_id: str) -> None:
        self._check()
        self.discarded.append(artifact_id)

    async def link(self, artifact_id: str, part: Part) -> DownloadLink:
        self._check()
        raise ServiceFailure(ErrorCode.CONFLICT, "not copied in this fake")

    async def view(self, artifact_id: str) -> PackageView:
        self._check()
        raise ServiceFailure(ErrorCode.NOT_FOUND, "no package in this fake")


class FakeLineage:
    """Records what the catalog asked lineage-svc."""

    def __init__(self) -> None:
        self.recorded: list[str] = []
        self.forgotten: list[str] = []

    async def record(self, artifact_id: str, artifact_type: ArtifactType, name: str, source: SourceRef) -> None:
        self.recorded.append(artifact_id)

    async def forget(self, artifact_id: str) -> None:
        self.forgotten.append(artifact_id)


class FakeRater:
    """Answers every rating with the scores it was given; records what the catalog asked scoring-svc."""

    def __init__(self, gate_failures: list[str] | None = None) -> None:
        self.gate_failures = gate_failures or []
        self.rated: list[tuple[str, bool]] = []
        self.forgotten: list[str] = []

    async def rate(self, artifact_id: str, name: str, source: SourceRef, readme: str, gate: bool) -> RatingReport:
        self.rated.append((artifact_id, gate))
        notes = [MetricNote(metric=m, score=0.1, applicable=True, detail="fake") for m in self.gate_failures]
        scores = {field: 0.1 for field in ModelRating.model_fields if field not in ("name", "category", "size_score")}
        sizes = SizeScores(raspberry_pi=1, jetson_nano=1, desktop_pc=1, aws_server=1)
        rating = ModelRating(name=name, category="MODEL", size_score=sizes, **scores)
        return RatingReport(
            artifact_id=artifact_id,
            rating=rating,
            notes=notes,
            gated=list(self.gate_failures),
            gate_failures=self.gate_failures,
            rated_at=datetime.now(UTC),
        )

    async def forget(self, artifact_id: str) -> None:
        self.forgotten.append(artifact_id)

    async def report(self, artifact_id: str) -> RatingReport | None:
        return None  # the package view then shows no pickle verdicts


def store_deps(engine: AsyncEngine, **overrides: Any) -> Deps:
    """The catalog's use cases on its real SQL store (``engine``), with fakes for the upstream, the password hash
    and the other services; ``overrides`` replace any of them (a policy, a clock, another fake)."""
    store = SqlArtifactStore(engine)
    deps = Deps(
        artifacts=store,
        users=SqlUserStore(engine),
        upstream=FakeUpstream({"org/model": "# Model card"}),
        hasher=FastHasher(),
        search=SearchIndex(store),
        events=RecordingEvents(),
        storage=FakeStorage(),
        lineage=FakeLineage(),
        scoring=FakeRater(),
    )
    return replace(deps, **overrides)
