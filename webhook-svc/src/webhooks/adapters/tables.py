"""Tables of webhook-svc's store; the migrations create them. Times are UTC epoch seconds."""

from sqlalchemy import JSON, Boolean, Column, Float, Index, Integer, MetaData, String, Table, Text

from svckit.reply_ledger import reply_table

metadata = MetaData()

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("url", Text, nullable=False),
    Column("events", JSON, nullable=False),
    Column("secret", Text, nullable=False),
    Column("owner", Text, nullable=False),
    Column("admin", Boolean, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("disabled_reason", Text, nullable=True),
    Column("failures", Integer, nullable=False),
    Column("created", Float, nullable=False),
    Index("ix_subscriptions_owner", "owner"),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", String(96), primary_key=True),
    Column("subscription_id", String(64), nullable=False),
    Column("type", String(32), nullable=False),
    Column("body", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_status", Integer, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("next_attempt", Float, nullable=True),
    Column("claimed_until", Float, nullable=True),
    Column("claim", String(32), nullable=True),
    Column("created", Float, nullable=False),
    Index("ix_deliveries_subscription", "subscription_id", "created"),
    Index("ix_deliveries_due", "status", "next_attempt"),
)

owners = Table(
    "artifact_owners",
    metadata,
    Column("artifact_id", String(64), primary_key=True),
    Column("owner", Text, nullable=False),
    Column("name", Text, nullable=False),
)

# Outcomes of idempotent writes (``svckit.reply_ledger``), replayed to a caller's resend; swept after an hour. Named
# apart from the catalog's ``idempotent_replies``: services may share one database (``make run-cluster``).
replies = reply_table(metadata, "webhook_replies")
