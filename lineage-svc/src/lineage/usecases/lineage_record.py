"""Add an artifact to the graph, at ingest."""

import structlog

from contracts.base import Empty
from contracts.errors import ErrorCode, ServiceFailure
from contracts.lineage import RecordArtifact
from lineage.deps import Deps
from lineage.domain.extract import MalformedMetadata, model_edges
from lineage.domain.nodes import Node, StoredEdge
from lineage.ports import UpstreamUnreachable

log = structlog.get_logger()


async def lineage_record(command: RecordArtifact, deps: Deps) -> Empty:
    """Read upstream metadata, store the node and its parent edges (by upstream name, resolved on read).

    Malformed lineage metadata does not refuse the artifact: the node records why, and reading its lineage
    answers 400 with that reason.
    """
    try:
        described = await deps.upstream.describe(command.source, command.type)
    except UpstreamUnreachable as error:
        raise ServiceFailure(ErrorCode.UPSTREAM_FAILED, f"Lineage metadata could not be read: {error}") from error
    metadata = {**described.metadata, "type": command.type.value, "upstream_id": described.upstream_id}
    edges: list[StoredEdge] = []
    if described.model is not None:
        try:
            edges = [StoredEdge(command.artifact_id, e) for e in model_edges(described.upstream_id, described.model)]
        except MalformedMetadata as error:
            metadata["lineage_error"] = str(error)
            log.warning("lineage_metadata_malformed", error=str(error))
    node = Node(command.artifact_id, 0, command.type, command.name, described.upstream_id, metadata)
    await deps.graph.put(node, edges)
    return Empty()
