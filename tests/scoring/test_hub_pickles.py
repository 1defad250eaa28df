"""The Hub's pickle-based files scanned through byte ranges from the upstream mirror, and the Hub's own scan status.

``acme-research/digits-mlp`` and ``digits-mlp-fast`` keep real zip checkpoints (``tests.mirror.pickle_fixtures``);
the recorded repositories' weights are filler bytes, which must come out unscanned, never dangerous.
"""

from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor

import aiohttp
import pytest

from contracts.scoring import PickleVerdict
from scoring.adapters.hub import HfHub
from scoring.adapters.hub_pickles import HubPickleScanner, PickleScanLimits
from svckit.upstream import Upstream
from svckit.upstream_client import UpstreamClient

SAFE, MALICIOUS = "acme-research/digits-mlp", "acme-research/digits-mlp-fast"
BLOCK = 256 << 10


@pytest.fixture
async def hub(mirror_url: str) -> AsyncIterator[tuple[HfHub, aiohttp.ClientSession, Upstream]]:
    upstream = Upstream(f"{mirror_url}/hf", f"{mirror_url}/gh", timeout=10)
    async with aiohttp.ClientSession() as session:
        yield HfHub(UpstreamClient(session, upstream)), session, upstream


@pytest.fixture(scope="module")
def threads() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(2, thread_name_prefix="test-pickle-scan") as pool:
        yield pool


def _scanner(
    hub: tuple[HfHub, aiohttp.ClientSession, Upstream],
    threads: ThreadPoolExecutor,
    limits: PickleScanLimits = PickleScanLimits(),  # noqa: B008 - frozen
) -> HubPickleScanner:
    return HubPickleScanner(hub[1], hub[2], limits, threads)


async def test_the_hub_says_whether_its_own_scan_is_done(hub: tuple[HfHub, aiohttp.ClientSession, Upstream]) -> None:
    safe, fresh = await hub[0].model(SAFE, None), await hub[0].model(MALICIOUS, None)
    assert safe.security is not None and safe.security.scans_done and not safe.security.files_with_issues
    assert fresh.security is not None and not fresh.security.scans_done


async def test_the_safe_checkpoint_is_read_at_its_commit_and_scanned_safe(
    hub: tuple[HfHub, aiohttp.ClientSession, Upstream], threads: ThreadPoolExecutor
) -> None:
    model = await hub[0].model(SAFE, None)
    [scan] = await _scanner(hub, threads).scan(model)
    assert scan.path == "pytorch_model.bin" and scan.verdict is PickleVerdict.SAFE, scan
    assert scan.pickles == ["archive/data.pkl"] and scan.dangerous_imports == [] and scan.other_imports == []
    assert scan.bytes_read == scan.size == dict(model.files)["pytorch_model.bin"]


async def test_the_malicious_checkpoint_is_dangerous_and_names_os_system(
    hub: tuple[HfHub, aiohttp.ClientSession, Upstream], threads: ThreadPoolExecutor
) -> None:
    [scan] = await _scanner(hub, threads).scan(await hub[0].model(MALICIOUS, None))
    assert scan.verdict is PickleVerdict.DANGEROUS and scan.dangerous_imports == ["os.system"]
    assert "archive/data.pkl imports os.system" in scan.detail


async def test_a_recorded_models_filler_weights_are_unscanned_after_one_range_each(
    hub: tuple[HfHub, aiohttp.ClientSession, Upstream], threads: ThreadPoolExecutor
) -> None:
    model = await hub[0].model("google-bert/bert-base-uncased", None)
    scans = await _scanner(hub, threads).scan(model)
    assert [s.path for s in scans] == [
        "coreml/fill-mask/float32_model.mlpackage/Data/com.apple.CoreML/weights/weight.bin",
        "pytorch_model.bin",
    ]
    for scan in scans:
        assert scan.verdict is PickleVerdict.UNSCANNED and "not a pickle" in scan.detail, scan
        assert scan.bytes_read <= BLOCK < (scan.size or 0)


async def test_files_not_done_by_the_deadline_are_unscanned_and_say_so(
    hub: tuple[HfHub, aiohttp.ClientSession, Upstream], threads: ThreadPoolExecutor
) -> None:
    [scan] = await _scanner(hub, threads, PickleScanLimits(seconds=1e-6)).scan(await hub[0].model(SAFE, None))
    assert scan.verdict is PickleVerdict.UNSCANNED and scan.detail == "not scanned within the scan's 1e-06 s"


async def test_a_file_the_hub_does_not_serve_is_unscanned_with_the_reason(
    hub: tuple[HfHub, aiohttp.ClientSession, Upstream], threads: ThreadPoolExecutor
) -> None:
    model = await hub[0].model(SAFE, None)
    missing = type(model)(model.repo_id, files=[("checkpoints/missing.pt", 1000)], commit=model.commit)
    [scan] = await _scanner(hub, threads).scan(missing)
    assert scan.verdict is PickleVerdict.UNSCANNED and scan.detail.startswith("could not be read: the Hub answered 404")
