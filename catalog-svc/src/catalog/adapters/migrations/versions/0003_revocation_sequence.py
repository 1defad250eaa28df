"""The revocation sequence starts at 0, so bumping it is always an UPDATE (no first-insert race).

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "INSERT INTO catalog_state (key, value) SELECT 'revocation', 0 "
        "WHERE NOT EXISTS (SELECT 1 FROM catalog_state WHERE key = 'revocation')"
    )


def downgrade() -> None:
    op.execute("DELETE FROM catalog_state WHERE key = 'revocation'")
