"""Record in the audit trail that users read models' ratings (the gateway publishes one event per read)."""

from collections.abc import Sequence

import structlog

from catalog.deps import Deps
from catalog.domain.artifacts import StoredArtifact
from catalog.usecases._common import audit
from contracts.scoring import RateAudited

log = structlog.get_logger()


async def record_rating_reads(events: Sequence[RateAudited], deps: Deps) -> None:
    """Append one RATE audit record per event, in one write; artifacts deleted meanwhile are skipped."""
    found: dict[str, StoredArtifact] = {}
    for artifact_id in dict.fromkeys(event.artifact_id for event in events):
        artifact = await deps.artifacts.get(artifact_id)
        if artifact is not None:
            found[artifact_id] = artifact
    records = [audit(deps, found[e.artifact_id], e.actor, "RATE") for e in events if e.artifact_id in found]
    if len(records) < len(events):
        log.info("rate_audit_skipped", count=len(events) - len(records), reason="artifact gone")
    if records:
        await deps.artifacts.record(*records)
