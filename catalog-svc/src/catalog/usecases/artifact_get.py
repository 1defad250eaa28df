"""Read one artifact."""

from catalog.deps import Deps
from catalog.usecases._common import envelope, load
from contracts.artifacts import Artifact, GetArtifact


async def artifact_get(query: GetArtifact, deps: Deps) -> Artifact:
    """The artifact with this type and id, or 404."""
    return envelope(await load(deps, query.type, query.id))
