"""Artifact bytes in S3 (aiobotocore, SigV4, path-style): streaming uploads, server-side copies, presigned GETs.

The same code talks to AWS S3 and to SeaweedFS (the default backend, see ``stack.seaweed``). Failures surface
as :class:`S3NotFound` (a ``KeyError``), :class:`S3Unavailable` (answer 503) or :class:`S3Error`.
"""

from collections.abc import AsyncIterable, AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from itertools import islice
from typing import Any

import structlog
from aiobotocore.config import AioConfig  # type: ignore[import-untyped]
from aiobotocore.session import get_session  # type: ignore[import-untyped]

from storage.adapters.s3_errors import S3Changed, S3Error, S3NotFound, S3Unavailable, s3_errors
from storage.adapters.s3_multipart import MAX_PARTS, MultipartUpload, S3Client, StreamDigest, abort_upload, split_parts
from storage.domain.links import attachment_disposition
from storage.domain.pinned import Pinned
from storage.domain.verify import ContentMismatch, Expected
from storage.ports import ObjectHead, UploadResult

__all__ = ["S3BlobStore", "S3Changed", "S3Error", "S3NotFound", "S3Unavailable", "UploadResult", "open_s3"]

log = structlog.get_logger()

MiB = 1024 * 1024
DEFAULT_PART_SIZE = 8 * MiB
MIN_PART_SIZE = 5 * MiB  # S3's minimum for every part but the last
MAX_SINGLE_COPY = 5 * 1024 * MiB  # CopyObject refuses larger sources
DEFAULT_COPY_PART_SIZE = 512 * MiB
MAX_PRESIGN_SECONDS = 7 * 24 * 3600  # SigV4 limit
DELETE_BATCH = 1000  # DeleteObjects limit


@asynccontextmanager
async def open_s3(
    endpoint_url: str | None,
    access_key: str | None,
    secret_key: str | None,
    region: str,
    *,
    connect_timeout: float = 5.0,
    read_timeout: float = 60.0,
    max_attempts: int = 3,
) -> AsyncIterator[S3Client]:
    """An S3 client for ``endpoint_url`` (``None``: AWS), closed on exit.

    ``None`` keys fall back to botocore's credential chain (environment, instance role...). ``max_attempts``
    counts every try of a request, the first included.
    """
    config = AioConfig(
        signature_version="s3v4",
        s3={"addressing_style": "path"},
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        retries={"total_max_attempts": max_attempts, "mode": "standard"},
        # We hash every body ourselves; skip botocore's extra CRC32 pass over each part.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    session = get_session()
    async with session.create_client(
        "s3", region_name=region, endpoint_url=endpoint_url, aws_access_key_id=access_key,
        aws_secret_access_key=secret_key, config=config,
    ) as client:  # fmt: skip
        yield client


class S3BlobStore:
    """Objects of one bucket, read and written in constant memory; links are signed by ``presigner`` (a client
    of the endpoint as clients reach it, when that differs from the one this service uses)."""

    def __init__(self, client: S3Client, bucket: str, presigner: S3Client | None = None) -> None:
        self._client = client
        self._presigner = presigner or client
        self.bucket = bucket

    async def ensure_bucket(self) -> None:
        """Create the bucket unless it exists (safe when several replicas call it at once)."""
        try:
            with s3_errors("HeadBucket"):
                await self._client.head_bucket(Bucket=self.bucket)
            return
        except S3NotFound:
            pass
        region = self._client.meta.region_name
        options = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        try:
            with s3_errors("CreateBucket"):
                await self._client.create_bucket(Bucket=self.bucket, **options)
        except S3Error as error:
            if error.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise
            with s3_errors("HeadBucket"):  # "already exists" must also mean "and we may use it"
                await self._client.head_bucket(Bucket=self.bucket)
        log.info("s3_bucket_ready", bucket=self.bucket)

    async def upload_stream(
        self,
        key: str,
        chunks: AsyncIterable[bytes],
        *,
        part_size: int = DEFAULT_PART_SIZE,
        content_type: str = "application/octet-stream",
        expect: Expected | None = None,
    ) -> UploadResult:
        """Store ``chunks`` under ``key``, hashing on the fly; at most about one part is held in memory.

        A body shorter than ``part_size`` goes in one PutObject, a longer one as a multipart upload that is
        aborted if anything fails (including ``chunks`` raising), so no object and no parts are left. With
        ``expect``, bytes that differ from it raise ``ContentMismatch`` before the object exists: the single
        PutObject is not sent, the multipart upload is aborted instead of completed.
        """
        if part_size < MIN_PART_SIZE:
            raise ValueError(f"part_size must be at least {MIN_PART_SIZE} bytes (S3's minimum)")
        digest = StreamDigest()
        async with MultipartUpload(self._client, self.bucket, key, content_type=content_type) as upload:
            rest = await split_parts(chunks, part_size, digest, upload.add_part)
            wrong = expect.mismatch(digest.size, digest.hexdigest()) if expect is not None else ""
            if wrong:
                raise ContentMismatch(wrong)
            if not upload.started:
                with s3_errors("PutObject", key):
                    await self._client.put_object(Bucket=self.bucket, Key=key, Body=rest, ContentType=content_type)
            elif rest:
                await upload.add_part(rest)
        result = UploadResult(digest.size, digest.hexdigest())
        log.info("s3_object_uploaded", key=key, size=result.size, sha256=result.sha256)
        return result

    async def size(self, key: str) -> int | None:
        """The object's size in bytes, or ``None`` if there is no such object."""
        head = await self.head(key)
        return head.size if head is not None else None

    async def head(self, key: str) -> ObjectHead | None:
        """The object's size, ETag and Last-Modified (from one HeadObject), or ``None`` if there is no such object."""
        try:
            with s3_errors("HeadObject", key):
                head = await self._client.head_object(Bucket=self.bucket, Key=key)
        except S3NotFound:
            return None
        date = head["ResponseMetadata"]["HTTPHeaders"].get("date")  # S3's clock; ours when it sends no Date
        checked_at = parsedate_to_datetime(date) if date else datetime.now(UTC)
        return ObjectHead(int(head["ContentLength"]), str(head["ETag"]), head["LastModified"], checked_at)

    async def exists(self, key: str) -> bool:
        """True if an object is stored under ``key``."""
        return await self.size(key) is not None

    async def copy(
        self,
        src_key: str,
        dst_key: str,
        *,
        multipart_threshold: int = MAX_SINGLE_COPY,
        part_size: int = DEFAULT_COPY_PART_SIZE,
    ) -> None:
        """Server-side copy; sources over ``multipart_threshold`` bytes are copied in ``part_size`` ranges.

        ``part_size`` grows as needed to stay within S3's 10 000 parts (5 TiB objects need ~525 MiB).
        """
        with s3_errors("HeadObject", src_key):
            head = await self._client.head_object(Bucket=self.bucket, Key=src_key)
        size = int(head["ContentLength"])
        if size <= multipart_threshold:
            with s3_errors("CopyObject", src_key):
                source = {"Bucket": self.bucket, "Key": src_key}
                await self._client.copy_object(Bucket=self.bucket, Key=dst_key, CopySource=source)
        else:
            part_size = max(part_size, -(-size // MAX_PARTS))
            content_type = head.get("ContentType") or "application/octet-stream"
            options = {"content_type": content_type, "metadata": head.get("Metadata")}
            async with MultipartUpload(self._client, self.bucket, dst_key, **options) as upload:
                for start in range(0, size, part_size):
                    await upload.add_part_copy(src_key, start, min(start + part_size, size) - 1)
        log.info("s3_object_copied", src_key=src_key, dst_key=dst_key, size=size)

    async def delete(self, key: str) -> None:
        """Delete ``key`` (no error if it does not exist)."""
        with s3_errors("DeleteObject", key):
            await self._client.delete_object(Bucket=self.bucket, Key=key)

    async def delete_many(self, keys: Iterable[str]) -> None:
        """Delete every key, a thousand per request; raise :class:`S3Error` if S3 reports any failure."""
        remaining = iter(keys)
        while batch := list(islice(remaining, DELETE_BATCH)):
            with s3_errors("DeleteObjects"):
                response = await self._client.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": [{"Key": key} for key in batch], "Quiet": True}
                )
            if errors := response.get("Errors"):
                first = errors[0]
                raise S3Error(f"{len(errors)} keys not deleted, e.g. {first.get('Key')!r}", first.get("Code", ""))

    async def delete_prefix(self, prefix: str) -> None:
        """Delete every object whose key starts with ``prefix`` and abort the multipart uploads there.

        The uploads are what a writer killed mid-upload left behind; a running one would be aborted too.
        """
        objects = uploads = 0
        with s3_errors("ListObjectsV2"):
            async for page in self._paginate("list_objects_v2", prefix):
                keys = [item["Key"] for item in page.get("Contents", [])]
                objects += len(keys)
                await self.delete_many(keys)
        with s3_errors("ListMultipartUploads"):
            async for page in self._paginate("list_multipart_uploads", prefix):
                for upload in page.get("Uploads", []):
                    uploads += 1
                    await abort_upload(self._client, self.bucket, upload["Key"], upload["UploadId"])
        log.info("s3_prefix_deleted", bucket=self.bucket, prefix=prefix, objects=objects, uploads=uploads)

    async def stale_objects(self, prefix: str, before: datetime) -> list[str]:
        """Keys under ``prefix`` last written before ``before``."""
        stale: list[str] = []
        with s3_errors("ListObjectsV2"):
            async for page in self._paginate("list_objects_v2", prefix):
                stale += [item["Key"] for item in page.get("Contents", []) if item["LastModified"] < before]
        return stale

    async def abort_stale_uploads(self, before: datetime) -> int:
        """Abort the multipart uploads started before ``before`` (a writer that died left them); how many."""
        aborted = 0
        with s3_errors("ListMultipartUploads"):
            async for page in self._paginate("list_multipart_uploads", ""):
                for upload in page.get("Uploads", []):
                    if upload["Initiated"] < before:
                        await abort_upload(self._client, self.bucket, upload["Key"], upload["UploadId"])
                        aborted += 1
        return aborted

    async def empty_bucket(self) -> None:
        """Delete every object and abort every in-progress multipart upload."""
        await self.delete_prefix("")

    async def presign_get(
        self, key: str, *, expires_in: int, filename: str | None = None, pinned: Pinned | None = None
    ) -> str:
        """A URL that downloads ``key`` without credentials for ``expires_in`` seconds; with ``filename`` browsers
        save the body under that name; with ``pinned`` its ``read_headers`` are signed in (a reader must send them,
        and a changed object answers 412)."""
        if not 1 <= expires_in <= MAX_PRESIGN_SECONDS:
            raise ValueError(f"expires_in must be between 1 and {MAX_PRESIGN_SECONDS} seconds")
        params: dict[str, object] = {"Bucket": self.bucket, "Key": key}
        if filename is not None:
            params["ResponseContentDisposition"] = attachment_disposition(filename)
        if pinned is not None:
            params |= {"IfUnmodifiedSince": pinned.last_modified} if pinned.last_modified else {"IfMatch": pinned.etag}
        url = await self._presigner.generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in)
        return str(url)

    async def presign_put(self, key: str, *, expires_in: int, content_length: int | None = None) -> str:
        """A URL that accepts one PUT of ``key``'s body without credentials for ``expires_in`` seconds.

        With ``content_length`` the length is part of the signature: S3 refuses a body of any other size.
        """
        if not 1 <= expires_in <= MAX_PRESIGN_SECONDS:
            raise ValueError(f"expires_in must be between 1 and {MAX_PRESIGN_SECONDS} seconds")
        params: dict[str, object] = {"Bucket": self.bucket, "Key": key}
        if content_length is not None:
            params["ContentLength"] = content_length
        url = await self._presigner.generate_presigned_url("put_object", Params=params, ExpiresIn=expires_in)
        return str(url)

    async def read_stream(
        self, key: str, *, chunk_size: int = MiB, pinned: Pinned | None = None
    ) -> AsyncIterator[bytes]:
        """The object's body in chunks of at most ``chunk_size`` bytes (raises :class:`S3NotFound` first); with
        ``pinned``, only that version of it (:class:`S3Changed` before any byte otherwise)."""
        condition = {"IfMatch": pinned.etag} if pinned is not None else {}
        with s3_errors("GetObject", key):
            response = await self._client.get_object(Bucket=self.bucket, Key=key, **condition)
        async with response["Body"] as body:
            if pinned is not None and not pinned.holds(response["ETag"], response["LastModified"]):
                raise S3Changed(f"S3 object {key!r} changed since {pinned}")
            while True:
                with s3_errors("GetObject", key):
                    chunk = await body.read(chunk_size)
                if not chunk:
                    return
                yield chunk

    async def read_range(self, key: str, start: int, end: int) -> bytes:
        """Bytes ``start`` to ``end`` of the object, both inclusive (as in an HTTP Range header)."""
        if not 0 <= start <= end:
            raise ValueError("need 0 <= start <= end")
        with s3_errors("GetObject", key):
            response = await self._client.get_object(Bucket=self.bucket, Key=key, Range=f"bytes={start}-{end}")
            async with response["Body"] as body:
                return bytes(await body.read())

    def _paginate(self, operation: str, prefix: str) -> AsyncIterator[dict[str, Any]]:
        pages: AsyncIterator[dict[str, Any]] = self._client.get_paginator(operation).paginate(
            Bucket=self.bucket, Prefix=prefix
        )
        return pages
