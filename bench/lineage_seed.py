"""A 10,000-node, 20-level lineage graph seeded straight into lineage-svc's and storage-svc's own stores."""

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from lineage.adapters.engine import open_graph_engine
from lineage.adapters.tables import edges, nodes, state
from storage.adapters.engine import open_index_engine
from storage.adapters.tables import files, packages


@dataclass(frozen=True)
class Graph:
    """What was seeded: every id by level (level 0 has no parents)."""

    levels: list[list[str]]

    @property
    def size(self) -> int:
        """Number of nodes."""
        return sum(len(level) for level in self.levels)


def plan(node_count: int, depth: int, seed: int = 461) -> tuple[Graph, list[tuple[str, str, str]]]:
    """Ids per level, and (child, parent upstream id, relationship) edges: each node has one parent in the
    level above, one in ten a second one (a merge), so the graph is a deep DAG, not a set of chains."""
    rng = random.Random(seed)
    width = node_count // depth
    levels = [[f"{1_000_000_000 + level * width + i}" for i in range(width)] for level in range(depth)]
    links = []
    for level in range(1, depth):
        for child in levels[level]:
            first, second = rng.sample(levels[level - 1], 2)
            links.append((child, _upstream(first), "finetune"))
            if rng.random() < 0.1:
                links.append((child, _upstream(second), "merge"))
    return Graph(levels), links


async def seed(data_dir: Path, graph: Graph, links: list[tuple[str, str, str]]) -> None:
    """Bulk-insert nodes and edges (lineage) and one-file packages (storage) in a transaction each."""
    ids = [i for level in graph.levels for i in level]
    now = datetime.now(UTC)
    lineage_url = f"sqlite+aiosqlite:///{(data_dir / 'lineage' / 'graph.db').resolve()}"
    async with open_graph_engine(lineage_url) as engine, engine.begin() as conn:
        await conn.execute(insert(nodes), [
            {"artifact_id": i, "seq": n, "type": "model", "name": f"model-{i}", "upstream_id": _upstream(i),
             "metadata": {"upstream_id": _upstream(i), "type": "model", "license": "apache-2.0"}}
            for n, i in enumerate(ids, start=1)
        ])  # fmt: skip
        await conn.execute(insert(edges), [
            {"child_id": c, "parent_ref": p, "parent_type": "model", "relationship": r, "source": "config_json"}
            for c, p, r in links
        ])  # fmt: skip
        await conn.execute(insert(state).values(key="version", value=1))
    storage_url = f"sqlite+aiosqlite:///{(data_dir / 'storage' / 'index.db').resolve()}"
    async with open_index_engine(storage_url) as engine, engine.begin() as conn:
        await conn.execute(insert(packages), [
            {"artifact_id": i, "type": "model", "source_kind": "hf_model", "repo_id": _upstream(i), "subpath": "",
             "revision": "main", "state": "ready", "message": "", "generation": 1, "planned": True,
             "copying_bytes": 0, "updated_at": now}
            for i in ids
        ])  # fmt: skip
        await conn.execute(insert(files), [
            {"artifact_id": i, "path": "model.safetensors", "part": "weights", "size": 10_000_000 + n,
             "upstream_sha256": None, "git_oid": None, "sha256": None, "verified": None, "status": "skipped",
             "note": "benchmark"}
            for n, i in enumerate(ids)
        ])  # fmt: skip


def _upstream(artifact_id: str) -> str:
    return f"bench-org/model-{artifact_id}"
