"""In-memory fakes of storage's ports (object store, upstream, queue) for use-case tests."""

import hashlib
from collections.abc import AsyncIterable, AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from contracts.artifacts import ArtifactType
from contracts.storage import Part, SourceRef
from contracts.webhooks import RegistryEvent
from storage.domain.files import PlannedFile
from storage.domain.pinned import Pinned
from storage.domain.verify import ContentMismatch, Expected
from storage.ports import ObjectHead, SourceChanged, SourcePlan, UploadResult


class MemoryBlobs:
    """``BlobStore`` in a dict."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.modified: dict[str, datetime] = {}

    async def ensure_bucket(self) -> None:
        return None

    async def upload_stream(
        self, key: str, chunks: AsyncIterable[bytes], *, part_size: int = 8 << 20, expect: Expected | None = None
    ) -> UploadResult:
        body = b"".join([chunk async for chunk in chunks])
        result = UploadResult(len(body), hashlib.sha256(body).hexdigest())
        wrong = expect.mismatch(result.size, result.sha256) if expect is not None else ""
        if wrong:
            raise ContentMismatch(wrong)
        self.objects[key] = body
        self.modified[key] = datetime.now(UTC)
        return result

    async def exists(self, key: str) -> bool:
        return key in self.objects

    async def size(self, key: str) -> int | None:
        return len(self.objects[key]) if key in self.objects else None

    async def head(self, key: str) -> ObjectHead | None:
        body = self.objects.get(key)
        if body is None:
            return None
        modified = self.modified.get(key, datetime(2026, 1, 1, tzinfo=UTC)).replace(microsecond=0)
        return ObjectHead(len(body), f'"{hashlib.sha256(body).hexdigest()}"', modified, modified + timedelta(seconds=1))

    async def copy(self, src_key: str, dst_key: str) -> None:
        self.objects[dst_key] = self.objects[src_key]

    async def delete(self, key: str) -> None:
        self.objects.pop(key, None)

    async def delete_many(self, keys: Sequence[str]) -> None:
        for key in keys:
            self.objects.pop(key, None)

    async def delete_prefix(self, prefix: str) -> None:
        for key in [k for k in self.objects if k.startswith(prefix)]:
            del self.objects[key]

    async def empty_bucket(self) -> None:
        self.objects.clear()

    async def presign_get(
        self, key: str, *, expires_in: int, filename: str | None = None, pinned: Pinned | None = None
    ) -> str:
        return f"memory://{key}"

    async def presign_put(self, key: str, *, expires_in: int, content_length: int | None = None) -> str:
        return f"memory://{key}"

    async def read_stream(self, key: str, *, pinned: Pinned | None = None) -> AsyncIterator[bytes]:
        head = await self.head(key)
        if pinned is not None and head is not None and not pinned.holds(head.etag, head.last_modified):
            raise SourceChanged(f"{key} changed")
        yield self.objects[key]

    async def stale_objects(self, prefix: str, before: datetime) -> list[str]:
        return [k for k in self.objects if k.startswith(prefix) and self.modified.get(k, before) < before]

    async def abort_stale_uploads(self, before: datetime) -> int:
        return 0  # uploads here are atomic: none is ever left half-done


class FixedUpstream:
    """``Fetcher`` serving fixed files; counts how often each file is opened."""

    def __init__(self, files: dict[str, bytes], published_sha256: bool, served: dict[str, bytes] | None = None) -> None:
        self.files = files
        self.published = published_sha256
        self.served = served or {}  # bytes served instead of the published ones (a short or altered file)
        self.opened: list[str] = []

    async def plan(self, source: SourceRef, artifact_type: ArtifactType) -> SourcePlan:
        planned = [
            PlannedFile(
                path, part_of_weights(), len(body), hashlib.sha256(body).hexdigest() if self.published else None
            )
            for path, body in sorted(self.files.items())
        ]
        return SourcePlan(revision="abc", files=planned)

    @asynccontextmanager
    async def open(self, source: SourceRef, revision: str | None, path: str) -> AsyncIterator[AsyncIterator[bytes]]:
        self.opened.append(path)

        async def chunks() -> AsyncIterator[bytes]:
            yield self.served.get(path, self.files[path])

        yield chunks()


def part_of_weights() -> Part:
    """Every fixed file is a weight file."""
    return Part.WEIGHTS


class NoQueue:
    """``JobQueue`` that only records what was queued."""

    def __init__(self) -> None:
        self.queued: list[tuple[str, int]] = []
        self.announced: list[RegistryEvent] = []

    async def enqueue(self, artifact_id: str, generation: int) -> None:
        self.queued.append((artifact_id, generation))

    async def announce(self, event: RegistryEvent) -> None:
        self.announced.append(event)

    async def purge(self) -> None:
        self.queued.clear()
