"""files.estimate: the size an upstream states for a file it publishes no exact size of (a GitHub archive).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("files", sa.Column("estimate", sa.BigInteger, nullable=True))


def downgrade() -> None:
    op.drop_column("files", "estimate")
