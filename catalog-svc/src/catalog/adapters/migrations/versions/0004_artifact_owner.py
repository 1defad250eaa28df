"""Each artifact records who registered it (the authenticated user's name).

Artifacts registered before this migration get NULL: their owner is unknown, so only administrators may update
or delete them (``catalog.domain.artifacts.may_change``).

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
    with op.batch_alter_table("artifacts") as batch:
        batch.add_column(sa.Column("owner", sa.String(128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("artifacts") as batch:
        batch.drop_column("owner")
