"""Outcomes of idempotent writes (``svckit.reply_ledger``): one row per (subject, idempotency key), a claim with a
lease while the write runs, then the reply a resend gets replayed. Rows older than an hour are swept. The table is
named apart from the catalog's ``idempotent_replies``, as services may share one database.

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
        "webhook_replies",
        sa.Column("subject", sa.String(128), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("owner", sa.String(32), nullable=False),
        sa.Column("lease_until", sa.Float, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("settled", sa.Boolean, nullable=False),
        sa.Column("code", sa.Integer, nullable=True),
        sa.Column("reply", sa.Text, nullable=True),
    )
    op.create_index("ix_webhook_replies_created_at", "webhook_replies", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_webhook_replies_created_at", "webhook_replies")
    op.drop_table("webhook_replies")
