"""``GraphStore`` on SQLAlchemy Core (SQLite or PostgreSQL, one code path)."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from contracts.artifacts import ArtifactType
from lineage.adapters.tables import edges, nodes, state
from lineage.domain.extract import Edge
from lineage.domain.nodes import Node, StoredEdge

VERSION_KEY = "version"


class SqlGraphStore:
    """Nodes and upstream-named edges; resolution happens when the graph is read."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def put(self, node: Node, node_edges: Sequence[StoredEdge]) -> Node:
        """Add (or replace) a node and its parent edges in one transaction; the stored node has its order."""
        async with self._engine.begin() as conn:
            await conn.execute(delete(edges).where(edges.c.child_id == node.artifact_id))
            await conn.execute(delete(nodes).where(nodes.c.artifact_id == node.artifact_id))
            seq = int(await conn.scalar(select(func.coalesce(func.max(nodes.c.seq), 0))) or 0) + 1
            await conn.execute(
                insert(nodes).values(
                    artifact_id=node.artifact_id, seq=seq, type=node.type.value, name=node.name,
                    upstream_id=node.upstream_id, metadata=node.metadata,
                )
            )  # fmt: skip
            rows = [_edge_row(e) for e in node_edges]
            if rows:
                await conn.execute(insert(edges), rows)
            await _bump(conn)
        return Node(node.artifact_id, seq, node.type, node.name, node.upstream_id, node.metadata)

    async def remove(self, artifact_id: str) -> bool:
        """Drop the node and the edges to its parents; edges naming it stay pending for a re-registration."""
        async with self._engine.begin() as conn:
            await conn.execute(delete(edges).where(edges.c.child_id == artifact_id))
            result = await conn.execute(delete(nodes).where(nodes.c.artifact_id == artifact_id))
            await _bump(conn)
        return bool(result.rowcount)

    async def version(self) -> int:
        """A counter every change moves; equal versions mean an equal graph."""
        async with self._engine.connect() as conn:
            value = await conn.scalar(select(state.c.value).where(state.c.key == VERSION_KEY))
        return int(value or 0)

    async def snapshot(self) -> tuple[list[Node], list[StoredEdge]]:
        """Every node and edge."""
        async with self._engine.connect() as conn:
            node_rows = (await conn.execute(select(nodes))).all()
            edge_rows = (await conn.execute(select(edges))).all()
        return [_node(r) for r in node_rows], [_edge(r) for r in edge_rows]

    async def clear(self) -> None:
        """Empty the graph."""
        async with self._engine.begin() as conn:
            await conn.execute(delete(edges))
            await conn.execute(delete(nodes))
            await _bump(conn)


async def _bump(conn: AsyncConnection) -> None:
    moved = await conn.execute(update(state).where(state.c.key == VERSION_KEY).values(value=state.c.value + 1))
    if moved.rowcount == 0:
        await conn.execute(insert(state).values(key=VERSION_KEY, value=1))


def _edge_row(stored: StoredEdge) -> dict[str, Any]:
    edge = stored.edge
    return {
        "child_id": stored.child_id, "parent_ref": edge.parent_ref, "parent_type": edge.parent_type.value,
        "relationship": edge.relationship, "source": edge.source,
    }  # fmt: skip


def _node(row: Any) -> Node:
    return Node(row.artifact_id, int(row.seq), ArtifactType(row.type), row.name, row.upstream_id, dict(row.metadata))


def _edge(row: Any) -> StoredEdge:
    return StoredEdge(row.child_id, Edge(row.parent_ref, ArtifactType(row.parent_type), row.relationship, row.source))
