"""Reading the registry: ``ls``, ``search``, ``show``, ``rate``, ``lineage``, ``cost``, ``license-check``, ``audit``."""

from typing import Annotated

import typer
from rich.table import Table
from rich.tree import Tree

from registry_client import ops
from registry_client.cli.connect import registry
from registry_client.cli.output import JsonFlag, emit_json, out
from registry_client.models import ArtifactMetadata, ArtifactQuery, ArtifactType, LineageGraph, RatingReport

ArtifactId = Annotated[str, typer.Argument(help="The artifact's id.")]


def _metadata_table(items: list[ArtifactMetadata]) -> None:
    table = Table("name", "id", "type")
    for item in items:
        table.add_row(item.name, item.id, item.type.value)
    out.print(table)
    out.print(f"{len(items)} artifact{'' if len(items) == 1 else 's'}")


def ls(
    artifact_type: Annotated[list[ArtifactType] | None, typer.Option("--type", "-t", help="Only this type.")] = None,
    name: Annotated[str, typer.Option("--name", "-n", help="Exact name (case-sensitive); * for all.")] = "*",
    as_json: JsonFlag = False,
) -> None:
    """List artifacts (every page)."""
    with registry() as client:
        items = client.run(ops.list_all([ArtifactQuery(name=name, types=artifact_type or None)]))
    if as_json:
        emit_json(items)
    else:
        _metadata_table(items)


def search(
    regex: Annotated[str, typer.Argument(help="RE2 pattern over names and cards.")], as_json: JsonFlag = False
) -> None:
    """Search artifact names and cards with a regular expression."""
    with registry() as client:
        items = client.send(ops.search(regex))
    if as_json:
        emit_json(items)
    else:
        _metadata_table(items)


def show(artifact_id: ArtifactId, as_json: JsonFlag = False) -> None:
    """Show an artifact: name, type, source, download URL and where the copy of its bytes stands."""
    with registry() as client:
        artifact = client.run(ops.find(artifact_id))
        view = client.send(ops.package(artifact.metadata.type, artifact_id))
    if as_json:
        emit_json({"artifact": artifact, "package": view})
        return
    status = view.status
    table = Table(show_header=False)
    rows = [
        ("name", artifact.metadata.name), ("id", artifact.metadata.id), ("type", artifact.metadata.type.value),
        ("source", artifact.data.url), ("download", artifact.data.download_url or ""), ("owner", view.owner or ""),
        ("copy", f"{status.state}: {status.files_done}/{status.files_total} files, {status.bytes_done} bytes"),
    ]  # fmt: skip
    for key, value in rows:
        table.add_row(key, value)
    out.print(table)
    if status.message:
        out.print(status.message)


def rate(artifact_id: ArtifactId, as_json: JsonFlag = False) -> None:
    """A model's rating: every metric with its score, latency and the evidence behind it."""
    with registry() as client:
        report = client.send(ops.rating_report(artifact_id))
    if as_json:
        emit_json(report)
    else:
        _rating_table(report)


def _rating_table(report: RatingReport) -> None:
    rating = report.rating.model_dump()
    notes = {note.metric: note for note in report.notes}
    table = Table(
        "metric", "score", "seconds", "why", title=f"{report.rating.name}: net_score {rating['net_score']:.2f}"
    )
    for name, value in rating.items():
        if name.endswith("_latency") or name in ("name", "category"):
            continue
        note = notes.get(name)
        score = ", ".join(f"{k} {v:.2f}" for k, v in value.items()) if isinstance(value, dict) else f"{value:.2f}"
        why = note.detail if note else ""
        table.add_row(name, score, f"{rating[f'{name}_latency']:.2f}", why)
    out.print(table)
    if report.gate_failures:
        out.print(f"quality gate failures: {', '.join(report.gate_failures)}")


def lineage(artifact_id: ArtifactId, as_json: JsonFlag = False) -> None:
    """A model's lineage: parents to children, as a tree."""
    with registry() as client:
        graph = client.send(ops.lineage(artifact_id))
    if as_json:
        emit_json(graph)
    else:
        out.print(lineage_tree(graph, artifact_id))


def lineage_tree(graph: LineageGraph, queried: str) -> Tree:
    """The graph as a tree from its roots (nodes no edge leads to); a node reached twice is shown once more
    without its children."""
    names = {node.key: f"{node.name or node.key} ({node.key})" for node in graph.nodes}
    children: dict[str, list[tuple[str, str]]] = {}
    for edge in graph.edges:
        children.setdefault(edge.from_node_artifact_id, []).append((edge.to_node_artifact_id, edge.relationship))
    targets = {edge.to_node_artifact_id for edge in graph.edges}
    roots = [node.key for node in graph.nodes if node.key not in targets] or [queried]
    tree = Tree(f"lineage of {names.get(queried, queried)}")
    seen: set[str] = set()

    def grow(branch: Tree, node: str, label: str) -> None:
        marker = " ◀" if node == queried else ""
        child = branch.add(f"{label}{names.get(node, node)}{marker}")
        if node in seen:
            return
        seen.add(node)
        for target, relationship in children.get(node, []):
            grow(child, target, f"[{relationship}] ")

    for root in roots:
        grow(tree, root, "")
    return tree


def cost(
    artifact_id: ArtifactId,
    deps: Annotated[bool, typer.Option("--deps", help="Include the dependency closure.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Download cost in MB (with --deps, of every artifact it depends on)."""
    with registry() as client:
        artifact = client.run(ops.find(artifact_id))
        costs = client.send(ops.cost(artifact.metadata.type, artifact_id, deps))
    if as_json:
        emit_json(costs)
        return
    table = Table("id", "standalone MB", "total MB")
    for key, entry in costs.items():
        standalone = "" if entry.standalone_cost is None else f"{entry.standalone_cost:.2f}"
        table.add_row(key, standalone, f"{entry.total_cost:.2f}")
    out.print(table)


def license_check(
    artifact_id: ArtifactId,
    github_url: Annotated[str, typer.Argument(help="The GitHub repository to use the model with.")],
    as_json: JsonFlag = False,
) -> None:
    """Whether the model's licence allows using it with the repository's code."""
    with registry() as client:
        compatible = client.send(ops.license_check(artifact_id, github_url))
    if as_json:
        emit_json(compatible)
    else:
        out.print("compatible" if compatible else "not compatible")


def audit(artifact_id: ArtifactId, as_json: JsonFlag = False) -> None:
    """Who did what to an artifact, and when."""
    with registry() as client:
        artifact = client.run(ops.find(artifact_id))
        entries = client.send(ops.audit(artifact.metadata.type, artifact_id))
    if as_json:
        emit_json(entries)
        return
    table = Table("date (UTC)", "user", "action")
    for entry in entries:
        table.add_row(entry.date.isoformat(timespec="seconds"), entry.user.name, entry.action)
    out.print(table)


def register(app: typer.Typer) -> None:
    """Add these commands to the CLI."""
    for command in (ls, search, show, rate, lineage, cost, audit):
        app.command()(command)
    app.command("license-check")(license_check)
