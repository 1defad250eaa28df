"""Alembic migrations of the catalog store."""
