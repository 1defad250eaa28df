"""Tables of lineage-svc's graph store; the migrations create them.

Edges name their parent as upstream does (``parent_ref``), so an edge whose parent is not registered yet is
kept and resolves the moment a node with that upstream id appears: either ingest order gives one graph.
"""

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

nodes = Table(
    "nodes",
    metadata,
    Column("artifact_id", String(64), primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("type", String(16), nullable=False),
    Column("name", Text, nullable=False),
    Column("upstream_id", Text, nullable=False),
    Column("metadata", JSON, nullable=False),
    Index("ix_nodes_upstream", "type", "upstream_id"),
)

edges = Table(
    "edges",
    metadata,
    Column("child_id", String(64), primary_key=True),
    Column("parent_ref", Text, primary_key=True),
    Column("parent_type", String(16), primary_key=True),
    Column("relationship", String(32), nullable=False),
    Column("source", String(32), nullable=False),
    Index("ix_edges_parent", "parent_type", "parent_ref"),
)

state = Table(
    "graph_state",
    metadata,
    Column("key", String(32), primary_key=True),
    Column("value", BigInteger, nullable=False),
)
