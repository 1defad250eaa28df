"""The lineage layout: parents above children, every node a keyboard-reachable link to its page."""

import re
from typing import Any

from ui.lineage_layout import NODE_H, assign_layers, layout, lineage_svg


def _graph(edges: list[tuple[str, str]], kinds: dict[str, str] | None = None) -> dict[str, Any]:
    ids = sorted({i for edge in edges for i in edge})
    nodes = [{"artifact_id": i, "name": f"name-{i}", "metadata": {"type": (kinds or {}).get(i, "model")}} for i in ids]
    return {"nodes": nodes, "edges": [{"from_node_artifact_id": a, "to_node_artifact_id": b} for a, b in edges]}


def test_a_chain_gets_one_layer_per_generation() -> None:
    assert assign_layers(["c", "b", "a"], [("a", "b"), ("b", "c")]) == {"a": 0, "b": 1, "c": 2}


def test_a_child_sits_below_its_deepest_parent() -> None:
    layers = assign_layers(["a", "b", "c", "d"], [("a", "b"), ("b", "d"), ("a", "d"), ("c", "d")])
    assert layers == {"a": 0, "c": 0, "b": 1, "d": 2}


def test_a_cycle_is_laid_out_without_looping() -> None:
    layers = assign_layers(["a", "b", "c"], [("a", "b"), ("b", "c"), ("c", "b")])
    assert layers["a"] == 0 and set(layers) == {"a", "b", "c"}


def test_every_edge_points_down_in_the_drawing() -> None:
    placed = layout(_graph([("r", "m"), ("d", "m"), ("m", "x")]), "m")
    by_id = {n.ident: n for n in placed.nodes}
    for edge in placed.edges:
        assert by_id[edge.target].y > by_id[edge.source].y
        assert edge.y1 == by_id[edge.source].y + NODE_H and edge.y2 == by_id[edge.target].y
    assert placed.width > 0 and placed.height > 0


def test_edges_to_unknown_nodes_are_dropped() -> None:
    graph = _graph([("a", "b")])
    graph["edges"].append({"from_node_artifact_id": "ghost", "to_node_artifact_id": "a", "relationship": "x"})
    assert len(layout(graph, "a").edges) == 1


def test_nodes_link_to_their_artifact_pages_and_the_current_one_is_marked() -> None:
    placed = layout(_graph([("d1", "m1")], kinds={"d1": "dataset"}), "m1")
    svg = lineage_svg(placed, svg_id="lineage-m1", title="Lineage", desc="Two nodes.")
    assert 'href="/artifacts/dataset/d1"' in svg and 'href="/artifacts/model/m1"' in svg
    assert svg.count('aria-current="page"') == 1
    assert 'aria-label="name-m1, model, this artifact"' in svg
    assert 'role="group"' in svg and 'aria-labelledby="lineage-m1-title"' in svg
    assert not re.search(r'tabindex="[1-9]', svg)


def test_long_and_hostile_names_are_shortened_and_escaped() -> None:
    graph = {"nodes": [{"artifact_id": "a", "name": "<img src=x>" + "n" * 40, "metadata": {}}], "edges": []}
    svg = lineage_svg(layout(graph, "a"), svg_id="l", title="t", desc="d")
    assert "<img" not in svg and "&lt;img src=x&gt;" in svg and "…" in svg
