"""Ingest an artifact: the saga every new artifact and every new source goes through.

Read top to bottom, an ingest is:

1. ``provision`` — storage-svc records the package (and queues the copy of its bytes), then lineage-svc records
   the node; if lineage fails, storage's record is discarded before the failure is raised;
2. ``rate`` — scoring-svc rates a model (datasets and code are not rated); a new model must pass the quality gate;
3. commit — the catalog row is stored with its audit record;
4. announce — the registry events (artifact.created, and rating.stored for a model) are published.

Should step 2 or 3 fail, ``undo_ingest`` removes what steps 1 and 2 left (bytes unless shared, the lineage node,
the rating), so no artifact exists without its files' record and lineage node, and none of those outlives a
refused artifact; a model the quality gate refused is announced as rating.refused. Deleting an artifact runs the
same ``undo_ingest``.
"""

import contextlib

import structlog

from catalog.deps import Deps
from catalog.domain.artifacts import StoredArtifact
from catalog.domain.registry_events import artifact_event
from catalog.usecases._common import audit, envelope
from contracts.artifacts import Actor, Artifact, ArtifactType
from contracts.errors import ErrorCode, ServiceFailure
from contracts.scoring import RatingReport
from contracts.storage import SourceRef
from contracts.webhooks import EventType

log = structlog.get_logger()


async def ingest_artifact(
    deps: Deps, artifact: StoredArtifact, source: SourceRef, readme: str, actor: Actor
) -> Artifact:
    """Provision, rate (models pass the quality gate or are refused), then store the catalog row; a failure at
    any step leaves nothing behind."""
    await provision(deps, artifact, source)
    try:
        report = await rate(deps, artifact, source, readme, gate=True)
        stored = await deps.artifacts.add(artifact, readme, audit(deps, artifact, actor, "CREATE"))
    except BaseException as error:
        with contextlib.suppress(ServiceFailure):  # logged by undo_ingest; the original failure is the answer
            await undo_ingest(deps, artifact.id)
        if isinstance(error, ServiceFailure) and error.code is ErrorCode.FAILED_DEPENDENCY:
            refused = artifact_event(EventType.RATING_REFUSED, artifact, deps.clock(), reason=error.message)
            await deps.events.registry_event(refused)
        raise
    await deps.events.registry_event(artifact_event(EventType.ARTIFACT_CREATED, artifact, deps.clock()))
    if report is not None:
        score = report.rating.net_score
        await deps.events.registry_event(
            artifact_event(EventType.RATING_STORED, artifact, deps.clock(), net_score=score)
        )
    return envelope(stored)


async def provision(deps: Deps, artifact: StoredArtifact, source: SourceRef) -> None:
    """Step 1: have storage record the package and lineage the node, before the catalog row commits; when
    lineage fails, storage's record is discarded."""
    await deps.storage.prepare(artifact.id, artifact.type, source)
    try:
        await deps.lineage.record(artifact.id, artifact.type, artifact.name, source)
    except BaseException:
        await deps.storage.discard(artifact.id)
        raise


async def rate(deps: Deps, artifact: StoredArtifact, source: SourceRef, readme: str, gate: bool) -> RatingReport | None:
    """Step 2: rate a model (nothing for datasets and code); with ``gate``, 424 naming the metrics that failed it."""
    if artifact.type is not ArtifactType.MODEL:
        return None
    report = await deps.scoring.rate(artifact.id, artifact.name, source, readme, gate)
    if gate and report.gate_failures:
        scores = {note.metric: note for note in report.notes}
        failing = ", ".join(f"{name}={scores[name].score:.2f} ({scores[name].detail})" for name in report.gate_failures)
        raise ServiceFailure(
            ErrorCode.FAILED_DEPENDENCY, f"Not registered: the rating fails the quality gate on {failing}."
        )
    return report


async def undo_ingest(deps: Deps, artifact_id: str) -> None:
    """The compensation: the bytes (unless shared), the lineage node and the rating go. Every step is attempted
    even when an earlier one fails; the first failure is raised afterwards."""
    failures: list[ServiceFailure] = []
    for step in (deps.storage.discard, deps.lineage.forget, deps.scoring.forget):
        try:
            await step(artifact_id)
        except ServiceFailure as failure:
            log.warning("unprovision_step_failed", artifact_id=artifact_id, error=failure.message)
            failures.append(failure)
    if failures:
        raise failures[0]
