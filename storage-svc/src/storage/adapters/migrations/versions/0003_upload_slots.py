"""upload_slots: who opened each upload slot and the size they declared (per-file caps and per-user quotas).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "upload_slots",
        sa.Column("upload_id", sa.String(32), primary_key=True),
        sa.Column("owner", sa.Text, nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("upload_slots_owner", "upload_slots", ["owner"])


def downgrade() -> None:
    op.drop_index("upload_slots_owner", table_name="upload_slots")
    op.drop_table("upload_slots")
