"""Pure view models of an artifact page: copy progress, downloads, the rating, cost and lineage."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from ui.charts import describe_bars, horizontal_bars
from ui.formatting import human_bytes
from ui.lineage_layout import layout, lineage_svg

ACTIVE_STATES = ("queued", "copying")
STATE_LABELS = {
    "queued": "Queued",
    "copying": "Copying",
    "ready": "Ready",
    "partial": "Partially stored",
    "needs_credentials": "Needs credentials",
    "failed": "Failed",
}
METRICS = {
    "net_score": "Net score",
    "ramp_up_time": "Ramp-up time",
    "bus_factor": "Bus factor",
    "performance_claims": "Performance claims",
    "license": "Licence",
    "dataset_and_code_score": "Dataset and code",
    "dataset_quality": "Dataset quality",
    "code_quality": "Code quality",
    "reproducibility": "Reproducibility",
    "reviewedness": "Reviewedness",
    "tree_score": "Tree score",
}
DEVICES = {
    "raspberry_pi": "Raspberry Pi",
    "jetson_nano": "Jetson Nano",
    "desktop_pc": "Desktop PC",
    "aws_server": "AWS server",
}
PARTS = {"weights": "Weights", "datasets": "Datasets", "code": "Code", "docs": "Documentation"}


def progress(status: Mapping[str, Any]) -> dict[str, Any]:
    """The copy's state as the page and ``progress.json`` show it."""
    state = str(status.get("state", "unknown"))
    done, total = int(status.get("bytes_done") or 0), status.get("bytes_total")
    percent = min(100, int(100 * done / total)) if total else (100 if state == "ready" else None)
    files = f"{status.get('files_done', 0)} of {status.get('files_total', 0)} files"
    label = STATE_LABELS.get(state, state)
    summary = f"{label}: {human_bytes(done)} of {human_bytes(total)} stored ({files})"
    return {
        "state": state,
        "label": label,
        "done": state not in ACTIVE_STATES,
        "percent": percent,
        "bytes_done": done,
        "bytes_total": total,
        "files_done": status.get("files_done", 0),
        "files_total": status.get("files_total", 0),
        "message": status.get("message") or "",
        "summary": summary,
    }


@dataclass(frozen=True)
class DownloadChoice:
    """One download link: the whole package or a part, and the sha256 of what it serves (when known)."""

    part: str
    label: str
    files: int
    size: int
    sha256: str | None
    available: bool
    reason: str


def downloads(
    files: list[dict[str, Any]], refused: str = "", archives: list[dict[str, Any]] | None = None
) -> list[DownloadChoice]:
    """The whole package and each part present, downloadable from the first second (files not stored yet stream
    from the upstream, checked); a part with a file that failed its checks is not, nor anything when the registry
    cannot fetch the bytes at all (``refused``: why). A single-file link serves that file (its sha256); a
    multi-file one the part's tar archive (its sha256 from the package view, once every file is stored)."""
    archive_sha = {a.get("part"): a.get("sha256") for a in archives or []}
    groups = [("all", "Whole package", files)]
    groups += [(part, label, [f for f in files if f.get("part") == part]) for part, label in PARTS.items()]
    choices = []
    for part, label, chosen in groups:
        if not chosen:
            continue
        failed = [f for f in chosen if f.get("status") == "failed"]
        reason = f"The registry cannot fetch these files: {refused}" if refused else ""
        if failed:
            reason = (
                f"{len(failed)} of {len(chosen)} files differ from what the upstream publishes and are never "
                f"served: {failed[0].get('note') or 'see below'}."
            )
        one = chosen[0] if len(chosen) == 1 else None
        single = (one.get("sha256") or one.get("upstream_sha256")) if one else archive_sha.get(part)
        size = sum(int(f.get("size") or 0) for f in chosen)
        choices.append(DownloadChoice(part, label, len(chosen), size, single, not reason, reason))
    return choices


def rating(report: Mapping[str, Any], ident: str) -> dict[str, Any]:
    """The rating's rows (score, latency, explanation), its charts and the quality gate's verdict."""
    values = report.get("rating") or {}
    notes = {n.get("metric"): n for n in report.get("notes") or []}
    rows = [
        {
            "metric": label,
            "score": values.get(key),
            "latency": values.get(f"{key}_latency"),
            "detail": (notes.get(key) or {}).get("detail", ""),
            "applicable": (notes.get(key) or {}).get("applicable", True),
        }
        for key, label in METRICS.items()
    ]
    bars = [(r["metric"], float(r["score"] or 0.0)) for r in rows]
    sizes = values.get("size_score") or {}
    devices = [(label, float(sizes.get(key) or 0.0)) for key, label in DEVICES.items()]
    size_note = notes.get("size_score") or {}
    return {
        "name": values.get("name", ""),
        "category": values.get("category", ""),
        "net_score": values.get("net_score"),
        "rows": rows,
        "chart": _bars(f"rating-{ident}", "Rating of each metric, from 0 to 1", bars),
        "devices": devices,
        "size_latency": values.get("size_score_latency"),
        "size_detail": size_note.get("detail", ""),
        "size_chart": _bars(f"size-{ident}", "Size score per deployment device, from 0 to 1", devices),
        "gated": report.get("gated") or [],
        "gate_failures": report.get("gate_failures") or [],
        "license_id": report.get("license_id"),
        "rated_at": report.get("rated_at"),
        "pickle_scan": report.get("pickle_scan"),
    }


def _bars(chart_id: str, title: str, bars: list[tuple[str, float]]) -> Markup:
    return horizontal_bars(chart_id, title, describe_bars(bars), bars, maximum=1.0)


def lineage(graph: Mapping[str, Any], ident: str) -> dict[str, Any]:
    """The lineage drawing and the tables of its nodes and edges."""
    placed = layout(graph, ident)
    names = {n.ident: n for n in placed.nodes}
    desc = f"{len(placed.nodes)} artifacts and {len(placed.edges)} relationships; parents above their children."
    svg = lineage_svg(placed, svg_id=f"lineage-{ident}", title="Lineage graph", desc=desc)
    edges = [
        {"source": names[e.source], "target": names[e.target], "relationship": e.relationship} for e in placed.edges
    ]
    return {"svg": svg, "nodes": placed.nodes, "edges": edges}


def costs(
    plain: Mapping[str, Any] | None, closure: Mapping[str, Any] | None, ident: str, known: Mapping[str, Any]
) -> dict[str, Any]:
    """Cost without and with dependencies (MB), each dependency named when the lineage knows it."""
    own = (plain or {}).get(ident) or {}
    total = ((closure or {}).get(ident) or {}).get("total_cost")
    rows = []
    for key, entry in sorted((closure or {}).items(), key=lambda item: item[0] != ident):
        node = known.get(key)
        rows.append(
            {
                "id": key,
                "name": getattr(node, "name", key),
                "href": f"/artifacts/{node.kind}/{key}" if node is not None else None,
                "standalone": entry.get("standalone_cost"),
                "total": entry.get("total_cost"),
                "current": key == ident,
            }
        )
    return {"standalone": own.get("total_cost"), "with_dependencies": total, "rows": rows}
