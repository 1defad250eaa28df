"""The small interfaces the use cases depend on; adapters implement them."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from catalog.domain.artifacts import AuditRecord, StoredArtifact
from catalog.domain.auth import TokenRecord, User
from catalog.domain.sources import Source
from contracts.artifacts import ArtifactMetadata, ArtifactQuery, ArtifactType
from contracts.base import Contract
from contracts.scoring import RatingReport
from contracts.storage import DownloadLink, PackageView, Part, SourceRef
from contracts.users import Permission
from contracts.webhooks import RegistryEvent


@dataclass(frozen=True)
class SearchDocument:
    """What regex search looks at for one artifact."""

    metadata: ArtifactMetadata
    readme: str


class ArtifactStore(Protocol):
    """Artifact metadata and the audit trail."""

    async def add(self, artifact: StoredArtifact, readme: str, audit: AuditRecord) -> StoredArtifact: ...
    async def get(self, artifact_id: str) -> StoredArtifact | None: ...
    async def replace_source(self, artifact: StoredArtifact, readme: str, audit: AuditRecord) -> None: ...
    async def delete(self, artifact_id: str, audit: AuditRecord) -> None: ...
    async def count(self, queries: Sequence[ArtifactQuery]) -> int: ...
    async def page(self, queries: Sequence[ArtifactQuery], after: int, limit: int) -> list[StoredArtifact]: ...
    async def by_name(self, name: str) -> list[StoredArtifact]: ...
    async def revision(self) -> int: ...
    async def search_documents(self) -> tuple[int, list[SearchDocument]]: ...
    async def audit_trail(self, artifact_id: str) -> list[AuditRecord]: ...
    async def record(self, *audits: AuditRecord) -> None: ...
    async def clear(self) -> None: ...


class UserStore(Protocol):
    """Users and their tokens."""

    async def get_user(self, name: str) -> User | None: ...
    async def list_users(self) -> list[User]: ...
    async def put_user(self, user: User) -> None: ...
    # ``reply``: the write's reply, recorded with the change when the write is idempotent (``svckit.idempotency``)
    async def add_user(self, user: User, reply: Contract | None = None) -> bool: ...
    async def delete_user(self, name: str, reply: Contract | None = None) -> bool: ...
    async def set_permissions(
        self, name: str, permissions: Sequence[Permission], reply: Contract | None = None
    ) -> bool: ...
    async def add_token(self, digest: str, user_name: str, issued_at: datetime) -> None: ...
    async def read_token(self, digest: str) -> TokenRecord | None: ...
    async def revocation(self) -> int: ...
    async def claim_uses(self, digest: str, seen_uses: int, count: int) -> bool: ...
    async def clear_except(self, keep_user: str) -> None: ...


class EventPublisher(Protocol):
    """Announces changes other processes must react to at once."""

    async def tokens_revoked(self, users: Sequence[str] | None, revocation: int) -> None: ...
    async def registry_event(self, event: RegistryEvent) -> None: ...


class PackageStorage(Protocol):
    """storage-svc, as the catalog's ingest and download use cases see it."""

    async def prepare(self, artifact_id: str, artifact_type: ArtifactType, source: SourceRef) -> None: ...
    async def discard(self, artifact_id: str) -> None: ...
    async def link(self, artifact_id: str, part: Part) -> DownloadLink: ...
    async def view(self, artifact_id: str) -> PackageView: ...


class LineageRecorder(Protocol):
    """lineage-svc, as the catalog's ingest and deletion use cases see it."""

    async def record(self, artifact_id: str, artifact_type: ArtifactType, name: str, source: SourceRef) -> None: ...
    async def forget(self, artifact_id: str) -> None: ...


class ModelRater(Protocol):
    """scoring-svc, as the catalog's ingest and deletion use cases see it."""

    async def rate(self, artifact_id: str, name: str, source: SourceRef, readme: str, gate: bool) -> RatingReport: ...
    async def forget(self, artifact_id: str) -> None: ...


class PasswordHasher(Protocol):
    """Slow, salted password hashing."""

    async def hash(self, password: str) -> str: ...
    async def verify(self, password_hash: str | None, password: str) -> bool:
        """True when ``password`` matches; ``None`` (no such user) costs the same and is never valid."""
        ...


@dataclass(frozen=True)
class UpstreamDescription:
    """What the upstream service says about a source that exists."""

    readme: str
    revision: str | None = None
    verified: bool = True


class UpstreamNotFound(Exception):
    """The upstream service says the source does not exist."""


class UpstreamUnavailable(Exception):
    """The upstream service could not be reached or answered with an error."""


class Upstream(Protocol):
    """Looks sources up in Hugging Face, GitHub and the like."""

    async def describe(self, source: Source, artifact_type: ArtifactType) -> UpstreamDescription: ...
