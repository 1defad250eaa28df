"""Delete one artifact."""

from catalog.deps import Deps
from catalog.domain.registry_events import artifact_event
from catalog.usecases._common import audit, load_changeable
from catalog.usecases.ingest_artifact import undo_ingest
from contracts.artifacts import DeleteArtifact
from contracts.base import Empty
from contracts.webhooks import EventType


async def artifact_delete(command: DeleteArtifact, deps: Deps) -> Empty:
    """Remove the artifact, its lineage node and its bytes unless shared (404 when unknown, 401 for anyone but its
    owner and administrators); audited. The reply is stored with the removal, so a caller's resend gets it again
    (``contracts.subjects.IDEMPOTENT_WRITES``); a resend that runs it again (the first attempt died before the
    removal) repeats only steps that are idempotent (storage, lineage and scoring forget what is already gone)."""
    artifact = await load_changeable(deps, command.type, command.id, command.actor)
    await undo_ingest(deps, artifact.id)
    reply = Empty()
    await deps.artifacts.delete(artifact.id, audit(deps, artifact, command.actor, "DELETE"), reply)
    await deps.events.registry_event(artifact_event(EventType.ARTIFACT_DELETED, artifact, deps.clock()))
    return reply
