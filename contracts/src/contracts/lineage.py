"""lineage-svc payloads: recording artifacts, the lineage graph, costs and licence checks."""

from typing import Any

from pydantic import Field

from contracts.artifacts import ArtifactId, ArtifactType
from contracts.base import Contract
from contracts.storage import SourceRef


class RecordArtifact(Contract):
    """Add an artifact to the graph: lineage-svc reads its upstream metadata and links it."""

    artifact_id: ArtifactId
    type: ArtifactType
    name: str
    source: SourceRef


class NodeRef(Contract):
    """Names one artifact in the graph."""

    artifact_id: ArtifactId


class LineageNode(Contract):
    """Spec ``ArtifactLineageNode``: every node carries a metadata object."""

    artifact_id: ArtifactId
    node: ArtifactId = Field(
        description="The spec requires ``node`` without defining it: the node's artifact id, as edges name it."
    )
    name: str
    source: str
    metadata: dict[str, Any]


class LineageEdge(Contract):
    """Spec ``ArtifactLineageEdge``: parent → child."""

    from_node_artifact_id: ArtifactId
    to_node_artifact_id: ArtifactId
    relationship: str


class LineageGraph(Contract):
    """Spec ``ArtifactLineageGraph``."""

    nodes: list[LineageNode]
    edges: list[LineageEdge]


class CostQuery(Contract):
    """Standalone cost, or the cost of the whole dependency closure."""

    type: ArtifactType
    artifact_id: ArtifactId
    dependency: bool = False


class CostEntry(Contract):
    """Spec ``ArtifactCost`` value, in MB."""

    standalone_cost: float | None = None
    total_cost: float


class CostReport(Contract):
    """Spec ``ArtifactCost``: artifact id → costs."""

    costs: dict[str, CostEntry]


class LicenseQuery(Contract):
    """May the code at ``github_url`` be used to fine-tune this model and serve inference?"""

    artifact_id: ArtifactId
    github_url: str = Field(min_length=1, max_length=2048)


class LicenseAnswer(Contract):
    """The answer, and why."""

    allowed: bool
    reason: str


class Parent(Contract):
    """A registered parent of an artifact and how they are related."""

    artifact_id: ArtifactId
    type: ArtifactType
    relationship: str


class NodeParents(Contract):
    """The direct registered parents of an artifact (tree_score's input) and its direct children."""

    artifact_id: ArtifactId
    parents: list[Parent]
    children: list[Parent] = []
