"""Lineage rules: edges from metadata, resolution to registry ids, walks with diamonds and cycles."""

import pytest

from contracts.artifacts import ArtifactType
from lineage.domain.extract import Edge, MalformedMetadata, ModelMetadata, model_edges
from lineage.domain.graph import Link, closures, connected, cycle_through, dependency_closure
from lineage.domain.nodes import Node, StoredEdge, resolve

MODEL, DATASET, CODE = ArtifactType.MODEL, ArtifactType.DATASET, ArtifactType.CODE


def _meta(
    card: dict[str, object],
    config: dict[str, object] | None = None,
    adapter: dict[str, object] | None = None,
    readme: str = "",
) -> ModelMetadata:
    return ModelMetadata(card=card, config=config, adapter_config=adapter, readme=readme)


def test_edges_come_from_config_adapter_card_datasets_and_code_links() -> None:
    meta = _meta(
        {"base_model": "org/base", "datasets": ["squad", "org/extra"], "base_model_relation": "finetune"},
        config={"_name_or_path": "org/base"},
        adapter={"base_model_name_or_path": "facebook/opt-350m"},
        readme="Code: https://github.com/google-research/bert and https://github.com/features/actions",
    )
    edges = model_edges("me/model", meta)
    assert edges == [
        Edge("org/base", MODEL, "finetune", "config_json"),
        Edge("facebook/opt-350m", MODEL, "adapter", "adapter_config_json"),
        Edge("squad", DATASET, "fine_tuning_dataset", "model_card"),
        Edge("org/extra", DATASET, "fine_tuning_dataset", "model_card"),
        Edge("google-research/bert", CODE, "code_repository", "model_card"),
    ]


def test_local_paths_and_self_references_are_not_lineage() -> None:
    meta = _meta({"base_model": "me/model"}, config={"_name_or_path": "./checkpoints/run-3"})
    assert model_edges("me/model", meta) == []


@pytest.mark.parametrize(
    "card", [{"base_model": 3}, {"datasets": {"a": 1}}, {"base_model": "x/y", "base_model_relation": "cousin"}]
)
def test_malformed_cards_are_refused_with_a_reason(card: dict[str, object]) -> None:
    with pytest.raises(MalformedMetadata):
        model_edges("me/model", _meta(card))


def test_resolution_is_case_insensitive_accepts_owner_less_names_and_prefers_the_first_registration() -> None:
    nodes = [
        Node("1", 1, DATASET, "bookcorpus", "bookcorpus/bookcorpus", {}),
        Node("2", 2, MODEL, "resnet", "microsoft/resnet-50", {}),
        Node("3", 3, MODEL, "resnet-again", "microsoft/resnet-50", {}),
        Node("4", 4, MODEL, "child", "me/child", {}),
    ]
    edges = [
        StoredEdge("4", Edge("Microsoft/ResNet-50", MODEL, "base_model", "config_json")),
        StoredEdge("4", Edge("bookcorpus", DATASET, "fine_tuning_dataset", "model_card")),
        StoredEdge("4", Edge("not/registered", MODEL, "base_model", "model_card")),
    ]
    assert resolve(nodes, edges) == [
        Link("2", "4", "base_model", "config_json"),
        Link("1", "4", "fine_tuning_dataset", "model_card"),
    ]


def _steps(links: list[Link]) -> tuple[dict[str, list[Link]], dict[str, list[Link]]]:
    up: dict[str, list[Link]] = {}
    down: dict[str, list[Link]] = {}
    for link in links:
        up.setdefault(link.child, []).append(link)
        down.setdefault(link.parent, []).append(link)
    return up, down


DIAMOND = [Link("base", "a", "base_model", "c"), Link("base", "b", "base_model", "c"), Link("a", "top", "merge", "c"),
           Link("b", "top", "merge", "c"), Link("top", "leaf", "finetune", "c")]  # fmt: skip


def test_a_shared_dependency_is_listed_once() -> None:
    up, _ = _steps(DIAMOND)
    closure = dependency_closure("top", lambda n: up.get(n, []))
    assert sorted(closure) == ["a", "b", "base", "top"]
    assert closure[0] == "top"


def test_connected_finds_ancestors_and_descendants_but_not_cousins() -> None:
    links = [*DIAMOND, Link("base", "cousin", "finetune", "c")]
    up, down = _steps(links)
    nodes, found = connected("a", lambda n: up.get(n, []), lambda n: down.get(n, []))
    assert nodes == {"a", "base", "top", "leaf"}
    assert Link("base", "cousin", "finetune", "c") not in found


def test_cycles_are_found_not_looped_on() -> None:
    links = [Link("x", "y", "base_model", "c"), Link("y", "z", "base_model", "c"), Link("z", "x", "base_model", "c")]
    up, down = _steps(links)
    assert cycle_through("z", lambda n: up.get(n, [])) is not None
    nodes, _ = connected("z", lambda n: up.get(n, []), lambda n: down.get(n, []))
    assert nodes == {"x", "y", "z"}
    acyclic, _ = _steps(DIAMOND)
    assert cycle_through("leaf", lambda n: acyclic.get(n, [])) is None


def test_each_dependency_knows_its_own_closure_once() -> None:
    up, _ = _steps(DIAMOND)
    found = closures("leaf", lambda n: up.get(n, []))
    assert found["leaf"] == {"leaf", "top", "a", "b", "base"}
    assert found["a"] == {"a", "base"}
    assert found["base"] == {"base"}
