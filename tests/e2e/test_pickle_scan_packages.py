"""The model-file security scan of uploaded packages, and its per-file verdicts in the package view, through the
gateway on the shared stack: an uploaded checkpoint, or a tar package holding one, whose pickle calls ``os.system``
is refused with 424 naming the file and the import (read from the registry's bucket by byte ranges, never
unpickled); a safe upload is registered and its package view shows each pickle-based file's verdict, as does a Hub
model's."""

import io
import tarfile
from pathlib import Path

import pytest

from tests.api import Api
from tests.e2e.test_storage import _settled, _upload

pytestmark = pytest.mark.any_backend  # nothing here depends on the database

HF = "https://huggingface.co"
ACME = Path(__file__).resolve().parents[1] / "fixtures" / "upstream" / "hf" / "models" / "acme-research"
SAFE = (ACME / "digits-mlp" / "files" / "pytorch_model.bin").read_bytes()
MALICIOUS = (ACME / "digits-mlp-fast" / "files" / "pytorch_model.bin").read_bytes()


def _tar(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


async def test_an_uploaded_checkpoint_whose_pickle_calls_os_system_is_refused_with_424(api: Api) -> None:
    reply = await _upload(api, MALICIOUS, filename="weights.pt", name="evil-upload")
    assert reply.status == 424, reply.body
    message = reply.body["message"]
    assert "security scan" in message and "weights.pt imports os.system" in message, message
    assert [a for a in await api.everything() if a["name"] == "evil-upload"] == []


async def test_an_uploaded_tar_package_with_a_malicious_member_is_refused_naming_the_member(api: Api) -> None:
    package = _tar({"digits/config.json": b"{}", "digits/pytorch_model.bin": MALICIOUS})
    reply = await _upload(api, package, filename="digits.tar", name="evil-package")
    assert reply.status == 424, reply.body
    assert "digits.tar/digits/pytorch_model.bin imports os.system" in reply.body["message"], reply.body


async def test_a_safe_uploaded_package_is_registered_and_its_package_view_shows_the_verdict(api: Api) -> None:
    package = _tar({"digits/config.json": b"{}", "digits/pytorch_model.bin": SAFE})
    reply = await _upload(api, package, filename="digits.tar", name="safe-package")
    assert reply.status == 201, reply.body
    artifact_id = reply.body["metadata"]["id"]
    [stored] = (await _settled(api, "model", artifact_id))["files"]
    assert stored["path"] == "digits.tar" and stored["pickle_scan"]["verdict"] == "safe", stored
    assert stored["pickle_scan"]["members"] == ["digits/pytorch_model.bin"]
    report = await api.call("GET", f"/artifact/model/{artifact_id}/rate/report")
    [member] = report.body["pickle_scan"]["files"]
    assert member["path"] == "digits.tar/digits/pytorch_model.bin" and member["archive"] == "digits.tar", member
    assert member["verdict"] == "safe" and member["pickles"] == ["archive/data.pkl"]
    assert "upload object" not in member["detail"], member  # the stored blob was scanned: what downloads serve


async def test_the_package_view_of_a_hub_model_shows_each_pickle_based_files_verdict(api: Api) -> None:
    reply = await api.register("model", f"{HF}/acme-research/digits-mlp")
    assert reply.status == 201, reply.body
    view = await api.call("GET", f"/artifacts/model/{reply.body['metadata']['id']}/package")
    assert view.status == 200, view.body
    files = {file["path"]: file for file in view.body["files"]}
    assert files["pytorch_model.bin"]["pickle_scan"] == {
        "verdict": "safe",
        "detail": "1 pickle (archive/data.pkl) read to the end: no dangerous import",
        "dangerous_imports": [],
        "members": [],
    }
    assert "pickle_scan" not in files["config.json"]
