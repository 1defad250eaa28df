"""Read an artifact's audit trail."""

from catalog.deps import Deps
from catalog.usecases._common import audit, load
from contracts.artifacts import AuditEntry, AuditTrail, ReadAudit


async def artifact_audit(query: ReadAudit, deps: Deps) -> AuditTrail:
    """The trail, oldest first; the read itself is recorded (and shown) as an ``AUDIT`` entry."""
    artifact = await load(deps, query.type, query.id)
    await deps.artifacts.record(audit(deps, artifact, query.actor, "AUDIT"))
    records = await deps.artifacts.audit_trail(artifact.id)
    return AuditTrail(
        items=[
            AuditEntry(user=r.actor, date=r.at, artifact=r.artifact, action=r.action)
            for r in records
            if r.action != "DELETE"
        ]
    )
