"""Alembic migrations of the catalog store."""

from pathlib import Path

MIGRATIONS = Path(__file__).parent
# Advisory-lock key serialising catalog migrations across replicas.
MIGRATION_LOCK = 461_0001
