"""The ingest quality gate with its default policy, on the gated stack (the shared one runs with it off):
a model with no licence is refused with 424 and leaves nothing behind; licensed ones, and a conversion that
inherits its parent's licence, are registered."""

from collections.abc import AsyncIterator

import pytest

from tests.api import Api, reset_admin
from tests.e2e.refusals import assert_refused
from tests.e2e.test_storage import _upload
from tests.harness import RegistryStack

HF = "https://huggingface.co"


@pytest.fixture
async def gated(gated_registry: RegistryStack) -> AsyncIterator[Api]:
    async with reset_admin(gated_registry.base_url) as api:
        yield api


@pytest.mark.parametrize("repo", ["acme-research/undocumented-classifier", "sshleifer/tiny-gpt2"])
async def test_a_model_without_a_licence_is_refused_and_nothing_is_kept(gated: Api, repo: str) -> None:
    reply = await gated.register("model", f"{HF}/{repo}")
    assert reply.status == 424, reply.body
    assert "quality gate" in reply.body["message"] and "license=0.00 (no licence stated)" in reply.body["message"]
    name = repo.rsplit("/", 1)[1]
    assert await gated.everything() == []
    assert_refused(await gated.call("GET", f"/artifact/byName/{name}"), 404, f"No artifact is named {name!r}.")
    by_regex = await gated.call("POST", "/artifact/byRegEx", json_body={"regex": name})
    assert_refused(by_regex, 404, "No artifact matches this regex.")
    again = await gated.register("model", f"{HF}/{repo}")  # a refused model leaves no trace to make a retry a 409
    assert_refused(again, 424, "license=0.00 (no licence stated)")
    dashboard = (await gated.call("GET", "/health/dashboard?windowMinutes=5")).body
    assert dashboard["ingest"]["refused"] >= 2 and dashboard["ratings"]["outcomes"]["refused"] >= 2


async def test_licensed_models_and_a_conversion_inheriting_its_parents_licence_are_registered(gated: Api) -> None:
    ids = {}
    for repo in ["microsoft/resnet-50", "crangana/trained-gender", "onnx-community/trained-gender-ONNX"]:
        reply = await gated.register("model", f"{HF}/{repo}")
        assert reply.status == 201, reply.body
        ids[repo] = reply.body["metadata"]["id"]
    report = (await gated.call("GET", f"/artifact/model/{ids['onnx-community/trained-gender-ONNX']}/rate/report")).body
    assert report["gated"] == ["license"] and report["gate_failures"] == []
    assert report["rating"]["license"] == 0.8 and report["license_id"] == "apache-2.0"
    lineage = (await gated.call("GET", f"/artifact/model/{ids['microsoft/resnet-50']}/lineage")).body
    assert {node["artifact_id"] for node in lineage["nodes"]} >= set(ids.values())


async def test_an_uploaded_model_is_rated_from_the_card_sent_with_it(gated: Api) -> None:
    content = b"\x00weights" * 1000
    refused = await _upload(gated, content, name="uploaded-bare")
    assert refused.status == 424 and "license=0.00" in refused.body["message"], refused.body
    card = "---\nlicense: mit\n---\n# uploaded\n\n## Usage\n\n```python\nprint('ok')\n```\n"
    accepted = await _upload(gated, content, name="uploaded-with-card", card=card)
    assert accepted.status == 201, accepted.body
    rating = (await gated.call("GET", f"/artifact/model/{accepted.body['metadata']['id']}/rate")).body
    assert rating["license"] == 1.0 and rating["reproducibility"] == 1.0
    found = await gated.call("POST", "/artifact/byRegEx", json_body={"regex": "uploaded-with"})
    assert [item["name"] for item in found.body] == ["uploaded-with-card"]
