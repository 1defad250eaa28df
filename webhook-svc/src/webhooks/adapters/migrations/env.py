"""Alembic environment: the shared runner in ``svckit.database`` does the work."""

from svckit.database import run_migrations_in_env

run_migrations_in_env()
