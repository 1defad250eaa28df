"""Remove an artifact from the graph, at its deletion (or when its ingest is undone)."""

from contracts.base import Empty
from contracts.lineage import NodeRef
from lineage.deps import Deps


async def lineage_forget(command: NodeRef, deps: Deps) -> Empty:
    """Remove the node and its edges at once (idempotent)."""
    await deps.graph.remove(command.artifact_id)
    return Empty()
