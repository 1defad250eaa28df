"""storage-svc settings, from the environment."""

from pydantic import Field, SecretStr

from svckit.upstream import UpstreamSettings


class StorageSettings(UpstreamSettings):
    """Where bytes and the index live, and how upstream sources are reached."""

    storage_database_url: str | None = Field(default=None, description="Default: SQLite under the data dir.")
    s3_endpoint_url: str | None = Field(default=None, description="Empty means AWS S3.")
    s3_public_endpoint_url: str | None = Field(
        default=None, description="The S3 endpoint as clients reach it, for presigned links (default: s3_endpoint_url)."
    )
    s3_bucket: str = "registry-artifacts"
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = None
    s3_secret_access_key: SecretStr | None = None
    storage_max_file_bytes: int | None = Field(default=None, ge=0, description="Files above are not copied.")
    storage_copy_concurrency: int = Field(
        default=2, ge=0, description="Copy jobs one replica runs at once; 0: none (it serves, other replicas copy)."
    )
    storage_verify_attempts: int = Field(
        default=3, ge=1, le=10, description="Transfers of a file whose bytes differ from the published ones."
    )
    storage_retry_seconds: float = Field(
        default=1.0, ge=0, description="Wait before the second transfer of such a file (doubled each time)."
    )
    storage_ack_wait: float = Field(default=60.0, gt=0)
    storage_stream_replicas: int = Field(default=1, ge=1, le=5, description="JetStream replicas of the copy queue.")
    storage_http_host: str = Field(default="127.0.0.1", description="Interface of the byte endpoint (downloads).")
    storage_http_port: int = Field(default=0, ge=0, le=65535, description="Its port; 0 picks a free one.")
    storage_public_url: str | None = Field(
        default=None, description="The byte endpoint as clients reach it (default: http://host:port it binds)."
    )
    storage_link_key: SecretStr | None = Field(
        default=None, description="Signs download links; the same on every replica (random per process if unset)."
    )
    storage_capacity_bytes: int | None = Field(
        default=None,
        ge=0,
        description="Bytes the bucket may hold in all; an ingest or upload past it answers 507 with nothing stored.",
    )
    storage_upload_max_bytes: int = Field(default=5 << 30, ge=0, description="Largest file one upload may declare.")
    storage_upload_quota_bytes: int = Field(
        default=50 << 30, ge=0, description="Bytes of uploads one user may hold (registered or still pending)."
    )
    storage_sweep_seconds: float = Field(
        default=3600.0, ge=0, description="Seconds between sweeps of abandoned S3 objects (0: never)."
    )
    storage_stale_seconds: float = Field(
        default=24 * 3600.0, gt=0, description="Age past which an upload or temporary object counts as abandoned."
    )
    download_link_seconds: int = Field(default=3600, ge=1, le=7 * 24 * 3600)
    upstream_timeout: float = Field(default=30.0, gt=0)

    def database_url(self) -> str:
        """The configured URL, or the embedded SQLite default."""
        if self.storage_database_url:
            return self.storage_database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'storage' / 'index.db').resolve()}"
