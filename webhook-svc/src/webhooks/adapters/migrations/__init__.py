"""Alembic migrations of webhook-svc's store."""

from pathlib import Path

MIGRATIONS = Path(__file__).parent
# Advisory-lock key serialising webhook migrations across replicas.
MIGRATION_LOCK = 461_0005
