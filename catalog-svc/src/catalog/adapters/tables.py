"""Table definitions of the catalog store (SQLAlchemy Core); migrations create them."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from svckit.reply_ledger import reply_table

metadata = MetaData()

artifacts = Table(
    "artifacts",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(64), nullable=False, unique=True),
    Column("type", String(16), nullable=False),
    Column("name", String(255), nullable=False),
    Column("url", Text, nullable=False),
    Column("owner", String(128), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_artifacts_name", "name"),
    Index("ix_artifacts_type_seq", "type", "seq"),
)

readmes = Table(
    "artifact_readmes",
    metadata,
    Column("artifact_id", String(64), ForeignKey("artifacts.id", ondelete="CASCADE"), primary_key=True),
    Column("readme", Text, nullable=False),
)

audit = Table(
    "audit",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("artifact_id", String(64), nullable=False),
    Column("artifact_type", String(16), nullable=False),
    Column("artifact_name", String(255), nullable=False),
    Column("user_name", String(128), nullable=False),
    Column("user_is_admin", Boolean, nullable=False),
    Column("action", String(16), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_audit_artifact", "artifact_id", "seq"),
)

users = Table(
    "users",
    metadata,
    Column("name", String(128), primary_key=True),
    Column("password_hash", Text, nullable=False),
    Column("is_admin", Boolean, nullable=False),
    Column("permissions", Text, nullable=False),
)

tokens = Table(
    "tokens",
    metadata,
    Column("digest", String(64), primary_key=True),
    Column("user_name", String(128), ForeignKey("users.name", ondelete="CASCADE"), nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("uses", Integer, nullable=False, default=0),
)

state = Table(
    "catalog_state",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

# Outcomes of idempotent writes (``svckit.reply_ledger``), replayed to a caller's resend; swept after an hour.
replies = reply_table(metadata, "idempotent_replies")
