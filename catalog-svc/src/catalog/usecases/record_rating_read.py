"""Record in the audit trail that a user read a model's rating (the gateway publishes the event)."""

import structlog

from catalog.deps import Deps
from catalog.usecases._common import audit
from contracts.scoring import RateAudited

log = structlog.get_logger()


async def record_rating_read(event: RateAudited, deps: Deps) -> None:
    """Append a RATE audit record; an artifact deleted meanwhile is skipped."""
    artifact = await deps.artifacts.get(event.artifact_id)
    if artifact is None:
        log.info("rate_audit_skipped", artifact_id=event.artifact_id, reason="artifact gone")
        return
    await deps.artifacts.record(audit(deps, artifact, event.actor, "RATE"))
