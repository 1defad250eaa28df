"""The small interfaces storage's use cases depend on; adapters implement them."""

from collections.abc import AsyncIterable, AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from contracts.artifacts import ArtifactType
from contracts.storage import PackageState, Part, SourceRef, StoredFile
from contracts.webhooks import RegistryEvent
from storage.domain.files import PlannedFile
from storage.domain.pinned import Pinned
from storage.domain.verify import Expected


@dataclass(frozen=True)
class UploadResult:
    """What a streamed upload wrote."""

    size: int
    sha256: str


@dataclass(frozen=True)
class ObjectHead:
    """An object's size, ETag (of a single PUT: the MD5 of its body) and Last-Modified, read in one request at
    ``checked_at`` (S3's clock, the Date of its answer)."""

    size: int
    etag: str
    last_modified: datetime
    checked_at: datetime


class BlobStore(Protocol):
    """Object storage (S3)."""

    async def ensure_bucket(self) -> None: ...
    async def upload_stream(
        self, key: str, chunks: AsyncIterable[bytes], *, part_size: int = ..., expect: Expected | None = ...
    ) -> UploadResult: ...
    async def exists(self, key: str) -> bool: ...
    async def copy(self, src_key: str, dst_key: str) -> None: ...
    async def delete(self, key: str) -> None: ...
    async def delete_many(self, keys: Sequence[str]) -> None: ...
    async def delete_prefix(self, prefix: str) -> None: ...
    async def empty_bucket(self) -> None: ...
    async def presign_get(
        self, key: str, *, expires_in: int, filename: str | None = None, pinned: Pinned | None = None
    ) -> str: ...
    async def presign_put(self, key: str, *, expires_in: int, content_length: int | None = None) -> str: ...
    async def size(self, key: str) -> int | None: ...
    async def head(self, key: str) -> ObjectHead | None: ...
    def read_stream(self, key: str, *, pinned: Pinned | None = None) -> AsyncIterator[bytes]: ...
    async def stale_objects(self, prefix: str, before: datetime) -> list[str]: ...
    async def abort_stale_uploads(self, before: datetime) -> int: ...


@dataclass(frozen=True)
class Package:
    """A package record: its source, copy state and progress."""

    artifact_id: str
    type: ArtifactType
    source: SourceRef
    state: PackageState
    generation: int
    planned: bool
    bytes_done: int
    bytes_total: int | None
    files_done: int
    files_total: int
    message: str
    updated_at: datetime


@dataclass(frozen=True)
class FileRecord:
    """A planned file as the index keeps it."""

    path: str
    part: Part
    size: int | None
    upstream_sha256: str | None
    git_oid: str | None
    sha256: str | None
    status: Literal["pending", "stored", "skipped", "failed"]
    verified: bool | None
    note: str

    def view(self) -> StoredFile:
        """The contract view shown to clients."""
        return StoredFile(
            path=self.path,
            part=self.part,
            size=self.size or 0,
            sha256=self.sha256,
            stored=self.status == "stored",
            status=self.status,
            upstream_sha256=self.upstream_sha256,
            verified=self.verified,
            note=self.note,
        )


@dataclass(frozen=True)
class Archive:
    """The checksum of an archive of the whole package or one part (``key`` is empty: archives are streamed, not
    stored; it names the object of an archive stored by an older version)."""

    part: Part
    key: str
    size: int
    sha256: str


Claim = Literal["reused", "absent", "busy"]


class PackageIndex(Protocol):
    """storage-svc's own index of packages, files, blobs (with reference counts) and archives."""

    async def create(
        self, artifact_id: str, artifact_type: ArtifactType, source: SourceRef
    ) -> tuple[Package, list[str]]: ...
    async def get(self, artifact_id: str) -> Package | None: ...
    async def set_plan(
        self, artifact_id: str, generation: int, files: Sequence[PlannedFile], revision: str | None
    ) -> bool: ...
    async def files(self, artifact_id: str) -> list[FileRecord]: ...
    async def total_sizes(self, artifact_ids: Sequence[str]) -> dict[str, int | None]: ...
    async def claim_blob(self, sha256: str) -> Claim: ...
    async def add_blob(self, sha256: str, size: int) -> None: ...
    async def release_blob(self, sha256: str) -> list[str]: ...
    async def file_stored(
        self, artifact_id: str, generation: int, path: str, sha256: str, size: int, verified: bool | None
    ) -> bool: ...
    async def file_skipped(self, artifact_id: str, generation: int, path: str, reason: str) -> bool: ...
    async def file_failed(self, artifact_id: str, generation: int, path: str, reason: str) -> bool: ...
    async def copying(self, artifact_id: str, generation: int, copied: int) -> None: ...
    async def set_state(self, artifact_id: str, generation: int, state: PackageState, message: str = "") -> bool: ...
    async def add_archive(self, artifact_id: str, generation: int, archive: Archive) -> bool: ...
    async def archive(self, artifact_id: str, part: Part) -> Archive | None: ...
    async def delete(self, artifact_id: str) -> list[str] | None: ...
    async def forget_blobs(self, keys: Sequence[str]) -> None: ...
    async def deleting_blobs(self) -> list[str]: ...
    async def uploads_in_use(self, upload_ids: Sequence[str]) -> set[str]: ...
    async def add_upload_slot(
        self, upload_id: str, owner: str, size: int, created_at: datetime, admit: Callable[[int, int], None]
    ) -> None: ...
    async def upload_bytes(self, owner: str) -> int: ...
    async def committed_bytes(self) -> int: ...
    async def hold_bytes(self, hold_id: str, size: int, created_at: datetime, admit: Callable[[int], None]) -> None: ...
    async def release_hold(self, hold_id: str) -> None: ...
    async def forget_holds_before(self, before: datetime) -> int: ...
    async def forget_upload_slots(self, upload_ids: Sequence[str]) -> None: ...
    async def clear(self) -> None: ...


class BlobStoreUnavailable(Exception):
    """Object storage cannot be reached."""


class SourceChanged(Exception):
    """The source's bytes are no longer those recorded when its package was planned: an upload object written again
    through its still-valid PUT link (a later Last-Modified, or another ETag)."""


class SourceMissing(Exception):
    """The source or one of its files does not exist upstream."""


class SourceUnavailable(Exception):
    """The upstream service could not be reached; worth retrying later."""


class NeedsCredentials(Exception):
    """The upstream bytes need credentials this deployment does not have."""


@dataclass(frozen=True)
class SourcePlan:
    """The files of a source at a pinned revision."""

    revision: str | None
    files: list[PlannedFile]


class Fetcher(Protocol):
    """Lists and streams the files of upstream sources."""

    async def plan(self, source: SourceRef, artifact_type: ArtifactType) -> SourcePlan: ...
    def open(
        self, source: SourceRef, revision: str | None, path: str
    ) -> AbstractAsyncContextManager[AsyncIterator[bytes]]: ...


class JobQueue(Protocol):
    """Durable queue of copy jobs."""

    async def enqueue(self, artifact_id: str, generation: int) -> None: ...
    async def purge(self) -> None: ...
    async def announce(self, event: RegistryEvent) -> None: ...
