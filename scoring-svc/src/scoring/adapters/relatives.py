"""The ``Relatives`` port: lineage-svc over NATS."""

from contracts import subjects
from contracts.errors import ErrorCode, ServiceFailure
from contracts.lineage import NodeParents, NodeRef
from svckit.transport import ServiceClient


class NatsRelatives:
    """Asks lineage-svc for an artifact's direct parents and children."""

    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def of(self, artifact_id: str) -> NodeParents | None:
        """Parents and children, or None when lineage has not recorded the artifact."""
        try:
            return await self._client.call(subjects.LINEAGE_PARENTS, NodeRef(artifact_id=artifact_id), NodeParents)
        except ServiceFailure as failure:
            if failure.code is ErrorCode.NOT_FOUND:
                return None
            raise
