"""Registered means usable, on a stack as users run it: no cap on file sizes, copies left running, a queue of ingests.

A made-up 7B model whose three shards publish 13.5 GB (orchard-compute/orchard-7b-instruct) is registered behind
other ingests; from the 201 on, its cost is the published total and downloads stream at once, checked against the
published sha256, while the copies are still far from done. A made-up repository whose CDN serves one file short
and one altered never becomes ready, says why, and never hands out a complete wrong file.
"""

import hashlib
import io
import shutil
import tarfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.api import Api, reset_admin
from tests.e2e.test_storage import _settled
from tests.harness import RegistryStack, running_registry

HF = "https://huggingface.co"
SEVEN_B = f"{HF}/orchard-compute/orchard-7b-instruct"
MINI = f"{HF}/orchard-compute/orchard-mini"
FAULTY = f"{HF}/orchard-compute/orchard-faulty"
QUEUE = [("dataset", f"{HF}/datasets/stanfordnlp/imdb"), ("model", f"{HF}/openai/whisper-tiny"),
         ("model", f"{HF}/orchard-compute/orchard-base")]  # fmt: skip
SHARDS = 4938985248 + 4947390768 + 3590488816


@pytest.fixture(scope="module")
def uncapped(workdir: Path, mirror_url: str) -> Iterator[RegistryStack]:
    """A registry (SQLite) that copies every file whatever its size (1 TB cap), like the defaults."""
    # A wrong file is retried after 2 s, then 4 s: long enough for a download to meet it still pending.
    env = {"STORAGE_MAX_FILE_BYTES": str(1 << 40), "STORAGE_RETRY_SECONDS": "2"}
    with running_registry(workdir / "uncapped", mirror_url, extra_env=env) as stack:
        yield stack
    shutil.rmtree(workdir / "uncapped" / "seaweed" / "data", ignore_errors=True)  # GBs of shards copied meanwhile


@pytest.fixture
async def api(uncapped: RegistryStack) -> AsyncIterator[Api]:
    async with reset_admin(uncapped.base_url) as client:
        yield client


async def _download(api: Api, path: str) -> tuple[aiohttp.ClientResponse, bytes, float]:
    """Our download URL, then wherever it redirects, without our token; seconds until the first body byte."""
    async with api.session.get(
        f"{api.base_url}{path}", headers={"X-Authorization": str(api.token)}, allow_redirects=False
    ) as redirect:
        assert redirect.status == 302, await redirect.text()
        location = redirect.headers["Location"]
    started = time.monotonic()
    async with aiohttp.ClientSession() as anonymous, anonymous.get(location) as response:
        first = await response.content.readany()
        waited = time.monotonic() - started
        body = first + await response.read()
        return response, body, waited


def _members(body: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(body)) as archive:
        return {m.name: archive.extractfile(m).read() for m in archive.getmembers()}  # type: ignore[union-attr]


async def _package(api: Api, artifact_type: str, artifact_id: str) -> dict[str, Any]:
    reply = await api.call("GET", f"/artifacts/{artifact_type}/{artifact_id}/package")
    assert reply.status == 200, reply.body
    return dict(reply.body)


async def test_a_13_gb_model_behind_a_queue_costs_and_downloads_from_its_first_second(api: Api) -> None:
    for artifact_type, url in QUEUE:
        assert (await api.register(artifact_type, url)).status == 201
    big = await api.register("model", SEVEN_B)
    registered = time.monotonic()
    assert big.status == 201, big.body
    big_id = big.body["metadata"]["id"]
    mini = await api.register("model", MINI, name="queued-behind")
    mini_id = mini.body["metadata"]["id"]

    cost = await api.call("GET", f"/artifact/model/{big_id}/cost")
    assert time.monotonic() - registered < 1.0
    assert cost.status == 200, cost.body
    package = await _package(api, "model", big_id)
    published = sum(f["size"] for f in package["files"])
    assert published > SHARDS and cost.body[big_id]["total_cost"] == pytest.approx(published / 1e6)
    assert package["status"]["state"] in ("queued", "copying") and package["status"]["bytes_total"] == published

    response, body, waited = await _download(api, f"/download/{big_id}?part=docs")  # the model card, pending
    assert response.status == 200 and waited < 1.0
    readme = {f["path"]: f for f in package["files"]}["README.md"]
    assert len(body) == readme["size"] and b"Orchard 7B Instruct" in body

    response, body, waited = await _download(api, f"/download/{mini_id}")  # a whole package queued behind it
    assert response.status == 200 and waited < 1.0
    mini_files = {f["path"]: f for f in (await _package(api, "model", mini_id))["files"]}
    members = _members(body)
    assert set(members) == set(mini_files)
    for path, content in members.items():
        assert len(content) == mini_files[path]["size"]
        published_sha = mini_files[path].get("upstream_sha256")
        if published_sha:
            assert hashlib.sha256(content).hexdigest() == published_sha, path
    big_now = (await _package(api, "model", big_id))["status"]
    assert big_now["state"] in ("queued", "copying") and big_now["bytes_done"] < SHARDS  # copies still running


async def test_a_file_served_short_or_altered_is_never_ready_and_never_served_whole(api: Api) -> None:
    created = await api.register("model", FAULTY)
    artifact_id = created.body["metadata"]["id"]
    files = {f["path"]: f for f in (await _package(api, "model", artifact_id))["files"]}
    shard = "model-00002-of-00002.safetensors"  # served altered: right length, wrong bytes
    with pytest.raises(aiohttp.ClientPayloadError):
        await _download(api, f"/download/{artifact_id}?part=weights")  # streamed through, cut before the end
    package = await _settled(api, "model", artifact_id)
    assert package["status"]["state"] == "partial"
    assert "2 differ from what the upstream publishes" in package["status"]["message"]
    by_path = {f["path"]: f for f in package["files"]}
    short = by_path["model-00001-of-00002.safetensors"]
    assert (short["status"], short["stored"]) == ("failed", False)
    assert f"received {files['model-00001-of-00002.safetensors']['size'] // 2:,} bytes" in short["note"]
    assert by_path[shard]["status"] == "failed" and files[shard]["upstream_sha256"] in by_path[shard]["note"]
    refused = await api.call("GET", f"/download/{artifact_id}?part=weights")
    assert refused.status == 424 and shard in refused.body["message"]
