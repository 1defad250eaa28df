"""Artifact bytes: copied into our S3 at ingest, listed with sha256, downloaded through presigned links."""

import asyncio
import hashlib
import io
import tarfile
from typing import Any

import aiohttp
import pytest

from tests.api import Api, Reply
from tests.e2e.refusals import assert_refused

TINY = "https://huggingface.co/sshleifer/tiny-gpt2"
# Made-up, and unlike the recorded fixtures its big files verify: the mirror serves bytes that hash to its tree.
MINI = "https://huggingface.co/orchard-compute/orchard-mini"
LORA = "https://huggingface.co/ybelkada/opt-350m-lora"
BERT = "https://huggingface.co/google-bert/bert-base-uncased"
WHISPER_CODE = "https://github.com/openai/whisper"


async def _settled(api: Api, artifact_type: str, artifact_id: str, timeout: float = 60.0) -> dict[str, Any]:
    """Poll the package until its copy has ended."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        reply = await api.call("GET", f"/artifacts/{artifact_type}/{artifact_id}/package")
        assert reply.status == 200, reply.body
        if reply.body["status"]["state"] not in ("queued", "copying"):
            return dict(reply.body)
        assert asyncio.get_running_loop().time() < deadline, reply.body
        await asyncio.sleep(0.2)


async def _fetch(api: Api, path: str) -> tuple[Reply, bytes]:
    """GET our download URL without following, then the presigned URL without our token."""
    async with api.session.get(
        api.base_url + path, headers={"X-Authorization": str(api.token)}, allow_redirects=False
    ) as response:
        reply = Reply(response.status, await response.read(), response.headers)
    if reply.status != 302:
        return reply, b""
    async with aiohttp.ClientSession() as anonymous, anonymous.get(reply.headers["Location"]) as presigned:
        assert presigned.status == 200
        return reply, await presigned.read()


async def test_a_registered_model_is_copied_and_every_file_listed_with_sha256(api: Api) -> None:
    created = (await api.register("model", MINI)).body
    artifact_id = created["metadata"]["id"]
    assert created["data"]["download_url"].endswith(f"/download/{artifact_id}")
    package = await _settled(api, "model", artifact_id)
    status, files = package["status"], package["files"]
    assert status["state"] == "ready", status
    assert status["files_done"] == status["files_total"] == len(files) > 3
    assert status["bytes_done"] == status["bytes_total"] == sum(f["size"] for f in files)
    by_path = {f["path"]: f for f in files}
    assert by_path["config.json"]["part"] == "weights"
    assert by_path["config.json"]["verified"] is True
    assert by_path["model.safetensors"]["upstream_sha256"] == by_path["model.safetensors"]["sha256"]
    assert all(f["stored"] and f["status"] == "stored" and f["verified"] and len(f["sha256"]) == 64 for f in files)


async def test_whole_package_download_is_a_tar_of_exactly_the_listed_bytes(api: Api) -> None:
    artifact_id = (await api.register("model", MINI)).body["metadata"]["id"]
    package = await _settled(api, "model", artifact_id)
    files = {f["path"]: f for f in package["files"]}
    reply, body = await _fetch(api, f"/download/{artifact_id}")
    assert reply.status == 302
    assert reply.headers["X-Content-SHA256"] == hashlib.sha256(body).hexdigest()
    archives = {
        a["part"]: a for a in (await api.call("GET", f"/artifacts/model/{artifact_id}/package")).body["archives"]
    }
    assert archives["all"]["sha256"] == reply.headers["X-Content-SHA256"] and archives["all"]["size"] == len(body)
    with tarfile.open(fileobj=io.BytesIO(body)) as archive:
        members = {m.name: archive.extractfile(m).read() for m in archive.getmembers()}  # type: ignore[union-attr]
    assert set(members) == set(files)
    for path, content in members.items():
        assert hashlib.sha256(content).hexdigest() == files[path]["sha256"]
        assert len(content) == files[path]["size"]


async def test_a_part_with_one_file_downloads_that_file(api: Api) -> None:
    artifact_id = (await api.register("model", LORA)).body["metadata"]["id"]
    files = (await _settled(api, "model", artifact_id))["files"]
    docs = [f for f in files if f["part"] == "docs"]
    assert len(docs) == 1
    reply, body = await _fetch(api, f"/download/{artifact_id}?part=docs")
    assert reply.status == 302
    assert hashlib.sha256(body).hexdigest() == docs[0]["sha256"]
    missing_part, _ = await _fetch(api, f"/download/{artifact_id}?part=datasets")
    assert missing_part.status == 404
    bad_part, _ = await _fetch(api, f"/download/{artifact_id}?part=everything")
    assert bad_part.status == 400


async def test_code_is_stored_as_the_repository_archive(api: Api) -> None:
    artifact_id = (await api.register("code", WHISPER_CODE)).body["metadata"]["id"]
    package = await _settled(api, "code", artifact_id)
    assert package["status"]["state"] == "ready"
    [archive] = package["files"]
    reply, body = await _fetch(api, f"/download/{artifact_id}")
    assert reply.status == 302
    assert hashlib.sha256(body).hexdigest() == archive["sha256"]
    with tarfile.open(fileobj=io.BytesIO(body), mode="r:gz") as tar:
        assert any(name.endswith("/README.md") for name in tar.getnames())


async def test_downloads_are_audited_and_need_the_download_permission(api: Api) -> None:
    artifact_id = (await api.register("model", LORA)).body["metadata"]["id"]
    await _settled(api, "model", artifact_id)
    reply, _ = await _fetch(api, f"/download/{artifact_id}?part=docs")
    assert reply.status == 302
    trail = (await api.call("GET", f"/artifact/model/{artifact_id}/audit")).body
    assert "DOWNLOAD" in [e["action"] for e in trail]
    created = await api.call(
        "POST", "/users", json_body={"name": "looker", "password": "looking-only", "permissions": ["search"]}
    )
    assert created.status == 201
    looker = Api(api.session, api.base_url)
    looker.token = (await looker.login("looker", "looking-only", is_admin=False)).body
    refused, _ = await _fetch(looker, f"/download/{artifact_id}")
    assert refused.status == 401
    assert_refused(await api.call("GET", "/download/123456"), 404, "No artifact with id 123456.")


async def test_identical_files_are_stored_once(api: Api) -> None:
    first = (await api.register("model", MINI)).body["metadata"]["id"]
    second = (await api.register("model", MINI, name="mini-copy")).body["metadata"]["id"]
    one = {f["path"]: f["sha256"] for f in (await _settled(api, "model", first))["files"]}
    two = {f["path"]: f["sha256"] for f in (await _settled(api, "model", second))["files"]}
    assert one == two
    assert (await api.call("DELETE", f"/artifacts/model/{first}")).status == 200
    reply, body = await _fetch(api, f"/download/{second}?part=docs")
    assert reply.status == 302
    assert hashlib.sha256(body).hexdigest() == one["README.md"]


async def test_files_over_the_size_limit_are_listed_but_not_stored(api: Api) -> None:
    artifact_id = (await api.register("model", BERT)).body["metadata"]["id"]
    package = await _settled(api, "model", artifact_id)
    assert package["status"]["state"] == "partial"
    assert "STORAGE_MAX_FILE_BYTES" in package["status"]["message"]
    files = {f["path"]: f for f in package["files"]}
    weights = files["model.safetensors"]
    assert (weights["stored"], weights["status"], weights["size"]) == (False, "skipped", 440449768)
    # The recorded small files the mirror serves as filler differ from the published checksums: never served.
    failed = sorted(path for path, f in files.items() if f["status"] == "failed")
    assert failed == ["coreml/fill-mask/float32_model.mlpackage/Data/com.apple.CoreML/model.mlmodel", "tokenizer.json",
                      "vocab.txt"]  # fmt: skip
    whole, _ = await _fetch(api, f"/download/{artifact_id}")
    assert whole.status == 424
    assert all(path.encode() in whole.body for path in failed)
    docs, _ = await _fetch(api, f"/download/{artifact_id}?part=docs")
    assert docs.status == 302


@pytest.mark.parametrize(
    ("artifact_type", "url", "reason"),
    [
        ("dataset", "https://huggingface.co/datasets/ILSVRC/imagenet-1k", "gated"),
        ("dataset", "https://www.kaggle.com/datasets/uciml/iris", "Kaggle"),
    ],
)
async def test_sources_needing_credentials_say_so(api: Api, artifact_type: str, url: str, reason: str) -> None:
    artifact_id = (await api.register(artifact_type, url)).body["metadata"]["id"]
    package = await _settled(api, artifact_type, artifact_id)
    assert package["status"]["state"] == "needs_credentials"
    assert reason in package["status"]["message"]
    refused, _ = await _fetch(api, f"/download/{artifact_id}")
    assert refused.status == 424
    assert reason.encode() in refused.body


async def _upload(
    api: Api, content: bytes, filename: str = "weights.bin", name: str = "my-upload", card: str | None = None
) -> Reply:
    slot = await api.call("POST", "/artifact/model/upload", json_body={"filename": filename, "size": len(content)})
    assert slot.status == 201, slot.body
    async with (
        aiohttp.ClientSession() as anonymous,
        anonymous.put(slot.body["put_url"], data=io.BytesIO(content)) as put,
    ):
        assert put.status == 200
    body = {"name": name, "filename": filename} | ({"card": card} if card is not None else {})
    return await api.call("POST", slot.body["complete_url"], json_body=body)


async def test_an_uploaded_package_is_stored_and_downloads_byte_for_byte(api: Api) -> None:
    content = hashlib.sha256(b"seed").digest() * 100_000
    created = await _upload(api, content)
    assert created.status == 201, created.body
    artifact_id = created.body["metadata"]["id"]
    assert created.body["metadata"]["name"] == "my-upload"
    assert created.body["data"]["url"].startswith("upload://")
    package = await _settled(api, "model", artifact_id)
    assert package["status"]["state"] == "ready"
    [stored] = package["files"]
    assert (stored["path"], stored["size"]) == ("weights.bin", len(content))
    assert stored["sha256"] == hashlib.sha256(content).hexdigest()
    reply, body = await _fetch(api, f"/download/{artifact_id}")
    assert reply.status == 302
    assert body == content
    again = await _upload(api, content, name="same-bytes")
    same = (await _settled(api, "model", again.body["metadata"]["id"]))["files"][0]
    assert same["sha256"] == stored["sha256"]


async def test_upload_errors(api: Api) -> None:
    never_put = await api.call("POST", "/artifact/model/upload", json_body={"filename": "x.bin", "size": 3})
    complete = await api.call("POST", never_put.body["complete_url"], json_body={"name": "ghost", "filename": "x.bin"})
    assert_refused(complete, 400, "Nothing was uploaded under this upload id (or the slot expired).")
    bad_bodies = [
        ({"filename": "../etc/passwd", "size": 1}, "filename: String should match pattern '^[^/\\\\]+$'."),
        ({"filename": "", "size": 1}, "filename: String should have at least 1 character."),
        ({}, "filename: Field required; size: Field required."),
        ({"filename": "x.bin"}, "size: Field required."),
        ({"filename": "x.bin", "size": -1}, "size: Input should be greater than or equal to 0."),
    ]
    for bad, problem in bad_bodies:
        reply = await api.call("POST", "/artifact/model/upload", json_body=bad)
        assert_refused(reply, 400, f"Invalid request body: {problem}")
    bad_id = await api.call("POST", "/artifact/model/upload/not-an-id", json_body={"name": "x", "filename": "x.bin"})
    assert_refused(bad_id, 400, "Invalid request: upload_id: String should match pattern '^[0-9a-f]{32}$'.")
    assert await api.everything() == []


async def test_a_dataset_round_trips_by_part(api: Api) -> None:
    dataset = "https://huggingface.co/datasets/orchard-compute/orchard-prompts"
    artifact_id = (await api.register("dataset", dataset)).body["metadata"]["id"]
    package = await _settled(api, "dataset", artifact_id)
    assert package["status"]["state"] == "ready", package["status"]
    data_files = {f["path"]: f for f in package["files"] if f["part"] == "datasets"}
    assert any(path.endswith(".parquet") for path in data_files)
    reply, body = await _fetch(api, f"/download/{artifact_id}?part=datasets")
    assert reply.status == 302
    with tarfile.open(fileobj=io.BytesIO(body)) as archive:
        members = {m.name: archive.extractfile(m).read() for m in archive.getmembers()}  # type: ignore[union-attr]
    assert set(members) == set(data_files)
    assert all(hashlib.sha256(members[p]).hexdigest() == f["sha256"] for p, f in data_files.items())


async def test_recorded_files_whose_bytes_differ_from_the_published_checksums_are_failed_not_stored(api: Api) -> None:
    """The mirror serves filler for the recorded weights it does not keep: a faithful registry refuses them."""
    artifact_id = (await api.register("model", TINY)).body["metadata"]["id"]
    package = await _settled(api, "model", artifact_id)
    assert package["status"]["state"] == "partial"
    assert "differ from what the upstream publishes" in package["status"]["message"]
    by_path = {f["path"]: f for f in package["files"]}
    weights = by_path["pytorch_model.bin"]
    assert (weights["status"], weights["stored"], weights["verified"]) == ("failed", False, False)
    assert f"where the upstream publishes {weights['upstream_sha256']}" in weights["note"]
    assert by_path["config.json"]["status"] == "stored" and by_path["config.json"]["verified"] is True
    refused, _ = await _fetch(api, f"/download/{artifact_id}?part=weights")
    assert refused.status == 424 and b"pytorch_model.bin" in refused.body


async def test_a_stored_single_file_download_resumes_with_a_range(api: Api) -> None:
    artifact_id = (await api.register("model", MINI)).body["metadata"]["id"]
    readme = {f["path"]: f for f in (await _settled(api, "model", artifact_id))["files"]}["README.md"]
    async with api.session.get(
        f"{api.base_url}/download/{artifact_id}?part=docs", headers={"X-Authorization": str(api.token)},
        allow_redirects=False,
    ) as redirect:  # fmt: skip
        location = redirect.headers["Location"]
    async with aiohttp.ClientSession() as anonymous:
        async with anonymous.get(location) as whole:
            body = await whole.read()
        async with anonymous.get(location, headers={"Range": "bytes=100-"}) as rest:
            assert rest.status == 206
            assert await rest.read() == body[100:]
    assert hashlib.sha256(body).hexdigest() == readme["sha256"]
