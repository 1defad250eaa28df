"""Keep README/card text in its own table so listings and look-ups read narrow rows.

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
    op.create_table(
        "artifact_readmes",
        sa.Column(
            "artifact_id",
            sa.String(64),
            sa.ForeignKey("artifacts.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("readme", sa.Text, nullable=False),
    )
    op.execute("INSERT INTO artifact_readmes (artifact_id, readme) SELECT id, readme FROM artifacts")
    with op.batch_alter_table("artifacts") as batch:
        batch.drop_column("readme")


def downgrade() -> None:
    with op.batch_alter_table("artifacts") as batch:
        batch.add_column(sa.Column("readme", sa.Text, nullable=False, server_default=""))
    op.execute(
        "UPDATE artifacts SET readme = "
        "(SELECT readme FROM artifact_readmes WHERE artifact_readmes.artifact_id = artifacts.id)"
    )
    op.drop_table("artifact_readmes")
