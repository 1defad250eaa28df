"""Issue 12's swap-after-scan window, through the gateway on the shared stack: an upload's presigned PUT URL stays
valid after registration, so its uploader can PUT other bytes (of the same size: the size is signed) once the scan
has read the registered ones and before the copy reads them. Storage pins the object's version at registration
(ETag and Last-Modified) and reads only that version: the new bytes are never stored or served (the file fails
and says why, the download refuses with 424), and a scan reading after the swap reports the file unscanned, never
their verdict.

The copy is held back deterministically: the storage replica runs no copy jobs (``STORAGE_COPY_CONCURRENCY=0``)
until the test starts one that does.
"""

import hashlib
import io
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import aiohttp
import pytest

from contracts import subjects
from contracts.scoring import PickleFileScan
from scoring.adapters.remote_scan import PickleScanLimits
from scoring.adapters.stored_pickles import StoredPickleScanner
from stack.processes import stop_together
from svckit.connection import connect
from svckit.transport import ServiceClient
from tests.api import Api
from tests.e2e.test_storage import _settled
from tests.e2e.test_storage_resilience import _object_keys
from tests.harness import RegistryStack

pytestmark = pytest.mark.any_backend  # nothing here depends on the database

SWAPPED = b"cos\nsystem\n(S'echo swapped in after the scan" + b" " * 200 + b"'\ntR."  # calls os.system
REGISTERED = b"S'" + b"x" * (len(SWAPPED) - 5) + b"'\n."  # a plain string
assert len(REGISTERED) == len(SWAPPED)


@pytest.fixture
def idle_storage(registry: RegistryStack) -> Iterator[RegistryStack]:
    """The storage replica swapped for one that serves but copies nothing, and the scoring replica for one whose
    scan waits 3 s for that copy (half its SCORING_PICKLE_SCAN_SECONDS; the default waits 15 s for a copy that never
    comes); default ones again afterwards."""
    _replace_storage_and_scoring(registry, {"STORAGE_COPY_CONCURRENCY": "0"}, {"SCORING_PICKLE_SCAN_SECONDS": "6"})
    yield registry
    _replace_storage_and_scoring(registry, None, None)


def _replace_storage_and_scoring(
    registry: RegistryStack, storage_env: dict[str, str] | None, scoring_env: dict[str, str] | None
) -> None:
    stop_together(registry.storages + registry.scorings)
    registry.add_storage(storage_env)
    registry.add_scoring(scoring_env)
    registry.wait_ready(replicas=len(registry.live_catalogs()))


async def _put(url: str, body: bytes) -> None:
    async with aiohttp.ClientSession() as anonymous, anonymous.put(url, data=io.BytesIO(body)) as put:
        assert put.status == 200, await put.text()


async def _scan_now(registry: RegistryStack, artifact_id: str) -> list[PickleFileScan]:
    """What scoring-svc's scanner reports for the package now, asking storage-svc over the bus as scoring does."""
    nc = await connect(registry.nats_url, name="tests", auth=registry.bus_auth(subjects.SCORING))
    try:
        with ThreadPoolExecutor(1) as threads:
            async with aiohttp.ClientSession() as session:
                limits = PickleScanLimits(seconds=4.0)
                scanner = StoredPickleScanner(ServiceClient(nc), session, limits, threads, timeout=10.0)
                return await scanner.scan(artifact_id)
    finally:
        await nc.drain()


async def _download(api: Api, artifact_id: str) -> tuple[int, dict[str, Any]]:
    url, headers = f"{api.base_url}/download/{artifact_id}", {"X-Authorization": str(api.token)}
    async with api.session.get(url, headers=headers, allow_redirects=False) as response:
        return response.status, await response.json() if response.status != 302 else {}


async def test_bytes_put_again_after_registration_are_never_stored_served_or_reported_as_scanned(
    api: Api, idle_storage: RegistryStack
) -> None:
    slot = await api.call("POST", "/artifact/model/upload", json_body={"filename": "w.pkl", "size": len(SWAPPED)})
    assert slot.status == 201, slot.body
    await _put(slot.body["put_url"], REGISTERED)
    created = await api.call("POST", slot.body["complete_url"], json_body={"name": "swapped", "filename": "w.pkl"})
    assert created.status == 201, created.body  # its copy has not run: the scan read the upload object
    artifact_id = created.body["metadata"]["id"]
    report = await api.call("GET", f"/artifact/model/{artifact_id}/rate/report")
    [scanned] = report.body["pickle_scan"]["files"]
    assert scanned["verdict"] == "safe" and "upload object" in scanned["detail"], scanned

    await _put(slot.body["put_url"], SWAPPED)  # the PUT link is still valid

    [late] = await _scan_now(idle_storage, artifact_id)
    assert late.verdict == "unscanned" and not late.dangerous_imports, late
    assert "412" in late.detail and "written again after registration" in late.detail, late.detail

    idle_storage.add_storage()  # a replica that runs the queued copy
    package = await _settled(api, "model", artifact_id)
    [file] = package["files"]
    assert package["status"]["state"] == "failed" and file["status"] == "failed" and not file["stored"], package
    assert "written again after its registration" in file["note"], file
    status, body = await _download(api, artifact_id)
    assert status == 424 and "written again after its registration" in body["message"], body
    keys = _object_keys(idle_storage)
    for content in (SWAPPED, REGISTERED):
        assert not [key for key in keys if key.endswith(hashlib.sha256(content).hexdigest())], keys
