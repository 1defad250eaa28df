"""Empty the graph, at a registry reset."""

from contracts.artifacts import ResetRequest
from contracts.base import Empty
from lineage.deps import Deps


async def lineage_reset(_: ResetRequest, deps: Deps) -> Empty:
    """Empty the graph."""
    await deps.graph.clear()
    return Empty()
