"""Walking the lineage graph: every ancestor and descendant once, whatever cycles upstream data holds."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Link:
    """A resolved edge between two registry artifacts."""

    parent: str
    child: str
    relationship: str
    source: str


Step = Callable[[str], Iterable[Link]]


def connected(start: str, parents_of: Step, children_of: Step) -> tuple[set[str], list[Link]]:
    """Nodes reachable upward (ancestors) and downward (descendants) from ``start``, and the links among them."""
    nodes = {start}
    links: dict[tuple[str, str, str], Link] = {}
    for step, towards in ((parents_of, "parent"), (children_of, "child")):
        frontier, seen = [start], {start}
        while frontier:
            for link in step(frontier.pop()):
                links[(link.parent, link.child, link.relationship)] = link
                other = link.parent if towards == "parent" else link.child
                if other not in seen:
                    seen.add(other)
                    nodes.add(other)
                    frontier.append(other)
    return nodes, list(links.values())


def cycle_through(start: str, parents_of: Step) -> list[str] | None:
    """A cycle among ``start``'s ancestors (as a list of ids), or None: iterative depth-first search."""
    on_path: list[str] = []
    state: dict[str, int] = {}
    stack: list[tuple[str, list[str]]] = [(start, [link.parent for link in parents_of(start)])]
    on_path.append(start)
    state[start] = 1
    while stack:
        node, pending = stack[-1]
        if not pending:
            stack.pop()
            on_path.pop()
            state[node] = 2
            continue
        nxt = pending.pop()
        if state.get(nxt) == 1:
            return [*on_path[on_path.index(nxt) :], nxt]
        if nxt not in state:
            state[nxt] = 1
            on_path.append(nxt)
            stack.append((nxt, [link.parent for link in parents_of(nxt)]))
    return None


def dependency_closure(start: str, parents_of: Step) -> list[str]:
    """``start`` and everything it depends on (parent models, datasets, code), each once, in discovery order."""
    order, seen, frontier = [start], {start}, [start]
    while frontier:
        current = frontier.pop(0)
        for link in parents_of(current):
            if link.parent not in seen:
                seen.add(link.parent)
                order.append(link.parent)
                frontier.append(link.parent)
    return order


def closures(start: str, parents_of: Step) -> dict[str, frozenset[str]]:
    """For ``start`` and each of its dependencies, the set of artifacts it depends on (itself included),
    computed once per node (memoised depth-first walk; cycles end at the node already on the path)."""
    memo: dict[str, frozenset[str]] = {}
    on_path: set[str] = set()

    def visit(node: str) -> frozenset[str]:
        if node in memo:
            return memo[node]
        on_path.add(node)
        found = {node}
        for link in parents_of(node):
            if link.parent not in on_path:
                found |= visit(link.parent)
        on_path.discard(node)
        memo[node] = frozenset(found)
        return memo[node]

    visit(start)
    return memo
