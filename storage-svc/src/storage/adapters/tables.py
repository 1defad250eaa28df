"""Tables of storage-svc's index (SQLAlchemy Core); the migrations create them."""

from sqlalchemy import BigInteger, Boolean, Column, DateTime, Integer, MetaData, String, Table, Text

metadata = MetaData()

packages = Table(
    "packages",
    metadata,
    Column("artifact_id", String(64), primary_key=True),
    Column("type", String(16), nullable=False),
    Column("source_kind", String(16), nullable=False),
    Column("repo_id", Text, nullable=False),
    Column("subpath", Text, nullable=False),
    Column("revision", Text),
    Column("state", String(24), nullable=False),
    Column("message", Text, nullable=False),
    Column("generation", Integer, nullable=False),
    Column("planned", Boolean, nullable=False),
    Column("copying_bytes", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

files = Table(
    "files",
    metadata,
    Column("artifact_id", String(64), primary_key=True),
    Column("path", Text, primary_key=True),
    Column("part", String(16), nullable=False),
    Column("size", BigInteger),
    Column("estimate", BigInteger),  # the upstream's own estimate while ``size`` is unknown (GitHub archives)
    Column("upstream_sha256", String(64)),
    Column("git_oid", String(40)),
    Column("sha256", String(64)),
    Column("verified", Boolean),
    Column("status", String(16), nullable=False),  # pending | stored | skipped
    Column("note", Text, nullable=False),
)

blobs = Table(
    "blobs",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("refs", Integer, nullable=False),
    Column("state", String(16), nullable=False),  # live | deleting
)

upload_slots = Table(
    "upload_slots",
    metadata,
    Column("upload_id", String(32), primary_key=True),
    Column("owner", Text, nullable=False),
    Column("size", BigInteger, nullable=False),  # the size the S3 signature of its PUT URL enforces
    Column("created_at", DateTime(timezone=True), nullable=False),
)

capacity_holds = Table(
    "capacity_holds",
    metadata,
    Column("hold_id", String(32), primary_key=True),
    Column("size", BigInteger, nullable=False),  # bytes an ingest holds while its plan is being recorded
    Column("created_at", DateTime(timezone=True), nullable=False),
)

archives = Table(
    "archives",
    metadata,
    Column("artifact_id", String(64), primary_key=True),
    Column("part", String(16), primary_key=True),
    Column("key", Text, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
)
