"""Alembic migrations of lineage-svc's graph store."""

from pathlib import Path

MIGRATIONS = Path(__file__).parent
# Advisory-lock key serialising lineage migrations across replicas.
MIGRATION_LOCK = 461_0003
