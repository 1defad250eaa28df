"""Storage under failure: a copy survives its replica dying, memory stays flat, S3 down refuses cleanly."""

import asyncio
from pathlib import Path
from typing import Any

import botocore.session  # type: ignore[import-untyped]
import pytest

from stack.processes import Child, free_port
from tests.api import Api
from tests.e2e.test_storage import _fetch, _settled
from tests.harness import RegistryStack

# Made-up: its 94 MB weights verify (the mirror serves bytes hashing to its tree), unlike the recorded fixtures'.
ORCHARD_BASE = "https://huggingface.co/orchard-compute/orchard-base"
BIG_FILES = {"STORAGE_MAX_FILE_BYTES": str(200 << 20)}


def _rss_kib(child: Child) -> int:
    status = Path(f"/proc/{child.pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))


async def _package(api: Api, artifact_id: str) -> dict[str, Any]:
    reply = await api.call("GET", f"/artifacts/model/{artifact_id}/package")
    assert reply.status == 200
    return dict(reply.body)


def _object_keys(registry: RegistryStack) -> list[str]:
    s3 = registry.s3
    client = botocore.session.get_session().create_client(
        "s3", s3.region, endpoint_url=s3.endpoint_url, aws_access_key_id=s3.access_key,
        aws_secret_access_key=s3.secret_key,
    )  # fmt: skip
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=s3.bucket)
    return [item["Key"] for page in pages for item in page.get("Contents", [])]


@pytest.fixture
def big_storage(registry: RegistryStack) -> Any:
    """Swap the storage replica for one that copies files up to 200 MB; swap back afterwards."""
    for child in registry.storages:
        child.stop()
    replica = registry.add_storage(BIG_FILES)
    registry.wait_ready(replicas=len(registry.live_catalogs()))
    yield replica
    for child in registry.storages:
        child.stop()
    registry.add_storage()
    registry.wait_ready(replicas=len(registry.live_catalogs()))


async def test_a_copy_survives_its_replica_dying_and_memory_stays_flat(
    api: Api, registry: RegistryStack, big_storage: Child
) -> None:
    baseline = _rss_kib(big_storage)
    peak = baseline
    artifact_id = (await api.register("model", ORCHARD_BASE)).body["metadata"]["id"]
    while (await _package(api, artifact_id))["status"]["bytes_done"] == 0:
        peak = max(peak, _rss_kib(big_storage))
        await asyncio.sleep(0.02)
    async with api.session.get(  # served from the first second: streamed through while the copy runs
        f"{api.base_url}/download/{artifact_id}", headers={"X-Authorization": str(api.token)}, allow_redirects=False
    ) as early:
        assert early.status == 302 and "/bytes/" in early.headers["Location"]
    big_storage.kill()
    successor = registry.add_storage(BIG_FILES)
    registry.wait_ready(replicas=len(registry.live_catalogs()))
    deadline = asyncio.get_running_loop().time() + 90
    while (await _package(api, artifact_id))["status"]["state"] in ("queued", "copying"):
        peak_successor = _rss_kib(successor)
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.05)
    package = await _settled(api, "model", artifact_id)
    assert package["status"]["state"] == "ready"
    weights = {f["path"]: f for f in package["files"]}["model.safetensors"]
    assert (weights["size"], weights["verified"]) == (94371840, True)
    reply, body = await _fetch(api, f"/download/{artifact_id}?part=weights")
    assert reply.status == 302
    assert len(body) > weights["size"]
    assert not [key for key in _object_keys(registry) if key.startswith("incoming/")]
    assert (peak - baseline) < 64 * 1024
    assert (peak_successor - baseline) < 64 * 1024


async def test_deleting_every_user_of_a_blob_removes_its_bytes(api: Api, registry: RegistryStack) -> None:
    mini = "https://huggingface.co/orchard-compute/orchard-mini"
    first = (await api.register("model", mini)).body["metadata"]["id"]
    second = (await api.register("model", mini, name="mini-2")).body["metadata"]["id"]
    hashes = {f["sha256"] for f in (await _settled(api, "model", first))["files"]}
    await _settled(api, "model", second)
    stored = {key.rsplit("/", 1)[-1] for key in _object_keys(registry) if key.startswith("blobs/")}
    assert hashes <= stored
    await api.call("DELETE", f"/artifacts/model/{first}")
    still = {key.rsplit("/", 1)[-1] for key in _object_keys(registry) if key.startswith("blobs/")}
    assert hashes <= still
    await api.call("DELETE", f"/artifacts/model/{second}")
    assert not [key for key in _object_keys(registry) if key.startswith(("blobs/", "packages/"))]


async def test_reset_empties_the_bucket(api: Api, registry: RegistryStack) -> None:
    artifact_id = (await api.register("model", "https://huggingface.co/ybelkada/opt-350m-lora")).body["metadata"]["id"]
    await _settled(api, "model", artifact_id)
    assert _object_keys(registry)
    assert (await api.call("DELETE", "/reset")).status == 200
    assert _object_keys(registry) == []


async def test_s3_unreachable_refuses_registration_and_stores_nothing(api: Api, registry: RegistryStack) -> None:
    for child in registry.storages:
        child.stop()
    registry.add_storage({"S3_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}"})
    try:
        registry.wait_ready(replicas=len(registry.live_catalogs()))
        reply = await api.register("model", "https://huggingface.co/ybelkada/opt-350m-lora")
        assert reply.status == 503
        assert "not available" in reply.body["message"] and "http" not in reply.body["message"]
        assert await api.everything() == []
    finally:
        for child in registry.storages:
            child.stop()
        registry.add_storage()
        registry.wait_ready(replicas=len(registry.live_catalogs()))
    assert (await api.register("model", "https://huggingface.co/ybelkada/opt-350m-lora")).status == 201


async def test_deleting_an_artifact_during_its_copy_leaves_no_bytes(
    api: Api, registry: RegistryStack, big_storage: Child
) -> None:
    artifact_id = (await api.register("model", ORCHARD_BASE)).body["metadata"]["id"]
    while (await _package(api, artifact_id))["status"]["bytes_done"] == 0:
        await asyncio.sleep(0.02)
    assert (await api.call("DELETE", f"/artifacts/model/{artifact_id}")).status == 200
    assert (await api.call("GET", f"/artifacts/model/{artifact_id}/package")).status == 404
    deadline = asyncio.get_running_loop().time() + 60
    while _object_keys(registry):
        assert asyncio.get_running_loop().time() < deadline, _object_keys(registry)
        await asyncio.sleep(0.2)
