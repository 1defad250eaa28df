"""Alembic migrations of storage-svc's index."""

from pathlib import Path

MIGRATIONS = Path(__file__).parent
# Advisory-lock key serialising storage migrations across replicas.
MIGRATION_LOCK = 461_0002
