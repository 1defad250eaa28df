"""Replace an artifact's source (name and id must match the stored artifact)."""

from dataclasses import replace

import structlog

from catalog.deps import Deps
from catalog.domain.artifacts import StoredArtifact
from catalog.domain.registry_events import artifact_event
from catalog.usecases._common import audit, envelope, load_changeable, look_up, parse
from catalog.usecases.ingest_artifact import provision, rate
from contracts.artifacts import Artifact, UpdateArtifact
from contracts.errors import ErrorCode, ServiceFailure
from contracts.storage import SourceRef
from contracts.webhooks import EventType

log = structlog.get_logger()


async def rerate(deps: Deps, artifact: StoredArtifact, source: SourceRef, readme: str) -> None:
    """Rate the new source without the gate (the spec's update has no 424); a metric that cannot be computed
    is recorded by scoring-svc, whose ``/rate`` then answers 500 naming it, and does not stop the update."""
    try:
        await rate(deps, artifact, source, readme, gate=False)
    except ServiceFailure as failure:
        if failure.code is not ErrorCode.INTERNAL:
            raise
        log.warning("rating_failed_on_update", artifact_id=artifact.id, error=failure.message)


async def artifact_update(command: UpdateArtifact, deps: Deps) -> Artifact:
    """Look the new source up and store it with its README; 400 when the name does not match, 401 for anyone but
    the artifact's owner and administrators. The owner stays who registered it."""
    current = await load_changeable(deps, command.type, command.id, command.actor)
    if command.name != current.name:
        raise ServiceFailure(
            ErrorCode.BAD_REQUEST,
            f"Name {command.name!r} does not match artifact {command.id} ({current.name!r}).",
        )
    source = parse(command.url, command.type)
    description = await look_up(deps, source, command.type)
    updated = replace(current, url=command.url)
    ref = source.ref(description.revision)
    await provision(deps, updated, ref)
    await rerate(deps, updated, ref, description.readme)
    await deps.artifacts.replace_source(updated, description.readme, audit(deps, updated, command.actor, "UPDATE"))
    await deps.events.registry_event(artifact_event(EventType.ARTIFACT_UPDATED, updated, deps.clock()))
    return envelope(updated)
