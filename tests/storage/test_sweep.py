"""The sweeper against a real SeaweedFS and the real index (SQLite): it reclaims what failures and abandoned
uploads leave, and nothing a package still needs."""

import hashlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from contracts.artifacts import ArtifactType
from contracts.storage import SourceKind, SourceRef
from storage.adapters.engine import open_index_engine
from storage.adapters.index_store import SqlPackageIndex
from storage.adapters.s3 import S3BlobStore
from storage.adapters.sweeper import Sweeper
from storage.deps import Deps, Policy
from storage.domain.files import blob_key
from storage.usecases.sweep_storage import sweep_storage
from tests.storage.fakes import FixedUpstream, NoQueue
from tests.stores import MigratedStores

STALE = 3600.0


@pytest.fixture
async def index(tmp_path: Path, migrated: MigratedStores) -> AsyncIterator[SqlPackageIndex]:
    async with migrated.open(open_index_engine, tmp_path / "index.db") as engine:
        yield SqlPackageIndex(engine)


def _deps(blobs: S3BlobStore, index: SqlPackageIndex, hours_later: float) -> Deps:
    """Deps whose clock reads ``hours_later`` hours from now (objects written now look that old)."""
    return Deps(
        blobs=blobs, index=index, fetcher=FixedUpstream({}, published_sha256=True), jobs=NoQueue(),
        policy=Policy(stale_seconds=STALE), clock=lambda: datetime.now(UTC) + timedelta(hours=hours_later),
    )  # fmt: skip


async def _put(blobs: S3BlobStore, key: str, body: bytes = b"x") -> None:
    async def one() -> AsyncIterator[bytes]:
        yield body

    await blobs.upload_stream(key, one())


async def _keys(s3_client: Any, blobs: S3BlobStore) -> set[str]:
    listing = await s3_client.list_objects_v2(Bucket=blobs.bucket)
    return {item["Key"] for item in listing.get("Contents", [])}


async def test_abandoned_objects_are_reclaimed_and_live_ones_kept(
    blob_store: S3BlobStore, s3_client: Any, index: SqlPackageIndex
) -> None:
    stuck = hashlib.sha256(b"stuck").hexdigest()
    await index.add_blob(stuck, 5)
    assert await index.release_blob(stuck) == [blob_key(stuck)]  # marked deleting; its deletion "stalls" here
    await _put(blob_store, blob_key(stuck), b"stuck")
    await _put(blob_store, "uploads/never-registered")
    await _put(blob_store, "uploads/registered")
    await index.create("7", ArtifactType.MODEL, SourceRef(kind=SourceKind.UPLOAD, repo_id="registered"))
    await _put(blob_store, "incoming/9/leftover")
    live = hashlib.sha256(b"live").hexdigest()
    await _put(blob_store, blob_key(live), b"live")
    await index.add_blob(live, 4)
    upload = await s3_client.create_multipart_upload(Bucket=blob_store.bucket, Key="blobs/half-written")

    fresh = await sweep_storage(_deps(blob_store, index, hours_later=0))
    assert (fresh.blobs, fresh.multipart_uploads, fresh.upload_slots, fresh.incoming) == (1, 0, 0, 0)
    assert blob_key(stuck) not in await _keys(s3_client, blob_store)
    assert await index.claim_blob(stuck) == "absent"  # forgotten: a copy may write it again

    swept = await sweep_storage(_deps(blob_store, index, hours_later=2))
    assert (swept.blobs, swept.multipart_uploads, swept.upload_slots, swept.incoming) == (0, 1, 1, 1)
    assert await _keys(s3_client, blob_store) == {"uploads/registered", blob_key(live)}
    pending = await s3_client.list_multipart_uploads(Bucket=blob_store.bucket)
    assert upload["UploadId"] not in [u["UploadId"] for u in pending.get("Uploads", [])]


async def test_the_sweeper_counts_what_it_reclaims_and_survives_a_failed_sweep(
    blob_store: S3BlobStore, index: SqlPackageIndex
) -> None:
    registry = CollectorRegistry()
    await _put(blob_store, "uploads/orphan")
    sweeper = Sweeper(registry, lambda: sweep_storage(_deps(blob_store, index, hours_later=2)), every=0)
    await sweeper.once()
    assert registry.get_sample_value("registry_storage_swept_total", {"kind": "upload_slot"}) == 1

    async def broken() -> Any:
        raise ConnectionError("S3 is down")

    failing = CollectorRegistry()
    await Sweeper(failing, broken, every=0).once()
    assert failing.get_sample_value("registry_storage_sweeps_total", {"outcome": "failed"}) == 1
