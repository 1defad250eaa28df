"""Download cost in MB, alone or with every dependency (parent models, linked datasets and code)."""

from contracts.errors import ErrorCode, ServiceFailure
from contracts.lineage import CostEntry, CostQuery, CostReport
from lineage.deps import Deps
from lineage.domain.graph import closures, dependency_closure
from lineage.usecases.lineage_graph import snapshot

BYTES_PER_MB = 1_000_000


async def lineage_cost(query: CostQuery, deps: Deps) -> CostReport:
    """Sizes are storage-svc's real byte counts; each artifact of the closure is counted once."""
    graph = await snapshot(deps)
    root = graph.node(query.artifact_id, query.type)
    parents = graph.parents
    closure = dependency_closure(root.artifact_id, parents) if query.dependency else [root.artifact_id]
    sizes = await deps.sizes.bytes_of(closure)
    unknown = [i for i in closure if sizes.get(i) is None]
    if unknown:
        raise ServiceFailure(ErrorCode.INTERNAL, f"No stored size for artifact(s) {', '.join(unknown)} yet.")
    own = {i: (sizes[i] or 0) / BYTES_PER_MB for i in closure}
    if not query.dependency:
        return CostReport(costs={root.artifact_id: CostEntry(total_cost=own[root.artifact_id])})
    depends_on = closures(root.artifact_id, parents)
    costs = {i: CostEntry(standalone_cost=own[i], total_cost=sum(own[d] for d in depends_on[i])) for i in closure}
    return CostReport(costs=costs)
