"""The scan of an uploaded model's files in the registry's bucket: read through the ranged-read links storage hands
out (here a fake storage answering ``storage.package.range_links``, in front of a real HTTP server that honours
``Range`` as S3 does), at the stored blob once the upload's copy is done, never unpickled."""

from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import aiohttp
import pytest
from aiohttp import web

from contracts import subjects
from contracts.base import Contract
from contracts.scoring import PickleFileScan, PickleVerdict
from contracts.storage import RangeLink, RangeLinks
from scoring.adapters.remote_scan import PickleScanLimits
from scoring.adapters.stored_pickles import CHANGED, UNCOPIED, StoredPickleScanner

R = TypeVar("R", bound=Contract)
ACME = Path(__file__).resolve().parents[1] / "fixtures" / "upstream" / "hf" / "models" / "acme-research"
MALICIOUS = (ACME / "digits-mlp-fast" / "files" / "pytorch_model.bin").read_bytes()


class FakeStorage:
    """Answers the range-links request with each reply in turn (the last one from then on); counts the requests."""

    def __init__(self, *replies: list[RangeLink]) -> None:
        self.replies = list(replies)
        self.asked = 0

    async def call(self, subject: str, request: Contract, reply: type[R], *, timeout: float | None = None) -> R:
        assert subject == subjects.PACKAGE_RANGE_LINKS
        files = self.replies[min(self.asked, len(self.replies) - 1)]
        self.asked += 1
        links = RangeLinks(artifact_id="u1", files=files, expires_at=datetime.now(UTC))
        return reply.model_validate(links.model_dump())


async def _ranges(request: web.Request) -> web.Response:
    """``/blob`` and ``/upload`` serve the checkpoint by range, as S3 does; ``/gone`` is an object the copy removed."""
    if request.match_info["key"] == "gone":
        return web.Response(status=404)
    if request.match_info["key"] == "changed":  # written again since its link was pinned
        return web.Response(status=412)
    start, end = request.http_range.start or 0, request.http_range.stop or len(MALICIOUS)
    return web.Response(status=206, body=MALICIOUS[start:end])


@pytest.fixture
async def bucket() -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_get("/{key}", _ranges)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


@pytest.fixture(scope="module")
def threads() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(2, thread_name_prefix="test-stored-scan") as pool:
        yield pool


async def _scan(storage: FakeStorage, threads: ThreadPoolExecutor, seconds: float = 10.0) -> list[PickleFileScan]:
    async with aiohttp.ClientSession() as session:
        limits = PickleScanLimits(seconds=seconds)
        return await StoredPickleScanner(storage, session, limits, threads, timeout=5).scan("u1")


def _link(bucket: str, key: str, stored: bool) -> RangeLink:
    return RangeLink(path="weights.pt", size=len(MALICIOUS), url=f"{bucket}/{key}", stored=stored)


async def test_the_scan_waits_for_the_copy_and_reads_the_stored_blob(bucket: str, threads: ThreadPoolExecutor) -> None:
    storage = FakeStorage(
        [_link(bucket, "upload", False)], [_link(bucket, "upload", False)], [_link(bucket, "blob", True)]
    )
    [scan] = await _scan(storage, threads)
    assert storage.asked == 3 and scan.verdict is PickleVerdict.DANGEROUS, scan
    assert scan.dangerous_imports == ["os.system"] and UNCOPIED not in scan.detail


async def test_a_copy_slower_than_the_wait_is_read_at_its_upload_object_and_says_so(
    bucket: str, threads: ThreadPoolExecutor
) -> None:
    [scan] = await _scan(FakeStorage([_link(bucket, "upload", False)]), threads, seconds=1.0)
    assert scan.verdict is PickleVerdict.DANGEROUS and scan.detail.endswith(f"({UNCOPIED})"), scan


async def test_an_upload_object_gone_with_its_copy_is_read_again_through_fresh_links(
    bucket: str, threads: ThreadPoolExecutor
) -> None:
    storage = FakeStorage([_link(bucket, "gone", True)], [_link(bucket, "blob", True)])
    [scan] = await _scan(storage, threads)
    assert storage.asked == 2 and scan.verdict is PickleVerdict.DANGEROUS, scan


async def test_a_file_without_bytes_in_the_bucket_is_unscanned_with_the_reason(threads: ThreadPoolExecutor) -> None:
    skipped = RangeLink(path="weights.pt", size=9, note="larger than this deployment keeps")
    [scan] = await _scan(FakeStorage([skipped]), threads)
    assert scan.verdict is PickleVerdict.UNSCANNED
    assert scan.detail == "its bytes could not be read: larger than this deployment keeps"


async def test_a_file_of_a_format_without_pickles_is_not_waited_for_yet_its_bytes_are_still_sniffed(
    bucket: str, threads: ThreadPoolExecutor
) -> None:
    disguised = RangeLink(path="model.safetensors", size=len(MALICIOUS), url=f"{bucket}/upload", stored=False)
    storage = FakeStorage([disguised])
    [scan] = await _scan(storage, threads)
    assert storage.asked == 1  # asked once, never polled for the copy
    # the checkpoint is a zip whatever its name says: its pickle is found all the same
    assert (scan.path, scan.verdict, scan.dangerous_imports) == (
        "model.safetensors/archive/data.pkl",
        PickleVerdict.DANGEROUS,
        ["os.system"],
    )


async def test_a_file_read_again_through_a_fresh_link_is_reported_as_read_there(
    bucket: str, threads: ThreadPoolExecutor
) -> None:
    gone = RangeLink(path="model.safetensors", size=len(MALICIOUS), url=f"{bucket}/gone", stored=False)
    blob = RangeLink(path="model.safetensors", size=len(MALICIOUS), url=f"{bucket}/blob", stored=True)
    [scan] = await _scan(FakeStorage([gone], [blob]), threads)
    assert scan.verdict is PickleVerdict.DANGEROUS and UNCOPIED not in scan.detail and CHANGED not in scan.detail


async def test_only_an_object_written_again_is_said_to_be_changed(bucket: str, threads: ThreadPoolExecutor) -> None:
    pinned = {"If-Unmodified-Since": "Sun, 06 Dec 2026 19:00:00 GMT"}
    for key, why in (("changed", CHANGED), ("gone", UNCOPIED)):
        link = RangeLink(path="model.safetensors", size=len(MALICIOUS), url=f"{bucket}/{key}", headers=pinned)
        [scan] = await _scan(FakeStorage([link]), threads)
        assert scan.verdict is PickleVerdict.UNSCANNED and scan.detail.endswith(f"({why})"), (key, scan.detail)
