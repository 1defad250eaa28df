"""What storage's use cases are handed: ports and policy, wired in ``service.py``."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from storage.ports import BlobStore, Fetcher, JobQueue, PackageIndex
from svckit.clock import utc_now


@dataclass(frozen=True)
class Policy:
    """Tunable limits of storage."""

    max_file_bytes: int | None = None
    capacity_bytes: int | None = None  # bytes the bucket may hold in all (stored, being copied, reserved)
    link_seconds: int = 3600
    progress_every_bytes: int = 8 << 20
    blob_busy_seconds: float = 30.0
    upload_max_bytes: int = 5 << 30  # largest upload; S3 refuses a PUT of any other length than declared
    upload_quota_bytes: int = 50 << 30  # bytes one user may hold in uploads (registered or not)
    stale_seconds: float = 24 * 3600.0  # age past which an upload or temporary object counts as abandoned
    verify_attempts: int = 3
    retry_seconds: float = 1.0
    byte_url: str = ""  # the public base URL of this service's byte endpoint (``/bytes/...`` links)
    link_key: bytes = field(default=b"", repr=False)  # signs those links; the same on every replica


@dataclass
class Deps:
    """Ports and policy for one storage replica."""

    blobs: BlobStore
    index: PackageIndex
    fetcher: Fetcher
    jobs: JobQueue
    policy: Policy = field(default_factory=Policy)
    clock: Callable[[], datetime] = utc_now
