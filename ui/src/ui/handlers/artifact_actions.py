"""Actions on an artifact: download, update its source, delete it (with confirmation), check a licence."""

from typing import Any

from aiohttp import web

from ui.context import registry, token
from ui.pages import UiError, artifact_path, form, redirect, redirect_with_message, render, text
from ui.registry import RegistryError

DOWNLOAD_PARTS = ("all", "weights", "datasets", "code", "docs")


def _path(request: web.Request) -> tuple[str, str]:
    return request.match_info["type"], request.match_info["id"]


async def download(request: web.Request) -> web.Response:
    """``GET .../download?part=``: the registry's presigned URL, as a redirect (its sha256 in a header)."""
    ident = request.match_info["id"]
    part = request.query.get("part", "all")
    if part not in DOWNLOAD_PARTS:
        raise UiError(400, f"part must be one of {', '.join(DOWNLOAD_PARTS)}.")
    link = await registry(request).download(token(request), ident, part)
    response = redirect(link.url)
    response.headers["Cache-Control"] = "no-store"
    if link.sha256:
        response.headers["X-Content-SHA256"] = link.sha256
    return response


async def _artifact(request: web.Request) -> dict[str, Any]:
    kind, ident = _path(request)
    return await registry(request).get_artifact(token(request), kind, ident)


def _edit_context(artifact: dict[str, Any], url: str, error: str | None = None) -> dict[str, Any]:
    return {"artifact": artifact, "metadata": artifact.get("metadata") or {}, "url": url, "error": error}


async def edit_form(request: web.Request) -> web.Response:
    """``GET .../edit``: the form replacing the artifact's source url."""
    artifact = await _artifact(request)
    return render(request, "artifact_edit.html", _edit_context(artifact, (artifact.get("data") or {}).get("url", "")))


async def edit(request: web.Request) -> web.Response:
    """``POST .../edit``: ``PUT /artifacts/{type}/{id}`` with the new url."""
    kind, ident = _path(request)
    artifact = await _artifact(request)
    url = text(await form(request), "url")
    error = None if url else "Enter the new source URL."
    if error is None:
        name = str((artifact.get("metadata") or {}).get("name", ""))
        try:
            await registry(request).update_artifact(token(request), kind, ident, name, url)
        except RegistryError as failure:
            if failure.status == 403:
                raise
            error = failure.message
        else:
            return redirect_with_message(request, artifact_path(kind, ident), "The source was updated.")
    return render(request, "artifact_edit.html", _edit_context(artifact, url, error), status=400)


async def delete_form(request: web.Request) -> web.Response:
    """``GET .../delete``: ask for confirmation."""
    artifact = await _artifact(request)
    return render(request, "artifact_delete.html", {"metadata": artifact.get("metadata") or {}, "error": None})


async def delete(request: web.Request) -> web.Response:
    """``POST .../delete``: delete, then back to the list."""
    kind, ident = _path(request)
    artifact = await _artifact(request)
    try:
        await registry(request).delete_artifact(token(request), kind, ident)
    except RegistryError as failure:
        if failure.status == 403:
            raise
        context = {"metadata": artifact.get("metadata") or {}, "error": failure.message}
        return render(request, "artifact_delete.html", context, status=failure.status)
    name = (artifact.get("metadata") or {}).get("name", ident)
    return redirect_with_message(request, "/artifacts", f"The {kind} {name} was deleted.")


async def license_check(request: web.Request) -> web.Response:
    """``POST /artifacts/model/{id}/license-check``: the verdict and its reason (or the registry's message)."""
    ident = request.match_info["id"]
    artifact = await registry(request).get_artifact(token(request), "model", ident)
    github_url = text(await form(request), "github_url")
    context: dict[str, Any] = {"metadata": artifact.get("metadata") or {}, "github_url": github_url}
    context |= {"verdict": None, "error": None}
    if not github_url:
        context["error"] = "Enter the URL of a GitHub repository."
    else:
        try:
            context["verdict"] = await registry(request).license_check(token(request), ident, github_url)
        except RegistryError as failure:
            if failure.status == 403:
                raise
            context["error"] = failure.message
    return render(request, "license_check.html", context, status=400 if context["error"] else 200)
