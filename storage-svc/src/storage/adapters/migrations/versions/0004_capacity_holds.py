"""capacity_holds: bytes an ingest holds against STORAGE_CAPACITY_BYTES while its plan is being recorded, so two
ingests checked at once cannot both take the last free bytes.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "capacity_holds",
        sa.Column("hold_id", sa.String(32), primary_key=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("capacity_holds")
