"""The small interfaces lineage's use cases depend on; adapters implement them."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from contracts.artifacts import ArtifactType
from contracts.storage import SourceRef
from lineage.domain.extract import ModelMetadata
from lineage.domain.nodes import Node, StoredEdge


class GraphStore(Protocol):
    """lineage-svc's own store of nodes and edges."""

    async def put(self, node: Node, edges: Sequence[StoredEdge]) -> Node: ...
    async def remove(self, artifact_id: str) -> bool: ...
    async def version(self) -> int: ...
    async def snapshot(self) -> tuple[list[Node], list[StoredEdge]]: ...
    async def clear(self) -> None: ...


@dataclass(frozen=True)
class Described:
    """What upstream says about a source: its canonical id, metadata for the node, and model metadata."""

    upstream_id: str
    metadata: dict[str, Any]
    model: ModelMetadata | None = None


class UpstreamUnreachable(Exception):
    """Upstream could not be asked."""


class LicenseUnavailable(Exception):
    """No licence could be obtained for a repository (the spec's 502)."""


class RepositoryMissing(Exception):
    """The GitHub repository does not exist (the spec's 404)."""


class Upstream(Protocol):
    """Hugging Face and GitHub, as lineage needs them."""

    async def describe(self, source: SourceRef, artifact_type: ArtifactType) -> Described: ...
    async def github_license(self, repo_id: str) -> str | None: ...


class Sizes(Protocol):
    """storage-svc's byte counts of packages."""

    async def bytes_of(self, artifact_ids: Sequence[str]) -> dict[str, int | None]: ...
