"""Alembic migrations of scoring-svc's rating store."""

from pathlib import Path

MIGRATIONS = Path(__file__).parent
# Advisory-lock key serialising scoring migrations across replicas.
MIGRATION_LOCK = 461_0004
