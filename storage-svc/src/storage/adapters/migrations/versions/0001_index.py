"""storage-svc index: packages, their files, content-addressed blobs with reference counts, archives.

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
        "packages",
        sa.Column("artifact_id", sa.String(64), primary_key=True),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("source_kind", sa.String(16), nullable=False),
        sa.Column("repo_id", sa.Text, nullable=False),
        sa.Column("subpath", sa.Text, nullable=False),
        sa.Column("revision", sa.Text, nullable=True),
        sa.Column("state", sa.String(24), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("generation", sa.Integer, nullable=False),
        sa.Column("planned", sa.Boolean, nullable=False),
        sa.Column("copying_bytes", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "files",
        sa.Column("artifact_id", sa.String(64), primary_key=True),
        sa.Column("path", sa.Text, primary_key=True),
        sa.Column("part", sa.String(16), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=True),
        sa.Column("upstream_sha256", sa.String(64), nullable=True),
        sa.Column("git_oid", sa.String(40), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("verified", sa.Boolean, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
    )
    op.create_table(
        "blobs",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("refs", sa.Integer, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
    )
    op.create_table(
        "archives",
        sa.Column("artifact_id", sa.String(64), primary_key=True),
        sa.Column("part", sa.String(16), primary_key=True),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    for table in ("archives", "blobs", "files", "packages"):
        op.drop_table(table)
