"""Fakes implementing the catalog's ports, for use-case tests that need no upstream service."""

from collections.abc import Sequence

from catalog.domain.sources import Source
from catalog.ports import UpstreamDescription, UpstreamNotFound
from contracts.artifacts import ArtifactType


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

    async def verify(self, password_hash: str, password: str) -> bool:
        return password_hash == "plain:" + password


class RecordingEvents:
    """Remembers the events a use case published."""

    def __init__(self) -> None:
        self.revoked: list[list[str] | None] = []

    async def tokens_revoked(self, users: Sequence[str] | None) -> None:
        self.revoked.append(list(users) if users is not None else None)
