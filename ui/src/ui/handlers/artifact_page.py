"""An artifact's page: metadata, stored package, downloads, rating, lineage, cost, audit; and its copy progress."""

import asyncio
from collections.abc import Awaitable
from typing import Any

from aiohttp import web

from ui import artifact_view
from ui.context import registry, token
from ui.outcome import Outcome, attempt
from ui.pages import render


def _path(request: web.Request) -> tuple[str, str]:
    return request.match_info["type"], request.match_info["id"]


async def show(request: web.Request) -> web.Response:
    """``GET /artifacts/{type}/{id}``: every section; a section the registry cannot answer shows its message."""
    kind, ident = _path(request)
    api, tok = registry(request), token(request)
    artifact = await api.get_artifact(tok, kind, ident)
    calls: dict[str, Awaitable[Any]] = {
        "package": api.package(tok, kind, ident),
        "cost": api.cost(tok, kind, ident, dependency=False),
        "closure": api.cost(tok, kind, ident, dependency=True),
        "audit": api.audit(tok, kind, ident),
    }
    if kind == "model":
        calls["report"] = api.rating_report(tok, ident)
        calls["lineage"] = api.lineage(tok, ident)
    results = await asyncio.gather(*(attempt(call) for call in calls.values()))
    return render(request, "artifact.html", page_context(artifact, dict(zip(calls, results, strict=True))))


def page_context(artifact: dict[str, Any], outcomes: dict[str, Outcome[Any]]) -> dict[str, Any]:
    """The template's context from the artifact and each section's outcome."""
    metadata = artifact.get("metadata") or {}
    kind, ident = str(metadata.get("type")), str(metadata.get("id"))
    context: dict[str, Any] = {"artifact": artifact, "kind": kind, "ident": ident, "name": metadata.get("name", "")}
    context["errors"] = {key: outcome.error for key, outcome in outcomes.items() if outcome.error}
    package = outcomes["package"].value
    if package is not None:
        status = artifact_view.progress(package.get("status") or {})
        files = list(package.get("files") or [])
        context["progress"], context["files"] = status, files
        context["owner"] = {"name": package.get("owner")}
        raw_status = package.get("status") or {}
        refused = str(raw_status.get("message") or "") if raw_status.get("state") == "needs_credentials" else ""
        context["downloads"] = artifact_view.downloads(files, refused, list(package.get("archives") or []))
    report, graph = outcomes.get("report"), outcomes.get("lineage")
    if report is not None and report.value is not None:
        context["rating"] = artifact_view.rating(report.value, ident)
    known: dict[str, Any] = {}
    if graph is not None and graph.value is not None:
        context["lineage"] = artifact_view.lineage(graph.value, ident)
        known = {node.ident: node for node in context["lineage"]["nodes"]}
    context["cost"] = artifact_view.costs(outcomes["cost"].value, outcomes["closure"].value, ident, known)
    context["audit"] = outcomes["audit"].value
    return context


async def progress(request: web.Request) -> web.Response:
    """``GET /artifacts/{type}/{id}/progress.json``: the copy's state for ``app.js`` to poll."""
    kind, ident = _path(request)
    package = await registry(request).package(token(request), kind, ident)
    return web.json_response(artifact_view.progress(package.get("status") or {}))
