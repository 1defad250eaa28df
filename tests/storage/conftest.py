"""One real SeaweedFS for the storage tests, and an emptied bucket for each test."""

import random
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from stack.seaweed import SeaweedS3, start_seaweed
from storage.adapters.s3 import S3BlobStore, open_s3

MiB = 1024 * 1024


@pytest.fixture(scope="session")
def seaweed(workdir: Path) -> Iterator[SeaweedS3]:
    """A SeaweedFS under the session's work directory (its log in ``logs/seaweed.log``)."""
    child, s3 = start_seaweed(workdir / "seaweed", "registry-tests", log_file=workdir / "logs" / "seaweed.log")
    yield s3
    child.stop()


@pytest.fixture(scope="session")
async def s3_client(seaweed: SeaweedS3) -> AsyncIterator[Any]:
    """An aiobotocore client signed with the SeaweedFS credentials."""
    async with open_s3(seaweed.endpoint_url, seaweed.access_key, seaweed.secret_key, seaweed.region) as client:
        yield client


@pytest.fixture
async def blob_store(s3_client: Any, seaweed: SeaweedS3) -> S3BlobStore:
    """The test bucket, with no object and no pending upload left by an earlier test."""
    store = S3BlobStore(s3_client, seaweed.bucket)
    await store.ensure_bucket()
    await store.empty_bucket()
    return store


async def generated(size: int, *, chunk_size: int = MiB, seed: int = 0) -> AsyncIterator[bytes]:
    """``size`` pseudo-random bytes (the same for the same seed) in ``chunk_size`` chunks, made as they go."""
    rng = random.Random(seed)
    sent = 0
    while sent < size:
        chunk = rng.randbytes(min(chunk_size, size - sent))
        sent += len(chunk)
        yield chunk


def generated_bytes(size: int, *, chunk_size: int = MiB, seed: int = 0) -> bytes:
    """What :func:`generated` streams, in one piece (for small sizes)."""
    rng = random.Random(seed)
    return b"".join(rng.randbytes(min(chunk_size, size - start)) for start in range(0, size, chunk_size))


async def single(body: bytes) -> AsyncIterator[bytes]:
    """``body`` as a one-chunk stream."""
    yield body
