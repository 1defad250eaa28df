"""Lookups shared by the use cases: load an artifact (404/401), its audit record, its spec view, its source.

The ingest saga (provision, rate, commit, undo) is its own use case: ``ingest_artifact``.
"""

from catalog.deps import Deps
from catalog.domain.artifacts import AuditRecord, StoredArtifact, may_change
from catalog.domain.sources import InvalidSource, Source, parse_source
from catalog.ports import UpstreamDescription, UpstreamNotFound, UpstreamUnavailable
from contracts.artifacts import Actor, Artifact, ArtifactData, ArtifactType, AuditAction
from contracts.errors import ErrorCode, ServiceFailure


async def load(deps: Deps, artifact_type: ArtifactType, artifact_id: str) -> StoredArtifact:
    """The stored artifact, or 404 when the id is unknown or the type does not match."""
    artifact = await deps.artifacts.get(artifact_id)
    if artifact is None or artifact.type is not artifact_type:
        raise ServiceFailure(ErrorCode.NOT_FOUND, f"No {artifact_type.value} artifact with id {artifact_id}.")
    return artifact


async def load_changeable(deps: Deps, artifact_type: ArtifactType, artifact_id: str, actor: Actor) -> StoredArtifact:
    """The stored artifact (404 as ``load``), or 401 when ``actor`` is neither its owner nor an administrator."""
    artifact = await load(deps, artifact_type, artifact_id)
    if not may_change(artifact, actor):
        if artifact.owner:
            allowed = f"only its owner {artifact.owner!r} or an administrator may"
        else:
            allowed = "its owner is not recorded, so only an administrator may"
        raise ServiceFailure(
            ErrorCode.UNAUTHORIZED,
            f"User {actor.name!r} may not change {artifact_type.value} artifact {artifact_id}: {allowed}.",
        )
    return artifact


async def load_any(deps: Deps, artifact_id: str) -> StoredArtifact:
    """The stored artifact of any type, or 404."""
    artifact = await deps.artifacts.get(artifact_id)
    if artifact is None:
        raise ServiceFailure(ErrorCode.NOT_FOUND, f"No artifact with id {artifact_id}.")
    return artifact


def audit(deps: Deps, artifact: StoredArtifact, actor: Actor, action: AuditAction) -> AuditRecord:
    """An audit record of ``action`` on ``artifact`` now."""
    return AuditRecord(artifact=artifact.metadata, actor=actor, action=action, at=deps.clock())


def envelope(artifact: StoredArtifact) -> Artifact:
    """The spec's ``Artifact`` view (no download url until storage holds the bytes)."""
    return Artifact(metadata=artifact.metadata, data=ArtifactData(url=artifact.url))


def parse(url: str, artifact_type: ArtifactType) -> Source:
    """Parse a source url or answer 400 with the reason."""
    try:
        return parse_source(url, artifact_type)
    except InvalidSource as error:
        raise ServiceFailure(ErrorCode.BAD_REQUEST, f"Invalid url: {error}.") from error


async def look_up(deps: Deps, source: Source, artifact_type: ArtifactType) -> UpstreamDescription:
    """Ask the upstream service about ``source``: 400 when it does not exist, 502 when unreachable."""
    try:
        return await deps.upstream.describe(source, artifact_type)
    except UpstreamNotFound as error:
        raise ServiceFailure(ErrorCode.BAD_REQUEST, f"Source not found: {error}.") from error
    except UpstreamUnavailable as error:
        raise ServiceFailure(ErrorCode.UPSTREAM_FAILED, f"Upstream lookup failed: {error}.") from error
