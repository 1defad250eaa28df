"""Alembic environment: runs on the connection handed over by ``catalog.adapters.database``."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    render_as_batch=connection.dialect.name == "sqlite",
    version_table=context.config.attributes["version_table"],
)
with context.begin_transaction():
    context.run_migrations()
