"""Delete one artifact."""

from catalog.deps import Deps
from catalog.usecases._common import audit, load
from contracts.artifacts import DeleteArtifact
from contracts.base import Empty


async def delete_artifact(command: DeleteArtifact, deps: Deps) -> Empty:
    """Remove the artifact and its bytes unless shared (404 when unknown); the audit trail records who deleted it."""
    artifact = await load(deps, command.type, command.id)
    await deps.storage.discard(artifact.id)
    await deps.artifacts.delete(artifact.id, audit(deps, artifact, command.actor, "DELETE"))
    return Empty()
