"""Registry artifacts as graph nodes, and the resolution of upstream-named edges to them."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from contracts.artifacts import ArtifactType
from lineage.domain.extract import Edge
from lineage.domain.graph import Link


@dataclass(frozen=True)
class Node:
    """A registered artifact, with the id upstream knows it by."""

    artifact_id: str
    seq: int
    type: ArtifactType
    name: str
    upstream_id: str
    metadata: dict[str, Any]


@dataclass(frozen=True)
class StoredEdge:
    """An edge as stored: the child is a registry id, the parent an upstream name."""

    child_id: str
    edge: Edge


def resolve(nodes: Iterable[Node], edges: Iterable[StoredEdge]) -> list[Link]:
    """Links to registered parents; names match case-insensitively, an owner-less name (``bookcorpus``)
    matches a repository of that name (``bookcorpus/bookcorpus``); the earliest registration wins."""
    exact: dict[tuple[ArtifactType, str], str] = {}
    short: dict[tuple[ArtifactType, str], str] = {}
    for node in sorted(nodes, key=lambda n: n.seq):
        upstream = node.upstream_id.lower()
        exact.setdefault((node.type, upstream), node.artifact_id)
        short.setdefault((node.type, upstream.rsplit("/", 1)[-1]), node.artifact_id)
    links = []
    for stored in edges:
        ref = stored.edge.parent_ref.lower()
        key = (stored.edge.parent_type, ref)
        parent = exact.get(key) or (short.get(key) if "/" not in ref else None)
        if parent is not None and parent != stored.child_id:
            links.append(Link(parent, stored.child_id, stored.edge.relationship, stored.edge.source))
    return links
