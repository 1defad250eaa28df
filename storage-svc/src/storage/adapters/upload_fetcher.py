"""``Fetcher`` for uploaded packages (bytes already in our bucket), and the router choosing a fetcher by kind.

An upload's presigned PUT URL stays valid after its registration, so its object may be written again. The plan
made at registration pins the object's version (ETag and Last-Modified, ``storage.domain.pinned``) as the package's
revision, and every later read of the object is conditional on it: bytes PUT since then are never read
(``SourceChanged``), so what is stored and served is what was there at registration, which is what the pickle scan
read (its range links carry the same condition).
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from contracts.artifacts import ArtifactType
from contracts.storage import SourceKind, SourceRef
from storage.domain.files import PlannedFile, part_of, upload_key
from storage.domain.pinned import Pinned, settled
from storage.ports import BlobStore, Fetcher, SourceMissing, SourcePlan, SourceUnavailable

SETTLE_WAIT = 0.25
SETTLE_LOOKS = 8


class UploadFetcher:
    """An upload is one file under ``uploads/<id>``; ``subpath`` carries its file name."""

    def __init__(self, blobs: BlobStore) -> None:
        self._blobs = blobs

    async def plan(self, source: SourceRef, artifact_type: ArtifactType) -> SourcePlan:
        """The uploaded file with its real size, its version now pinned as the revision: once S3's clock has passed
        the second of its Last-Modified (up to a second's wait), so a later PUT cannot share that second."""
        head = await self._blobs.head(upload_key(source.repo_id))
        for _ in range(SETTLE_LOOKS):
            if head is None or settled(head.last_modified, head.checked_at):
                break
            await asyncio.sleep(SETTLE_WAIT)
            head = await self._blobs.head(upload_key(source.repo_id))
        if head is None:
            raise SourceMissing("nothing was uploaded under this upload id (or the upload slot expired)")
        if not settled(head.last_modified, head.checked_at):
            raise SourceUnavailable("the upload's Last-Modified is not in the past on the storage's own clock")
        planned = PlannedFile(source.subpath, part_of(source.subpath, artifact_type), head.size)
        return SourcePlan(revision=Pinned(head.etag, head.last_modified).revision(), files=[planned])

    @asynccontextmanager
    async def open(self, source: SourceRef, revision: str | None, path: str) -> AsyncIterator[AsyncIterator[bytes]]:
        """Stream the uploaded object if it is still the version ``revision`` pins (``SourceChanged`` otherwise); a
        package planned before uploads were pinned (``None``) reads it as it is."""
        yield self._blobs.read_stream(upload_key(source.repo_id), pinned=Pinned.of(revision))


class RoutingFetcher:
    """Uploads from our bucket, everything else from upstream."""

    def __init__(self, upstream: Fetcher, uploads: UploadFetcher) -> None:
        self._upstream = upstream
        self._uploads = uploads

    def _for(self, source: SourceRef) -> Fetcher:
        return self._uploads if source.kind is SourceKind.UPLOAD else self._upstream

    async def plan(self, source: SourceRef, artifact_type: ArtifactType) -> SourcePlan:
        """Plan through the fetcher of the source's kind."""
        return await self._for(source).plan(source, artifact_type)

    def open(
        self, source: SourceRef, revision: str | None, path: str
    ) -> AbstractAsyncContextManager[AsyncIterator[bytes]]:
        """Open through the fetcher of the source's kind."""
        return self._for(source).open(source, revision, path)
