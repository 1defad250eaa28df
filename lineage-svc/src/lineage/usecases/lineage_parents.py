"""The direct registered parents of an artifact: what scoring-svc averages for tree_score."""

from contracts.errors import ErrorCode, ServiceFailure
from contracts.lineage import NodeParents, NodeRef, Parent
from lineage.deps import Deps
from lineage.usecases.lineage_graph import snapshot


async def lineage_parents(query: NodeRef, deps: Deps) -> NodeParents:
    """Parents and children in registration order; 404 for an artifact lineage has not recorded."""
    graph = await snapshot(deps)
    if query.artifact_id not in graph.nodes:
        raise ServiceFailure(ErrorCode.NOT_FOUND, f"No artifact with id {query.artifact_id} in the lineage graph.")
    links = sorted(graph.parents(query.artifact_id), key=lambda link: graph.nodes[link.parent].seq)
    parents = [
        Parent(artifact_id=link.parent, type=graph.nodes[link.parent].type, relationship=link.relationship)
        for link in links
    ]
    below = sorted(graph.children(query.artifact_id), key=lambda link: graph.nodes[link.child].seq)
    children = [
        Parent(artifact_id=link.child, type=graph.nodes[link.child].type, relationship=link.relationship)
        for link in below
    ]
    return NodeParents(artifact_id=query.artifact_id, parents=parents, children=children)
