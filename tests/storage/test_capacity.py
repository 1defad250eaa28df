"""A full registry refuses with 507 before anything is recorded or written: ingests and upload slots are counted
against STORAGE_CAPACITY_BYTES with what is stored, still being copied, and reserved by upload slots (real index,
SQLite; in-memory object store and upstream)."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable
from dataclasses import replace
from pathlib import Path

import pytest

from contracts.artifacts import ArtifactType
from contracts.errors import ErrorCode, ServiceFailure
from contracts.storage import BeginUpload, CopyJob, PreparePackage, SourceKind, SourceRef
from storage.adapters.engine import open_index_engine
from storage.adapters.index_store import SqlPackageIndex
from storage.deps import Deps, Policy
from storage.usecases.copy_package import copy_package
from storage.usecases.package_prepare import package_prepare
from storage.usecases.upload_begin import upload_begin
from tests.postgres import create_database, database_url, drop_database
from tests.storage.fakes import FixedUpstream, MemoryBlobs, NoQueue
from tests.stores import MigratedStores

FILES = {"config.json": b"{}" * 50, "model.safetensors": b"w" * 900}  # 1,000 bytes
SOURCE = SourceRef(kind=SourceKind.HF_MODEL, repo_id="org/model")


@pytest.fixture
async def deps(tmp_path: Path, migrated: MigratedStores) -> AsyncIterator[Deps]:
    async with migrated.open(open_index_engine, tmp_path / "index.db") as engine:
        yield Deps(
            blobs=MemoryBlobs(), index=SqlPackageIndex(engine), fetcher=FixedUpstream(FILES, True), jobs=NoQueue(),
            policy=Policy(capacity_bytes=2500),
        )  # fmt: skip


def _prepare(artifact_id: str) -> PreparePackage:
    return PreparePackage(artifact_id=artifact_id, type=ArtifactType.MODEL, source=SOURCE)


async def test_an_ingest_past_capacity_answers_507_and_records_nothing(deps: Deps) -> None:
    await package_prepare(_prepare("1"), deps)  # 1,000 bytes queued: counted before they are copied
    assert await deps.index.committed_bytes() == 1000
    await copy_package(CopyJob(artifact_id="1", generation=1), deps)
    assert await deps.index.committed_bytes() == 1000  # now as stored blobs
    await package_prepare(_prepare("2"), deps)  # 2,000 of 2,500 (counted per package: dedup is not promised)
    with pytest.raises(ServiceFailure) as refused:
        await package_prepare(_prepare("3"), deps)
    assert refused.value.code is ErrorCode.INSUFFICIENT_STORAGE
    assert "would exceed STORAGE_CAPACITY_BYTES (2,500 bytes; 2,000 are stored" in refused.value.message
    assert await deps.index.get("3") is None
    assert isinstance(deps.jobs, NoQueue) and [q[0] for q in deps.jobs.queued] == ["1", "2"]
    assert await deps.index.committed_bytes() == 2000


async def test_files_this_deployment_skips_do_not_count(deps: Deps) -> None:
    skipping = replace(deps, policy=replace(deps.policy, max_file_bytes=500, capacity_bytes=150))
    await package_prepare(_prepare("1"), skipping)  # only config.json (100 bytes) will be written
    assert await skipping.index.get("1") is not None


async def test_an_upload_slot_past_capacity_answers_507_and_reserves_nothing(deps: Deps) -> None:
    await upload_begin(BeginUpload(filename="a.bin", size=2000, owner="ada"), deps)
    assert await deps.index.committed_bytes() == 2000
    with pytest.raises(ServiceFailure) as refused:
        await upload_begin(BeginUpload(filename="b.bin", size=501, owner="grace"), deps)
    assert refused.value.code is ErrorCode.INSUFFICIENT_STORAGE
    assert await deps.index.upload_bytes("grace") == 0
    await upload_begin(BeginUpload(filename="b.bin", size=500, owner="grace"), deps)  # exactly full is allowed
    assert await deps.index.committed_bytes() == 2500


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def racing(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Deps]:
    """Deps with room for three 1,000-byte packages, on a fresh index of either backend."""
    if request.param == "postgres":
        name = f"registry_capacity_{uuid.uuid4().hex[:10]}"
        await create_database(name)
        url = database_url(name)
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'index.db'}"
    try:
        async with open_index_engine(url) as engine:
            yield Deps(
                blobs=MemoryBlobs(), index=SqlPackageIndex(engine), fetcher=FixedUpstream(FILES, True),
                jobs=NoQueue(), policy=Policy(capacity_bytes=3000),
            )  # fmt: skip
    finally:
        if request.param == "postgres":
            await drop_database(name)


async def _outcomes(calls: list[Awaitable[object]]) -> list[object]:
    results = await asyncio.gather(*calls, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            assert isinstance(result, ServiceFailure) and result.code is ErrorCode.INSUFFICIENT_STORAGE, result
    return [result for result in results if not isinstance(result, BaseException)]


async def test_eight_ingests_at_once_take_exactly_the_capacity(racing: Deps) -> None:
    admitted = await _outcomes([package_prepare(_prepare(str(i)), racing) for i in range(8)])
    assert len(admitted) == 3  # checked and held one at a time under the index's capacity lock
    assert await racing.index.committed_bytes() == 3000  # as planned files: no hold outlives its ingest


async def test_eight_upload_slots_at_once_take_exactly_the_capacity(racing: Deps) -> None:
    admitted = await _outcomes(
        [upload_begin(BeginUpload(filename="w.bin", size=1000, owner=f"user-{i}"), racing) for i in range(8)]
    )
    assert len(admitted) == 3
    assert await racing.index.committed_bytes() == 3000


async def test_one_owner_racing_for_the_last_of_a_quota_gets_it_once(racing: Deps) -> None:
    quota = replace(racing, policy=replace(racing.policy, capacity_bytes=None, upload_quota_bytes=2500))
    slots = [upload_begin(BeginUpload(filename="w.bin", size=1000, owner="ada"), quota) for _ in range(8)]
    results = await asyncio.gather(*slots, return_exceptions=True)
    refused = [r for r in results if isinstance(r, ServiceFailure)]
    assert len(results) - len(refused) == 2 and all(r.code is ErrorCode.TOO_LARGE for r in refused)
    assert "you hold 2,000 bytes of uploads and may hold 2,500" in refused[0].message
    assert await racing.index.upload_bytes("ada") == 2000
