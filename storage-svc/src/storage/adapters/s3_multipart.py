"""Multipart uploads that never leave parts behind, and the constant-memory splitting of a stream into parts."""

import hashlib
from collections.abc import AsyncIterable, Awaitable, Callable
from types import TracebackType
from typing import Any

import structlog

from storage.adapters.s3_errors import s3_errors

log = structlog.get_logger()

MAX_PARTS = 10_000

# An aiobotocore S3 client (aiobotocore ships no type information).
S3Client = Any


class StreamDigest:
    """SHA-256 and size of the bytes seen so far."""

    def __init__(self) -> None:
        self._sha256 = hashlib.sha256()
        self.size = 0

    def update(self, chunk: bytes) -> None:
        """Account for ``chunk``."""
        self._sha256.update(chunk)
        self.size += len(chunk)

    def hexdigest(self) -> str:
        """The hex SHA-256 of everything seen."""
        return self._sha256.hexdigest()


async def split_parts(
    chunks: AsyncIterable[bytes], part_size: int, digest: StreamDigest, send: Callable[[bytes], Awaitable[None]]
) -> bytes:
    """Feed ``chunks`` to ``digest`` and each full ``part_size`` piece to ``send``; return the shorter rest.

    Memory holds the part being sent plus at most one part and one chunk of buffer, whatever the stream's size.
    """
    buffer = bytearray()
    async for chunk in chunks:
        digest.update(chunk)
        buffer += chunk
        while len(buffer) >= part_size:
            # No local name keeps the part alive once sent: the next one is built in its place.
            await send(_take(buffer, part_size))
    return bytes(buffer)


def _take(buffer: bytearray, size: int) -> bytes:
    with memoryview(buffer) as view:
        head = bytes(view[:size])
    del buffer[:size]
    return head


class MultipartUpload:
    """One multipart upload, created with its first part, completed on a clean exit, aborted on any error."""

    def __init__(
        self, client: S3Client, bucket: str, key: str, *, content_type: str, metadata: dict[str, str] | None = None
    ) -> None:
        self._client = client
        self._bucket = bucket
        self._key = key
        self._create_options = {"ContentType": content_type, "Metadata": metadata or {}}
        self._upload_id: str | None = None
        self._etags: list[str] = []

    @property
    def started(self) -> bool:
        """True once a part has been sent (the upload exists on the server)."""
        return self._upload_id is not None

    async def add_part(self, body: bytes) -> None:
        """Upload ``body`` as the next part."""
        upload_id = await self._next_part_of()
        with s3_errors("UploadPart", self._key):
            response = await self._client.upload_part(
                Bucket=self._bucket, Key=self._key, UploadId=upload_id, PartNumber=len(self._etags) + 1, Body=body
            )
        self._etags.append(str(response["ETag"]))

    async def add_part_copy(self, src_key: str, start: int, end: int) -> None:
        """Copy bytes ``start``..``end`` (inclusive) of ``src_key``, in the same bucket, as the next part."""
        upload_id = await self._next_part_of()
        with s3_errors("UploadPartCopy", src_key):
            response = await self._client.upload_part_copy(
                Bucket=self._bucket, Key=self._key, UploadId=upload_id, PartNumber=len(self._etags) + 1,
                CopySource={"Bucket": self._bucket, "Key": src_key}, CopySourceRange=f"bytes={start}-{end}",
            )  # fmt: skip
        self._etags.append(str(response["CopyPartResult"]["ETag"]))

    async def __aenter__(self) -> "MultipartUpload":
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self._upload_id is None:
            return
        if error is not None:
            await abort_upload(self._client, self._bucket, self._key, self._upload_id)
            return
        parts = [{"PartNumber": number, "ETag": etag} for number, etag in enumerate(self._etags, start=1)]
        try:
            with s3_errors("CompleteMultipartUpload", self._key):
                await self._client.complete_multipart_upload(
                    Bucket=self._bucket, Key=self._key, UploadId=self._upload_id, MultipartUpload={"Parts": parts}
                )
        except BaseException:
            await abort_upload(self._client, self._bucket, self._key, self._upload_id)
            raise
        log.debug("s3_multipart_completed", key=self._key, parts=len(parts))

    async def _next_part_of(self) -> str:
        if len(self._etags) == MAX_PARTS:
            raise ValueError(f"{self._key}: S3 allows {MAX_PARTS} parts at most; use a larger part size")
        if self._upload_id is None:
            with s3_errors("CreateMultipartUpload", self._key):
                created = await self._client.create_multipart_upload(
                    Bucket=self._bucket, Key=self._key, **self._create_options
                )
            self._upload_id = str(created["UploadId"])
        return self._upload_id


async def abort_upload(client: S3Client, bucket: str, key: str, upload_id: str) -> None:
    """Abort one multipart upload, logging (not raising) a failure: the caller's own error matters more."""
    try:
        await client.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
    except Exception as error:
        log.warning("s3_multipart_abort_failed", key=key, upload_id=upload_id, error=repr(error))
    else:
        log.info("s3_multipart_aborted", key=key, upload_id=upload_id)
