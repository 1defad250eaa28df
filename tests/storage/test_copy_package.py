"""The copy use case on the real index (SQLite) with in-memory object store and upstream."""

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from contracts.artifacts import ArtifactType
from contracts.storage import CopyJob, PackageRef, PackageState, PreparePackage, SourceKind, SourceRef
from storage.adapters.engine import open_index_engine
from storage.adapters.index_store import SqlPackageIndex
from storage.deps import Deps, Policy
from storage.domain.files import blob_key
from storage.usecases.copy_package import BlobBusy, copy_package
from storage.usecases.package_delete import package_delete
from storage.usecases.package_prepare import package_prepare
from tests.storage.fakes import FixedUpstream, MemoryBlobs, NoQueue
from tests.stores import MigratedStores

FILES = {"config.json": b'{"a": 1}', "model.safetensors": b"\x00weights" * 1000}
SOURCE = SourceRef(kind=SourceKind.HF_MODEL, repo_id="org/model")


async def _deps(tmp_path: Path, migrated: MigratedStores, published: bool) -> AsyncIterator[Deps]:
    async with migrated.open(open_index_engine, tmp_path / "index.db") as engine:
        yield Deps(
            blobs=MemoryBlobs(), index=SqlPackageIndex(engine), fetcher=FixedUpstream(FILES, published), jobs=NoQueue()
        )


@pytest.fixture
async def deps(tmp_path: Path, migrated: MigratedStores) -> AsyncIterator[Deps]:
    async for built in _deps(tmp_path, migrated, published=True):
        yield built


async def _ingest(deps: Deps, artifact_id: str) -> None:
    await package_prepare(PreparePackage(artifact_id=artifact_id, type=ArtifactType.MODEL, source=SOURCE), deps)
    await copy_package(CopyJob(artifact_id=artifact_id, generation=1), deps)


async def test_files_are_stored_under_their_sha256_and_verified(deps: Deps) -> None:
    await _ingest(deps, "1")
    package = await deps.index.get("1")
    assert package is not None
    assert package.state is PackageState.READY
    files = await deps.index.files("1")
    assert all(f.status == "stored" and f.verified for f in files)
    blobs = deps.blobs
    assert isinstance(blobs, MemoryBlobs)
    assert {blob_key(f.sha256 or "") for f in files} <= set(blobs.objects)
    assert not [k for k in blobs.objects if k.startswith("incoming/")]


async def test_bytes_already_held_under_the_published_sha256_are_not_fetched_again(deps: Deps) -> None:
    await _ingest(deps, "1")
    upstream = deps.fetcher
    assert isinstance(upstream, FixedUpstream)
    first_opens = len(upstream.opened)
    await _ingest(deps, "2")
    assert len(upstream.opened) == first_opens
    assert [f.status for f in await deps.index.files("2")] == ["stored", "stored"]
    await delete_package_and_check(deps)


async def delete_package_and_check(deps: Deps) -> None:
    """Shared blobs survive the first deletion and go with the last."""
    blobs = deps.blobs
    assert isinstance(blobs, MemoryBlobs)
    await package_delete(PackageRef(artifact_id="1"), deps)
    assert [k for k in blobs.objects if k.startswith("blobs/")]
    await package_delete(PackageRef(artifact_id="2"), deps)
    assert not [k for k in blobs.objects if k.startswith(("blobs/", "packages/"))]


async def test_without_a_published_checksum_every_file_is_fetched(tmp_path: Path, migrated: MigratedStores) -> None:
    async for deps in _deps(tmp_path, migrated, published=False):
        await _ingest(deps, "1")
        await _ingest(deps, "2")
        upstream = deps.fetcher
        assert isinstance(upstream, FixedUpstream)
        assert len(upstream.opened) == 2 * len(FILES)


async def test_a_copy_never_writes_over_a_blob_whose_deletion_stalled(tmp_path: Path, migrated: MigratedStores) -> None:
    async for deps in _deps(tmp_path, migrated, published=False):
        deps.policy = Policy(blob_busy_seconds=0.4)
        await _ingest(deps, "1")
        stalled = await deps.index.delete("1")  # marked for deletion; the S3 delete never happened
        assert stalled
        await package_prepare(PreparePackage(artifact_id="2", type=ArtifactType.MODEL, source=SOURCE), deps)
        with pytest.raises(BlobBusy):
            await copy_package(CopyJob(artifact_id="2", generation=1), deps)
        await deps.index.forget_blobs(stalled)  # the deletion completes
        await copy_package(CopyJob(artifact_id="2", generation=1), deps)
        package = await deps.index.get("2")
        assert package is not None
        assert package.state is PackageState.READY


@pytest.mark.parametrize(
    ("served", "why"),
    [
        (FILES["model.safetensors"][:100], "received 100 bytes where the upstream publishes 8,000"),
        (
            b"\x01" + FILES["model.safetensors"][1:],
            "where the upstream publishes " + hashlib.sha256(FILES["model.safetensors"]).hexdigest(),
        ),
    ],
    ids=["short", "altered"],
)
async def test_a_file_served_short_or_altered_is_failed_after_retries_and_never_stored(
    tmp_path: Path, migrated: MigratedStores, served: bytes, why: str
) -> None:
    async with migrated.open(open_index_engine, tmp_path / "index.db") as engine:
        upstream = FixedUpstream(FILES, published_sha256=True, served={"model.safetensors": served})
        blobs = MemoryBlobs()
        deps = Deps(
            blobs=blobs, index=SqlPackageIndex(engine), fetcher=upstream, jobs=NoQueue(),
            policy=Policy(verify_attempts=3, retry_seconds=0.01),
        )  # fmt: skip
        await _ingest(deps, "1")
        package = await deps.index.get("1")
        assert package is not None and package.state is PackageState.PARTIAL
        assert "1 differ from what the upstream publishes" in package.message and why in package.message
        by_path = {f.path: f for f in await deps.index.files("1")}
        bad = by_path["model.safetensors"]
        assert (bad.status, bad.sha256, bad.verified) == ("failed", None, False)
        assert why in bad.note and "after 3 attempts" in bad.note
        assert upstream.opened.count("model.safetensors") == 3
        assert by_path["config.json"].status == "stored"
        published = blob_key(hashlib.sha256(FILES["model.safetensors"]).hexdigest())
        assert published not in blobs.objects
        assert served not in blobs.objects.values()


async def test_the_file_list_is_planned_before_the_copy_runs(deps: Deps) -> None:
    await package_prepare(PreparePackage(artifact_id="1", type=ArtifactType.MODEL, source=SOURCE), deps)
    package = await deps.index.get("1")
    assert package is not None and package.state is PackageState.QUEUED and package.planned
    assert package.bytes_total == sum(len(body) for body in FILES.values())
    assert await deps.index.total_sizes(["1"]) == {"1": sum(len(body) for body in FILES.values())}
    assert {f.path: f.status for f in await deps.index.files("1")} == dict.fromkeys(FILES, "pending")
