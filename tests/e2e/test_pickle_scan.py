"""The model-file security scan at ingest, through the gateway on the shared stack (its quality gate is off, the pickle
refusal is on by default and does not depend on it): a PyTorch checkpoint whose pickle calls ``os.system`` is refused
with 424 naming the file and the import, and leaves nothing behind; a safe checkpoint is registered and its report
shows the file scanned safe; the recorded models' filler weights are reported unscanned and do not refuse them."""

import asyncio
import hashlib
from pathlib import Path

import pytest

from tests.api import Api
from tests.e2e.refusals import assert_refused
from tests.e2e.test_storage_resilience import _object_keys
from tests.harness import RegistryStack

pytestmark = pytest.mark.any_backend  # nothing here depends on the database

HF = "https://huggingface.co"
ACME = Path(__file__).resolve().parents[1] / "fixtures" / "upstream" / "hf" / "models" / "acme-research"


async def test_a_checkpoint_whose_pickle_calls_os_system_is_refused_with_424_and_nothing_is_kept(
    api: Api, registry: RegistryStack
) -> None:
    reply = await api.register("model", f"{HF}/acme-research/digits-mlp-fast")
    assert reply.status == 424, reply.body
    message = reply.body["message"]
    assert "pytorch_model.bin imports os.system" in message and "security scan" in message, message
    assert await api.everything() == []
    by_name = await api.call("GET", "/artifact/byName/digits-mlp-fast")
    assert_refused(by_name, 404, "No artifact is named 'digits-mlp-fast'.")
    by_regex = await api.call("POST", "/artifact/byRegEx", json_body={"regex": "digits-mlp"})
    assert_refused(by_regex, 404, "No artifact matches this regex.")
    again = await api.register("model", f"{HF}/acme-research/digits-mlp-fast")  # no trace left to make it a 409
    assert_refused(again, 424, "pytorch_model.bin imports os.system")
    await asyncio.sleep(1)  # a copy, had one been started, would have stored the blob by now
    weights = hashlib.sha256((ACME / "digits-mlp-fast" / "files" / "pytorch_model.bin").read_bytes()).hexdigest()
    assert not [key for key in _object_keys(registry) if key.endswith(weights)]


async def test_a_safe_checkpoint_is_registered_and_its_report_shows_the_file_scanned_safe(api: Api) -> None:
    reply = await api.register("model", f"{HF}/acme-research/digits-mlp")
    assert reply.status == 201, reply.body
    report = await api.call("GET", f"/artifact/model/{reply.body['metadata']['id']}/rate/report")
    assert report.status == 200, report.body
    scan = report.body["pickle_scan"]
    assert scan["scanned"] and "refused" not in scan and scan["hub_scans_done"] is True, scan  # None is left out
    assert scan["detail"] == "1 pickle-based file: 1 safe"
    [weights] = scan["files"]
    size = (ACME / "digits-mlp" / "files" / "pytorch_model.bin").stat().st_size
    assert weights["path"] == "pytorch_model.bin" and weights["verdict"] == "safe", weights
    assert weights["pickles"] == ["archive/data.pkl"] and weights["dangerous_imports"] == []
    assert weights["hub_status"] == "safe" and weights["size"] == weights["bytes_read"] == size


async def test_a_recorded_models_filler_weights_are_unscanned_and_do_not_refuse_it(api: Api) -> None:
    reply = await api.register("model", f"{HF}/google-bert/bert-base-uncased")
    assert reply.status == 201, reply.body
    report = await api.call("GET", f"/artifact/model/{reply.body['metadata']['id']}/rate/report")
    files = {file["path"]: file for file in report.body["pickle_scan"]["files"]}
    weights = files["pytorch_model.bin"]
    assert weights["verdict"] == "unscanned" and weights["detail"].startswith("not a pickle"), weights
    assert weights["bytes_read"] <= 256 << 10 < weights["size"]
