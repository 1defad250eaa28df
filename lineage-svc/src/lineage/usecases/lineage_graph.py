"""The lineage graph of a model: itself, every registered ancestor and descendant, edges parent → child."""

from collections import defaultdict

from contracts.artifacts import ArtifactType
from contracts.errors import ErrorCode, ServiceFailure
from contracts.lineage import LineageEdge, LineageGraph, LineageNode, NodeRef
from lineage.deps import Deps
from lineage.domain.graph import Link, connected, cycle_through
from lineage.domain.nodes import Node, resolve


class Snapshot:
    """Nodes by id and resolved links by parent and by child, read once per request."""

    def __init__(self, nodes: list[Node], links: list[Link]) -> None:
        self.nodes = {n.artifact_id: n for n in nodes}
        self._up: dict[str, list[Link]] = defaultdict(list)
        self._down: dict[str, list[Link]] = defaultdict(list)
        for link in links:
            self._up[link.child].append(link)
            self._down[link.parent].append(link)

    def parents(self, artifact_id: str) -> list[Link]:
        """Links to the artifact's registered parents (the shared cached snapshot is never changed)."""
        return self._up.get(artifact_id, [])

    def children(self, artifact_id: str) -> list[Link]:
        """Links to the artifact's registered children."""
        return self._down.get(artifact_id, [])

    def node(self, artifact_id: str, artifact_type: ArtifactType) -> Node:
        """The node, or 404 when unknown or of another type."""
        node = self.nodes.get(artifact_id)
        if node is None or node.type is not artifact_type:
            raise ServiceFailure(ErrorCode.NOT_FOUND, f"No {artifact_type.value} artifact with id {artifact_id}.")
        return node


async def snapshot(deps: Deps) -> Snapshot:
    """The whole graph with edges resolved to registered artifacts, rebuilt only when its version moved
    (one cheap read per request tells a replica whether another one changed it)."""
    version = await deps.graph.version()
    cached = deps.cache.get("snapshot")
    if cached is not None and cached[0] == version:
        return cached[1]  # type: ignore[no-any-return]
    nodes, edges = await deps.graph.snapshot()
    built = Snapshot(nodes, resolve(nodes, edges))
    deps.cache["snapshot"] = (version, built)
    return built


async def lineage_graph(query: NodeRef, deps: Deps) -> LineageGraph:
    """400 when the model's lineage metadata is malformed; a cycle upstream is reported in its metadata."""
    graph = await snapshot(deps)
    root = graph.node(query.artifact_id, ArtifactType.MODEL)
    if "lineage_error" in root.metadata:
        raise ServiceFailure(ErrorCode.BAD_REQUEST, f"Lineage cannot be computed: {root.metadata['lineage_error']}.")
    ids, links = connected(root.artifact_id, graph.parents, graph.children)
    sources = {root.artifact_id: "registry"}
    for link in links:
        sources.setdefault(link.parent, link.source)
        sources.setdefault(link.child, link.source)
    cycle = cycle_through(root.artifact_id, graph.parents)
    nodes = []
    for node in sorted((graph.nodes[i] for i in ids), key=lambda n: n.seq):
        metadata = dict(node.metadata)
        if cycle and node.artifact_id == root.artifact_id:
            metadata["lineage_cycle"] = cycle
        nodes.append(
            LineageNode(
                artifact_id=node.artifact_id,
                node=node.artifact_id,
                name=node.name,
                source=sources[node.artifact_id],
                metadata=metadata,
            )
        )
    edges = [
        LineageEdge(from_node_artifact_id=link.parent, to_node_artifact_id=link.child, relationship=link.relationship)
        for link in links
    ]
    return LineageGraph(nodes=nodes, edges=edges)
