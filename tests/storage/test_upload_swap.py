"""An upload's object written again through its still-valid PUT link after registration, on the real SeaweedFS
and the real index: the copy refuses the new bytes (never stored, never served, the file says why), and the
ranged-read links storage hands the pickle scan read only the bytes there at registration (412 otherwise). The
same bytes PUT again are refused too: they stand for a body built to share the registered one's MD5 (its ETag)."""

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from contracts.artifacts import ArtifactType
from contracts.errors import ErrorCode, ServiceFailure
from contracts.storage import (
    BeginUpload,
    CopyJob,
    PackageState,
    Part,
    PreparePackage,
    RangeLinksQuery,
    RequestDownload,
    SourceKind,
    SourceRef,
    UploadSlot,
)
from storage.adapters.engine import open_index_engine
from storage.adapters.index_store import SqlPackageIndex
from storage.adapters.s3 import S3BlobStore
from storage.adapters.upload_fetcher import RoutingFetcher, UploadFetcher
from storage.deps import Deps
from storage.domain.files import blob_key, upload_key
from storage.domain.pinned import http_date
from storage.usecases.copy_package import copy_package
from storage.usecases.package_download import package_download
from storage.usecases.package_prepare import package_prepare
from storage.usecases.package_range_links import package_range_links
from storage.usecases.upload_begin import upload_begin
from tests.storage.fakes import FixedUpstream, NoQueue
from tests.stores import MigratedStores

REGISTERED = b"\x80\x04K\x01." + b"registered bytes" * 64
SWAPPED = b"\x80\x04K\x02." + b"swapped in later" * 64
assert len(REGISTERED) == len(SWAPPED)  # the PUT link's signature fixes the size: a swap keeps it
FIRST = {"Range": "bytes=0-19"}


@pytest.fixture
async def deps(tmp_path: Path, blob_store: S3BlobStore, migrated: MigratedStores) -> AsyncIterator[Deps]:
    async with migrated.open(open_index_engine, tmp_path / "index.db") as engine:
        fetcher = RoutingFetcher(FixedUpstream({}, published_sha256=True), UploadFetcher(blob_store))
        yield Deps(blobs=blob_store, index=SqlPackageIndex(engine), fetcher=fetcher, jobs=NoQueue())


async def _put(url: str, body: bytes) -> None:
    async with aiohttp.ClientSession() as anonymous, anonymous.put(url, data=body) as response:
        assert response.status == 200, await response.text()


async def _registered(deps: Deps, artifact_id: str = "1") -> UploadSlot:
    """An upload PUT and registered (its package prepared, its copy queued but not run); its slot."""
    slot = await upload_begin(BeginUpload(owner="alice", filename="weights.pkl", size=len(REGISTERED)), deps)
    await _put(slot.put_url, REGISTERED)
    source = SourceRef(kind=SourceKind.UPLOAD, repo_id=slot.upload_id, subpath="weights.pkl")
    await package_prepare(PreparePackage(artifact_id=artifact_id, type=ArtifactType.MODEL, source=source), deps)
    return slot


async def _read(url: str, headers: dict[str, str]) -> tuple[int, bytes]:
    async with aiohttp.ClientSession() as anonymous, anonymous.get(url, headers=headers) as response:
        return response.status, await response.read()


async def test_an_unchanged_upload_is_stored_as_registered(deps: Deps) -> None:
    await _registered(deps)
    await copy_package(CopyJob(artifact_id="1", generation=1), deps)
    [record] = await deps.index.files("1")
    assert (record.status, record.sha256) == ("stored", hashlib.sha256(REGISTERED).hexdigest())


async def test_bytes_put_again_after_registration_are_never_stored_nor_served(deps: Deps) -> None:
    slot = await _registered(deps)
    await _put(slot.put_url, SWAPPED)  # the link is still valid; the copy has not read the object yet
    await copy_package(CopyJob(artifact_id="1", generation=1), deps)
    package, [record] = await deps.index.get("1"), await deps.index.files("1")
    assert package is not None and package.state is PackageState.FAILED
    assert record.status == "failed" and record.sha256 is None
    assert "written again after its registration" in record.note, record.note
    assert "written again after its registration" in package.message, package.message
    blobs = deps.blobs
    assert isinstance(blobs, S3BlobStore)
    for body in (SWAPPED, REGISTERED):
        assert not await blobs.exists(blob_key(hashlib.sha256(body).hexdigest()))
    with pytest.raises(ServiceFailure) as refused:
        await package_download(RequestDownload(artifact_id="1", part=Part.ALL), deps)
    assert refused.value.code is ErrorCode.FAILED_DEPENDENCY and "written again" in refused.value.message
    [link] = (await package_range_links(RangeLinksQuery(artifact_id="1"), deps)).files
    assert link.url is None and "written again" in link.note


async def test_the_scans_range_links_read_only_the_bytes_there_at_registration(deps: Deps) -> None:
    slot = await _registered(deps)
    [link] = (await package_range_links(RangeLinksQuery(artifact_id="1"), deps)).files
    assert link.url is not None and not link.stored
    head = await deps.blobs.head(upload_key(slot.upload_id))
    assert head is not None and link.headers == {"If-Unmodified-Since": http_date(head.last_modified)}
    assert await _read(link.url, link.headers | FIRST) == (206, REGISTERED[:20])
    assert (await _read(link.url, FIRST))[0] == 403  # the condition is signed into the link
    await _put(slot.put_url, SWAPPED)
    status, body = await _read(link.url, link.headers | FIRST)
    assert status == 412 and b"PreconditionFailed" in body
    [again] = (await package_range_links(RangeLinksQuery(artifact_id="1"), deps)).files
    assert again.url is not None and again.headers == link.headers  # a fresh link keeps the registered version
    assert (await _read(again.url, again.headers | FIRST))[0] == 412


async def test_the_same_bytes_put_again_after_registration_are_refused_as_well(deps: Deps) -> None:
    slot = await _registered(deps)
    [link] = (await package_range_links(RangeLinksQuery(artifact_id="1"), deps)).files
    await _put(slot.put_url, REGISTERED)  # the same ETag: only Last-Modified tells this PUT from the registered one
    assert link.url is not None and (await _read(link.url, link.headers | FIRST))[0] == 412
    await copy_package(CopyJob(artifact_id="1", generation=1), deps)
    [record] = await deps.index.files("1")
    assert record.status == "failed" and "written again after its registration" in record.note


async def test_a_stored_files_link_reads_its_blob_unconditionally(deps: Deps) -> None:
    await _registered(deps)
    await copy_package(CopyJob(artifact_id="1", generation=1), deps)
    [link] = (await package_range_links(RangeLinksQuery(artifact_id="1"), deps)).files
    assert link.stored and link.headers == {} and link.url is not None
    assert await _read(link.url, FIRST) == (206, REGISTERED[:20])
