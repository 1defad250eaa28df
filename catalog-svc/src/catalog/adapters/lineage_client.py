"""``LineageRecorder`` port: lineage-svc over NATS."""

from contracts import subjects
from contracts.artifacts import ArtifactType
from contracts.base import Empty
from contracts.lineage import NodeRef, RecordArtifact
from contracts.storage import SourceRef
from svckit.transport import ServiceClient


class NatsLineage:
    """Calls lineage-svc's subjects; failures arrive as ``ServiceFailure`` with lineage's code."""

    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def record(self, artifact_id: str, artifact_type: ArtifactType, name: str, source: SourceRef) -> None:
        """Add the artifact to the lineage graph."""
        command = RecordArtifact(artifact_id=artifact_id, type=artifact_type, name=name, source=source)
        await self._client.call(subjects.LINEAGE_RECORD, command, Empty)

    async def forget(self, artifact_id: str) -> None:
        """Remove the artifact from the graph (idempotent)."""
        await self._client.call(subjects.LINEAGE_FORGET, NodeRef(artifact_id=artifact_id), Empty)
