"""Lineage graph, download cost and licence check through the gateway, on the fixture chain
microsoft/resnet-50 → crangana/trained-gender → onnx-community/trained-gender-ONNX."""

from typing import Any

import pytest

from contracts import subjects
from contracts.errors import ErrorCode, ServiceFailure
from contracts.lineage import NodeParents, NodeRef
from svckit.connection import connect
from svckit.transport import ServiceClient
from tests.api import Api
from tests.e2e.refusals import assert_refused
from tests.e2e.test_storage import _settled
from tests.harness import RegistryStack

RESNET = "https://huggingface.co/microsoft/resnet-50"
TRAINED = "https://huggingface.co/crangana/trained-gender"
ONNX = "https://huggingface.co/onnx-community/trained-gender-ONNX"


async def _ids(api: Api, urls: list[str]) -> dict[str, str]:
    ids = {}
    for url in urls:
        reply = await api.register("model", url)
        assert reply.status == 201, reply.body
        ids[url] = reply.body["metadata"]["id"]
    return ids


def _shape(graph: dict[str, Any], ids: dict[str, str]) -> tuple[set[str], set[tuple[str, str, str]]]:
    name = {v: k.rsplit("/", 1)[-1] for k, v in ids.items()}
    nodes = {name[n["artifact_id"]] for n in graph["nodes"]}
    edges = {
        (name[e["from_node_artifact_id"]], name[e["to_node_artifact_id"]], e["relationship"]) for e in graph["edges"]
    }
    return nodes, edges


CHAIN_EDGES = {("resnet-50", "trained-gender", "base_model"), ("trained-gender", "trained-gender-ONNX", "base_model")}


@pytest.mark.parametrize("order", [[RESNET, TRAINED, ONNX], [ONNX, TRAINED, RESNET]])
async def test_the_chain_is_one_graph_in_either_ingest_order(api: Api, order: list[str]) -> None:
    ids = await _ids(api, order)
    for url in (RESNET, TRAINED, ONNX):
        reply = await api.call("GET", f"/artifact/model/{ids[url]}/lineage")
        assert reply.status == 200, reply.body
        nodes, edges = _shape(reply.body, ids)
        assert nodes == {"resnet-50", "trained-gender", "trained-gender-ONNX"}
        assert edges == CHAIN_EDGES
        for node in reply.body["nodes"]:
            assert node["node"] == node["artifact_id"], "the spec's ArtifactLineageNode requires node"
            assert isinstance(node["metadata"], dict)
            assert node["metadata"]["upstream_id"]
            assert node["source"] in ("registry", "config_json", "model_card")


async def test_a_lone_model_is_its_own_graph_and_deletion_cuts_the_chain(api: Api) -> None:
    ids = await _ids(api, [RESNET, TRAINED, ONNX])
    assert (await api.call("DELETE", f"/artifacts/model/{ids[TRAINED]}")).status == 200
    alone = (await api.call("GET", f"/artifact/model/{ids[ONNX]}/lineage")).body
    assert [n["artifact_id"] for n in alone["nodes"]] == [ids[ONNX]]
    assert alone["edges"] == []
    assert alone["nodes"][0]["metadata"]["license"] is None  # the ONNX card states no licence
    deleted = await api.call("GET", f"/artifact/model/{ids[TRAINED]}/lineage")
    assert_refused(deleted, 404, f"No model artifact with id {ids[TRAINED]}.")


async def test_lineage_errors(api: Api) -> None:
    dataset = (await api.register("dataset", "https://huggingface.co/datasets/rajpurkar/squad")).body["metadata"]["id"]
    other_type = await api.call("GET", f"/artifact/model/{dataset}/lineage")
    assert_refused(other_type, 404, f"No model artifact with id {dataset}.")
    unknown = await api.call("GET", "/artifact/model/4242424242/lineage")
    assert_refused(unknown, 404, "No model artifact with id 4242424242.")
    malformed = await api.call("GET", "/artifact/model/bad_id!/lineage")
    assert_refused(malformed, 400, "id must match ^[a-zA-Z0-9\\-]+$ and be at most 64 characters.")


async def test_cost_alone_and_with_dependencies(api: Api) -> None:
    ids = await _ids(api, [RESNET, TRAINED, ONNX])
    sizes = {}
    for url, artifact_id in ids.items():
        package = await _settled(api, "model", artifact_id)
        sizes[url] = package["status"]["bytes_total"] / 1_000_000
    alone = await api.call("GET", f"/artifact/model/{ids[ONNX]}/cost")
    assert alone.status == 200
    assert alone.body == {ids[ONNX]: {"total_cost": pytest.approx(sizes[ONNX])}}
    closure = await api.call("GET", f"/artifact/model/{ids[ONNX]}/cost?dependency=true")
    assert set(closure.body) == set(ids.values())
    root = closure.body[ids[ONNX]]
    assert root["standalone_cost"] == pytest.approx(sizes[ONNX])
    assert root["total_cost"] == pytest.approx(sum(sizes.values()))
    assert closure.body[ids[RESNET]] == {
        "standalone_cost": pytest.approx(sizes[RESNET]),
        "total_cost": pytest.approx(sizes[RESNET]),
    }
    maybe = await api.call("GET", f"/artifact/model/{ids[ONNX]}/cost?dependency=maybe")
    assert_refused(maybe, 400, "dependency must be true or false.")
    other_type = await api.call("GET", f"/artifact/dataset/{ids[ONNX]}/cost")
    assert_refused(other_type, 404, f"No dataset artifact with id {ids[ONNX]}.")


@pytest.mark.parametrize(
    ("github_url", "status", "answer"),
    [
        ("https://github.com/google-research/bert", 200, True),
        ("https://github.com/nobody-here/no-such-repo", 404, None),
        ("https://gitlab.com/some/repo", 400, None),
        ("https://github.com/rajpurkar/SQuAD-explorer", 200, False),  # GitHub states no licence
    ],
)
async def test_license_check(api: Api, github_url: str, status: int, answer: bool | None) -> None:
    ids = await _ids(api, [RESNET, TRAINED])
    reply = await api.call(
        "POST", f"/artifact/model/{ids[TRAINED]}/license-check", json_body={"github_url": github_url}
    )
    assert reply.status == status, reply.body
    if answer is not None:
        assert reply.body is answer
    else:
        assert reply.body["message"]


async def test_scoring_can_ask_for_a_models_parents_over_nats(api: Api, registry: RegistryStack) -> None:
    ids = await _ids(api, [ONNX, RESNET, TRAINED])
    nc = await connect(registry.nats_url, name="tests", auth=registry.bus_auth(subjects.SCORING))
    try:
        client = ServiceClient(nc)
        reply = await client.call(subjects.LINEAGE_PARENTS, NodeRef(artifact_id=ids[ONNX]), NodeParents)
        assert [(p.artifact_id, p.relationship) for p in reply.parents] == [(ids[TRAINED], "base_model")]
        root = await client.call(subjects.LINEAGE_PARENTS, NodeRef(artifact_id=ids[RESNET]), NodeParents)
        assert root.parents == []
        with pytest.raises(ServiceFailure) as caught:
            await client.call(subjects.LINEAGE_PARENTS, NodeRef(artifact_id="424242"), NodeParents)
        assert caught.value.code is ErrorCode.NOT_FOUND
    finally:
        await nc.drain()


async def test_a_repository_without_a_licence_is_refused_with_that_reason(api: Api) -> None:
    ids = await _ids(api, [RESNET, TRAINED])
    reply = await api.call(
        "POST",
        f"/artifact/model/{ids[TRAINED]}/license-check",
        json_body={"github_url": "https://github.com/rajpurkar/SQuAD-explorer"},
    )
    assert (reply.status, reply.body) == (200, False)
    assert "no licence" in reply.headers["X-License-Reason"], reply.headers["X-License-Reason"]
