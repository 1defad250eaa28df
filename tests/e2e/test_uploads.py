"""Uploads cannot fill the disk: the size is declared and signed (S3 refuses any other length), capped per file,
counted against a per-user quota, and freed when the artifact is deleted."""

import io
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest

from tests.api import Api, reset_admin
from tests.harness import RegistryStack, running_registry

LIMIT, QUOTA, CAPACITY = 1000, 2500, 50 << 20


@pytest.fixture(scope="module")
def small_uploads(workdir: Path, mirror_url: str) -> Iterator[RegistryStack]:
    """A registry (SQLite) allowing uploads of 1,000 bytes, 2,500 per user, and holding 50 MB in all."""
    env = {
        "STORAGE_UPLOAD_MAX_BYTES": str(LIMIT),
        "STORAGE_UPLOAD_QUOTA_BYTES": str(QUOTA),
        "STORAGE_CAPACITY_BYTES": str(CAPACITY),
        "STORAGE_MAX_FILE_BYTES": str(200 << 20),  # the harness's cap would skip the 94 MB file: it would fit
    }
    with running_registry(workdir / "uploads", mirror_url, extra_env=env) as stack:
        yield stack


@pytest.fixture
async def api(small_uploads: RegistryStack) -> AsyncIterator[Api]:
    async with reset_admin(small_uploads.base_url) as client:
        yield client


async def _slot(api: Api, size: int, filename: str = "weights.bin") -> dict[str, str]:
    reply = await api.call("POST", "/artifact/model/upload", json_body={"filename": filename, "size": size})
    assert reply.status == 201, reply.body
    return dict(reply.body)


async def _put(url: str, body: bytes) -> tuple[int, str]:
    async with aiohttp.ClientSession() as anonymous, anonymous.put(url, data=io.BytesIO(body)) as put:
        return put.status, await put.text()


async def test_object_storage_refuses_a_body_longer_or_shorter_than_declared(api: Api) -> None:
    slot = await _slot(api, 100)
    assert (await _put(slot["put_url"], b"x" * 5000))[0] == 403  # S3 checks the signed length
    assert (await _put(slot["put_url"], b"x" * 10))[0] == 403
    never = await api.call("POST", slot["complete_url"], json_body={"name": "too-big", "filename": "weights.bin"})
    assert never.status == 400 and "Nothing was uploaded" in never.body["message"]
    assert (await _put(slot["put_url"], b"x" * 100))[0] == 200


async def test_a_file_over_the_limit_and_an_upload_past_the_quota_answer_413(api: Api) -> None:
    over = await api.call("POST", "/artifact/model/upload", json_body={"filename": "big.bin", "size": LIMIT + 1})
    assert over.status == 413 and f"{LIMIT:,} bytes at most" in over.body["message"]
    ids = []
    for index in range(2):
        slot = await _slot(api, LIMIT)
        assert (await _put(slot["put_url"], bytes([index]) * LIMIT))[0] == 200
        created = await api.call(
            "POST", slot["complete_url"], json_body={"name": f"upload-{index}", "filename": "weights.bin"}
        )
        assert created.status == 201, created.body
        ids.append(created.body["metadata"]["id"])
    past = await api.call("POST", "/artifact/model/upload", json_body={"filename": "more.bin", "size": LIMIT})
    assert (
        past.status == 413 and f"you hold {2 * LIMIT:,} bytes of uploads and may hold {QUOTA:,}" in past.body["message"]
    )
    assert (await api.call("DELETE", f"/artifacts/model/{ids[0]}")).status == 200
    await _slot(api, LIMIT)  # deleting an uploaded artifact frees its share of the quota


@pytest.mark.parametrize("filename", [".", "..", "a/b.bin", "a\\b.bin", "tab\there.bin", ""])
async def test_a_file_name_that_is_a_folder_or_holds_a_path_answers_400(api: Api, filename: str) -> None:
    reply = await api.call("POST", "/artifact/model/upload", json_body={"filename": filename, "size": 10})
    assert reply.status == 400 and "filename" in reply.body["message"], reply.body


async def test_an_ingest_past_the_storage_capacity_answers_507_and_leaves_nothing(api: Api) -> None:
    before = await api.everything()
    full = await api.register("model", "https://huggingface.co/orchard-compute/orchard-base")  # 94 MB of weights
    assert full.status == 507 and full.body["message"].startswith("The registry's storage is full; nothing was stored.")
    assert "STORAGE_CAPACITY_BYTES" not in full.body["message"]  # the details are in the logs only
    assert await api.everything() == before
    assert (await api.call("POST", "/artifact/byRegEx", json_body={"regex": "orchard-base"})).status == 404
