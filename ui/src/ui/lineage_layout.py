"""Pure layered layout of a lineage graph (the API's ``ArtifactLineageGraph``) and its SVG drawing.

Parents sit above their children (longest-path layering, so every edge points down except on a cycle); within a
layer nodes follow the mean position of their parents, which keeps most edges from crossing. Each node is an
``<a href>`` to its artifact page: links are focusable with the keyboard and named for screen readers.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from ui.charts import FONT, INK, MUTED, safe_id

NODE_W, NODE_H, GAP_X, GAP_Y, MARGIN = 220.0, 52.0, 28.0, 56.0, 12.0
NAME_CHARS = 26


@dataclass(frozen=True)
class PlacedNode:
    """A node with its layer and top-left corner."""

    ident: str
    name: str
    kind: str
    layer: int
    x: float
    y: float
    current: bool


@dataclass(frozen=True)
class PlacedEdge:
    """An edge parent → child, from the bottom of the parent to the top of the child."""

    source: str
    target: str
    relationship: str
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class LineageLayout:
    """Placed nodes and edges and the drawing's size."""

    nodes: tuple[PlacedNode, ...]
    edges: tuple[PlacedEdge, ...]
    width: float
    height: float


def assign_layers(ids: Sequence[str], edges: Sequence[tuple[str, str]]) -> dict[str, int]:
    """Longest-path layers: roots 0, every other node one below its deepest parent (nodes on cycles included)."""
    known = set(ids)
    parents: dict[str, list[str]] = {i: [] for i in ids}
    children: dict[str, list[str]] = {i: [] for i in ids}
    for source, target in edges:
        if source in known and target in known and source != target:
            parents[target].append(source)
            children[source].append(target)
    waiting = {i: len(parents[i]) for i in ids}
    ready = sorted(i for i in ids if waiting[i] == 0)
    layer: dict[str, int] = {}
    while ready:
        node = ready.pop(0)
        layer[node] = max((layer[p] + 1 for p in parents[node] if p in layer), default=0)
        for child in children[node]:
            waiting[child] -= 1
            if waiting[child] == 0:
                ready.append(child)
    for node in ids:  # on a cycle: below whichever parents are placed
        if node not in layer:
            layer[node] = max((layer[p] + 1 for p in parents[node] if p in layer), default=0)
    return layer


def _order_rows(
    layers: Mapping[str, int], parents: Mapping[str, list[str]], names: Mapping[str, str]
) -> list[list[str]]:
    rows: list[list[str]] = [[] for _ in range(max(layers.values(), default=-1) + 1)]
    for node, index in layers.items():
        rows[index].append(node)
    position: dict[str, float] = {}
    for row in rows:

        def key(node: str) -> tuple[float, str]:
            placed = [position[p] for p in parents[node] if p in position]
            return (sum(placed) / len(placed) if placed else 0.0, names[node])

        row.sort(key=key)
        position.update({node: float(i) for i, node in enumerate(row)})
    return rows


def layout(graph: Mapping[str, Any], current_id: str) -> LineageLayout:
    """Place the graph's nodes in layers and route its edges."""
    names: dict[str, str] = {}
    kinds: dict[str, str] = {}
    for node in graph.get("nodes") or []:
        ident = str(node.get("artifact_id", ""))
        if ident and ident not in names:
            names[ident] = str(node.get("name") or ident)
            metadata = node.get("metadata") or {}
            kinds[ident] = str(metadata.get("type") or "model") if isinstance(metadata, dict) else "model"
    raw_edges = [
        (str(e.get("from_node_artifact_id")), str(e.get("to_node_artifact_id")), str(e.get("relationship", "")))
        for e in graph.get("edges") or []
    ]
    edges = [e for e in raw_edges if e[0] in names and e[1] in names]
    ids = list(names)
    layers = assign_layers(ids, [(s, t) for s, t, _ in edges])
    parents: dict[str, list[str]] = {i: [s for s, t, _ in edges if t == i] for i in ids}
    rows = _order_rows(layers, parents, names)
    widest = max((len(r) for r in rows), default=0)
    width = 2 * MARGIN + widest * NODE_W + max(widest - 1, 0) * GAP_X
    height = 2 * MARGIN + len(rows) * NODE_H + max(len(rows) - 1, 0) * GAP_Y
    placed: dict[str, PlacedNode] = {}
    for index, row in enumerate(rows):
        row_w = len(row) * NODE_W + (len(row) - 1) * GAP_X
        left = (width - row_w) / 2
        for i, node in enumerate(row):
            x, y = left + i * (NODE_W + GAP_X), MARGIN + index * (NODE_H + GAP_Y)
            placed[node] = PlacedNode(node, names[node], kinds[node], index, x, y, node == current_id)
    routed = tuple(_route(placed[s], placed[t], s, t, rel) for s, t, rel in edges)
    return LineageLayout(tuple(placed[n] for row in rows for n in row), routed, width, height)


def _route(source: PlacedNode, target: PlacedNode, s: str, t: str, relationship: str) -> PlacedEdge:
    x1, x2 = source.x + NODE_W / 2, target.x + NODE_W / 2
    if target.layer > source.layer:
        return PlacedEdge(s, t, relationship, x1, source.y + NODE_H, x2, target.y)
    return PlacedEdge(s, t, relationship, x1, source.y, x2, target.y + NODE_H)  # a cycle's edge points up


def node_label(node: PlacedNode) -> str:
    """What a screen reader announces for a node's link."""
    return f"{node.name}, {node.kind}" + (", this artifact" if node.current else "")


def default_href(node: PlacedNode) -> str:
    """The UI page of a node's artifact."""
    return f"/artifacts/{node.kind}/{node.ident}"


def lineage_svg(
    graph_layout: LineageLayout,
    *,
    svg_id: str,
    title: str,
    desc: str,
    href: Callable[[PlacedNode], str] = default_href,
) -> Markup:
    """The layout as an SVG group whose nodes link to their artifact pages."""
    sid = safe_id(svg_id)
    w, h = max(graph_layout.width, NODE_W + 2 * MARGIN), max(graph_layout.height, NODE_H + 2 * MARGIN)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="lineage" id="{sid}" viewBox="0 0 {w:g} {h:g}" '
        f'width="{w:g}" height="{h:g}" role="group" aria-labelledby="{sid}-title" aria-describedby="{sid}-desc" '
        f'font-family="{FONT}" font-size="13">',
        f'<title id="{sid}-title">{escape(title)}</title><desc id="{sid}-desc">{escape(desc)}</desc>',
        f'<defs><marker id="{sid}-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" '
        f'orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{MUTED}"/></marker></defs>',
    ]
    for edge in graph_layout.edges:
        parts.append(
            f'<line x1="{edge.x1:.1f}" y1="{edge.y1:.1f}" x2="{edge.x2:.1f}" y2="{edge.y2:.1f}" stroke="{MUTED}" '
            f'stroke-width="2" marker-end="url(#{sid}-arrow)"/>'
        )
    for node in graph_layout.nodes:
        parts.append(_node(node, href(node)))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text and attribute value is escaped)


def _node(node: PlacedNode, link: str) -> str:
    name = node.name if len(node.name) <= NAME_CHARS else node.name[: NAME_CHARS - 1] + "…"
    fill, stroke = ("#fff4cc", "#7a5900") if node.current else ("#eef3fb", "#1f5fa8")
    kind = f"{node.kind} · this artifact" if node.current else node.kind
    current = ' aria-current="page"' if node.current else ""
    return (
        f'<a href="{escape(link)}" class="lineage-node" aria-label="{escape(node_label(node))}"{current}>'
        f'<rect x="{node.x:.1f}" y="{node.y:.1f}" width="{NODE_W:g}" height="{NODE_H:g}" rx="6" fill="{fill}" '
        f'stroke="{stroke}" stroke-width="2"/>'
        f'<text x="{node.x + 10:.1f}" y="{node.y + 21:.1f}" fill="{INK}" font-weight="bold" '
        f'text-decoration="underline">{escape(name)}</text>'
        f'<text x="{node.x + 10:.1f}" y="{node.y + 40:.1f}" fill="{INK}">{escape(kind)}</text></a>'
    )
