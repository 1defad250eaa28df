"""Lineage graph: nodes (registry artifacts with their upstream id) and edges (resolved or pending).

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nodes",
        sa.Column("artifact_id", sa.String(64), primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("upstream_id", sa.Text, nullable=False),
        sa.Column("metadata", sa.JSON, nullable=False),
    )
    op.create_index("ix_nodes_upstream", "nodes", ["type", "upstream_id"])
    op.create_table(
        "edges",
        sa.Column("child_id", sa.String(64), primary_key=True),
        sa.Column("parent_ref", sa.Text, primary_key=True),
        sa.Column("parent_type", sa.String(16), primary_key=True),
        sa.Column("relationship", sa.String(32), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
    )
    op.create_index("ix_edges_parent", "edges", ["parent_type", "parent_ref"])


def downgrade() -> None:
    op.drop_table("edges")
    op.drop_table("nodes")
