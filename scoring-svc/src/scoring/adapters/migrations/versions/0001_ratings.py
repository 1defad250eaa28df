"""Ratings: one stored report per rated model, and the parents its tree_score averaged.

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
        "ratings",
        sa.Column("artifact_id", sa.String(64), primary_key=True),
        sa.Column("report", sa.Text, nullable=False),
        sa.Column("failure", sa.Text, nullable=True),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "rating_parents",
        sa.Column("child_id", sa.String(64), primary_key=True),
        sa.Column("parent_id", sa.String(64), primary_key=True),
    )
    op.create_index("ix_rating_parents_parent", "rating_parents", ["parent_id"])


def downgrade() -> None:
    op.drop_table("rating_parents")
    op.drop_table("ratings")
