"""S3BlobStore against a real SeaweedFS: streaming uploads, copies, deletes, presigned URLs, failures, memory."""

import asyncio
import hashlib
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from stack.processes import free_port
from stack.seaweed import SeaweedS3
from storage.adapters.s3 import S3BlobStore, S3NotFound, S3Unavailable, open_s3
from tests.storage.conftest import MiB, generated, generated_bytes, single

PART = 5 * MiB


async def _read_all(store: S3BlobStore, key: str, chunk_size: int = MiB) -> bytes:
    chunks = [chunk async for chunk in store.read_stream(key, chunk_size=chunk_size)]
    assert all(len(chunk) <= chunk_size for chunk in chunks)
    return b"".join(chunks)


async def _pending_uploads(store: S3BlobStore, s3_client: Any) -> list[str]:
    listing = await s3_client.list_multipart_uploads(Bucket=store.bucket)
    return [upload["Key"] for upload in listing.get("Uploads", [])]


@pytest.mark.parametrize(
    ("size", "parts"),
    [(0, None), (100_000, None), (PART, 1), (12 * MiB + 123, 3)],
    ids=["empty", "smaller-than-a-part", "one-full-part", "three-parts"],
)
async def test_upload_stream_stores_the_bytes_and_reports_their_size_and_sha256(
    blob_store: S3BlobStore, s3_client: Any, size: int, parts: int | None
) -> None:
    expected = generated_bytes(size, chunk_size=700_001)

    result = await blob_store.upload_stream("a/model.bin", generated(size, chunk_size=700_001), part_size=PART)

    assert (result.size, result.sha256) == (size, hashlib.sha256(expected).hexdigest())
    assert await blob_store.size("a/model.bin") == size
    assert await _read_all(blob_store, "a/model.bin") == expected
    etag = (await s3_client.head_object(Bucket=blob_store.bucket, Key="a/model.bin"))["ETag"].strip('"')
    assert etag.endswith(f"-{parts}") if parts else "-" not in etag  # multipart ETags end in -<parts>


@pytest.mark.parametrize("fail_after", [MiB, 11 * MiB], ids=["before-the-first-part", "after-two-parts"])
async def test_a_failing_chunk_stream_leaves_no_object_and_no_pending_upload(
    blob_store: S3BlobStore, s3_client: Any, fail_after: int
) -> None:
    async def failing() -> AsyncIterator[bytes]:
        async for chunk in generated(fail_after):
            yield chunk
        raise RuntimeError("upstream connection reset")

    with pytest.raises(RuntimeError, match="upstream connection reset"):
        await blob_store.upload_stream("broken.bin", failing(), part_size=PART)

    assert not await blob_store.exists("broken.bin")
    assert await _pending_uploads(blob_store, s3_client) == []


async def test_part_size_below_the_s3_minimum_is_refused(blob_store: S3BlobStore) -> None:
    with pytest.raises(ValueError, match="part_size"):
        await blob_store.upload_stream("tiny-parts.bin", single(b"x"), part_size=MiB)


async def test_presigned_url_downloads_the_exact_bytes_without_credentials(blob_store: S3BlobStore) -> None:
    body = generated_bytes(3 * MiB + 7)
    await blob_store.upload_stream("sha256/abc", single(body))

    url = await blob_store.presign_get("sha256/abc", expires_in=60, filename="modèle v1.safetensors")
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        assert response.status == 200
        assert await response.read() == body
        disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''mod%C3%A8le%20v1.safetensors" in disposition


async def test_presigned_url_stops_working_after_it_expires(blob_store: S3BlobStore) -> None:
    await blob_store.upload_stream("short-lived.bin", single(b"soon gone"))
    url = await blob_store.presign_get("short-lived.bin", expires_in=1)

    await asyncio.sleep(2.2)

    async with aiohttp.ClientSession() as http, http.get(url) as response:
        assert response.status == 403
        assert "expired" in (await response.text()).lower()


async def test_copy_duplicates_an_object_on_the_server(blob_store: S3BlobStore) -> None:
    await blob_store.upload_stream("staging/x", single(b"artifact bytes"), content_type="application/x-test")

    await blob_store.copy("staging/x", "sha256/x")

    assert await blob_store.read_range("sha256/x", 0, 13) == b"artifact bytes"
    assert await blob_store.exists("staging/x")


async def test_copy_over_the_threshold_copies_part_ranges(blob_store: S3BlobStore, s3_client: Any) -> None:
    body = generated_bytes(11 * MiB + 5, seed=7)
    await blob_store.upload_stream("big", single(body), content_type="application/x-big")

    await blob_store.copy("big", "big-copy", multipart_threshold=PART, part_size=PART)

    assert await _read_all(blob_store, "big-copy") == body
    head = await s3_client.head_object(Bucket=blob_store.bucket, Key="big-copy")
    assert head["ETag"].strip('"').endswith("-3")
    assert head["ContentType"] == "application/x-big"
    assert await _pending_uploads(blob_store, s3_client) == []


async def test_copy_of_a_missing_object_raises_not_found(blob_store: S3BlobStore) -> None:
    with pytest.raises(S3NotFound) as missing:
        await blob_store.copy("nowhere", "somewhere")
    assert isinstance(missing.value, KeyError)
    assert not await blob_store.exists("somewhere")


async def test_exists_and_size_follow_an_object_from_upload_to_delete(blob_store: S3BlobStore) -> None:
    assert (await blob_store.exists("k"), await blob_store.size("k")) == (False, None)
    await blob_store.upload_stream("k", single(b"12345"))
    assert (await blob_store.exists("k"), await blob_store.size("k")) == (True, 5)

    await blob_store.delete("k")
    await blob_store.delete("k")  # deleting twice is not an error

    assert (await blob_store.exists("k"), await blob_store.size("k")) == (False, None)


async def test_delete_many_removes_exactly_the_listed_keys(blob_store: S3BlobStore) -> None:
    for key in ("a", "b/c", "d"):
        await blob_store.upload_stream(key, single(key.encode()))

    await blob_store.delete_many(iter(["a", "b/c", "never-existed"]))

    assert [await blob_store.exists(key) for key in ("a", "b/c", "d")] == [False, False, True]


async def test_delete_prefix_removes_only_the_objects_and_pending_uploads_under_it(
    blob_store: S3BlobStore, s3_client: Any
) -> None:
    for key in ("incoming/a1/x", "incoming/a1/deep/y", "incoming/a10/z", "sha256/kept"):
        await blob_store.upload_stream(key, single(b"data"))
    for key in ("incoming/a1/killed-writer", "incoming/a10/live-writer"):
        await s3_client.create_multipart_upload(Bucket=blob_store.bucket, Key=key)

    await blob_store.delete_prefix("incoming/a1/")

    listing = await s3_client.list_objects_v2(Bucket=blob_store.bucket)
    assert sorted(item["Key"] for item in listing["Contents"]) == ["incoming/a10/z", "sha256/kept"]
    assert await _pending_uploads(blob_store, s3_client) == ["incoming/a10/live-writer"]


async def test_empty_bucket_deletes_every_object_and_aborts_pending_uploads(
    blob_store: S3BlobStore, s3_client: Any
) -> None:
    for key in ("one", "nested/deep/two"):
        await blob_store.upload_stream(key, single(b"data"))
    pending = await s3_client.create_multipart_upload(Bucket=blob_store.bucket, Key="half-done")
    await s3_client.upload_part(
        Bucket=blob_store.bucket, Key="half-done", UploadId=pending["UploadId"], PartNumber=1, Body=b"p" * PART
    )

    await blob_store.empty_bucket()

    listing = await s3_client.list_objects_v2(Bucket=blob_store.bucket)
    assert listing.get("Contents", []) == []
    assert await _pending_uploads(blob_store, s3_client) == []


async def test_read_range_returns_the_inclusive_byte_range(blob_store: S3BlobStore) -> None:
    await blob_store.upload_stream("digits", single(b"0123456789"))

    assert await blob_store.read_range("digits", 2, 5) == b"2345"
    assert await blob_store.read_range("digits", 9, 9) == b"9"


async def test_reading_a_missing_object_raises_not_found(blob_store: S3BlobStore) -> None:
    with pytest.raises(S3NotFound):
        await _read_all(blob_store, "missing")
    with pytest.raises(KeyError):
        await blob_store.read_range("missing", 0, 1)


async def test_ensure_bucket_is_idempotent_under_concurrent_calls(s3_client: Any) -> None:
    store = S3BlobStore(s3_client, f"fresh-{time.monotonic_ns()}")

    await asyncio.gather(*(store.ensure_bucket() for _ in range(5)))
    await store.ensure_bucket()

    await store.upload_stream("k", single(b"v"))
    assert await store.exists("k")
    await store.empty_bucket()
    await s3_client.delete_bucket(Bucket=store.bucket)


async def test_an_endpoint_nobody_listens_on_raises_s3_unavailable_quickly() -> None:
    endpoint = f"http://127.0.0.1:{free_port()}"
    started = time.monotonic()
    async with open_s3(endpoint, "key", "secret", "us-east-1", connect_timeout=0.5, max_attempts=1) as client:
        store = S3BlobStore(client, "bucket")
        with pytest.raises(S3Unavailable, match="unreachable"):
            await store.exists("k")
        with pytest.raises(S3Unavailable):
            await store.upload_stream("k", single(b"v"))
        with pytest.raises(S3Unavailable):
            await store.ensure_bucket()
    assert time.monotonic() - started < 1


async def test_streaming_200_mb_keeps_memory_flat(blob_store: S3BlobStore) -> None:
    size = 200 * MiB
    _reset_peak_rss()
    before = _status_kib("VmRSS")
    started = time.monotonic()

    result = await blob_store.upload_stream("large.bin", generated(size, seed=3))

    elapsed = time.monotonic() - started
    growth_mib = (_status_kib("VmHWM") - before) / 1024
    assert result.size == size
    assert growth_mib < 64, f"peak RSS grew by {growth_mib:.0f} MiB (upload took {elapsed:.1f}s)"
    assert await blob_store.size("large.bin") == size


def _reset_peak_rss() -> None:
    """Restart this process's peak-RSS count (VmHWM) from its current RSS (Linux >= 4.0)."""
    Path("/proc/self/clear_refs").write_text("5")


def _status_kib(field: str) -> int:
    match = re.search(rf"^{field}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.MULTILINE)
    assert match is not None
    return int(match.group(1))


async def test_links_are_signed_for_the_public_endpoint_when_one_is_set(
    blob_store: S3BlobStore, seaweed: SeaweedS3
) -> None:
    body = generated_bytes(1000)
    await blob_store.upload_stream("sha256/public", single(body))
    public = seaweed.endpoint_url.replace("127.0.0.1", "localhost")
    credentials = (seaweed.access_key, seaweed.secret_key, seaweed.region)
    async with open_s3(public, *credentials) as presigner, open_s3(seaweed.endpoint_url, *credentials) as own:
        url = await S3BlobStore(own, seaweed.bucket, presigner).presign_get("sha256/public", expires_in=60)
    assert url.startswith(public + "/")
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        assert response.status == 200 and await response.read() == body
