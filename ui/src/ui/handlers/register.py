"""Registering an artifact by its source url."""

from typing import Any

from aiohttp import web

from ui.context import registry, token
from ui.pages import ARTIFACT_TYPES, artifact_path, form, redirect_with_message, render, text
from ui.registry import RegistryError


def _context(
    kind: str = "model", url: str = "", name: str = "", errors: dict[str, str] | None = None
) -> dict[str, Any]:
    return {"kind": kind, "url": url, "name": name, "errors": errors or {}, "types": ARTIFACT_TYPES}


async def form_page(request: web.Request) -> web.Response:
    """``GET /register``."""
    kind = request.query.get("type", "model")
    return render(request, "register.html", _context(kind if kind in ARTIFACT_TYPES else "model"))


async def submit(request: web.Request) -> web.Response:
    """``POST /register``: ``POST /artifact/{type}``, then the new artifact's page (its copy in progress)."""
    fields = await form(request)
    kind, url, name = text(fields, "type"), text(fields, "url"), text(fields, "name", 255)
    errors: dict[str, str] = {}
    if kind not in ARTIFACT_TYPES:
        errors["type"] = "Choose model, dataset or code."
    if not url:
        errors["url"] = "Enter the source URL."
    status = 400
    if not errors:
        try:
            created = await registry(request).create_artifact(token(request), kind, url, name or None)
        except RegistryError as failure:
            if failure.status == 403:
                raise
            errors["name" if failure.status == 409 else "url"] = _explain(failure)
            status = failure.status
        else:
            metadata = created.get("metadata") or {}
            message = f"Registered the {kind} {metadata.get('name', '')}. Its files are being copied."
            return redirect_with_message(request, artifact_path(kind, str(metadata.get("id"))), message)
    return render(request, "register.html", _context(kind, url, name, errors), status=status)


def _explain(failure: RegistryError) -> str:
    if failure.status == 424:
        return f"The quality gate refused this model: {failure.message}"
    if failure.status == 401:
        return f"You may not register artifacts: {failure.message}"
    return failure.message
