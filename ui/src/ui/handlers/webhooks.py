"""Webhooks: the signed-in user's subscriptions with their recent deliveries, and forms to add and remove one.

The gateway decides everything (who may subscribe, which URLs are refused and why); this page shows its answers."""

from typing import Any
from urllib.parse import quote

from aiohttp import web

from ui.context import registry, token
from ui.pages import form, redirect_with_message, render, text
from ui.registry import RegistryError

WEBHOOKS = "/webhooks"
EVENT_TYPES = (
    "artifact.created", "artifact.updated", "artifact.deleted", "rating.stored", "rating.refused",
    "copy.finished", "copy.failed",
)  # fmt: skip


def _path(webhook_id: str) -> str:
    return f"{WEBHOOKS}/{quote(webhook_id, safe='')}"


async def _page(
    request: web.Request, errors: dict[str, str], new: dict[str, Any], secret: str | None = None, status: int = 200
) -> web.Response:
    hooks: list[dict[str, Any]] = []
    try:
        hooks = list((await registry(request).call("GET", WEBHOOKS, token(request))).body)
    except RegistryError as failure:
        if failure.status in (401, 403):
            raise
        errors = {**errors, "list": failure.message}
    context = {"hooks": hooks, "event_types": EVENT_TYPES, "errors": errors, "new": new, "secret": secret}
    return render(request, "webhooks.html", context, status=400 if errors else status)


async def page(request: web.Request) -> web.Response:
    """``GET /webhooks``: the caller's webhooks (an administrator's: all) and the form adding one."""
    return await _page(request, {}, {"events": ["artifact.created"]})


async def create(request: web.Request) -> web.Response:
    """``POST /webhooks``: subscribe; the secret is shown on this page only, as the API shows it only once."""
    fields = await form(request)
    url = text(fields, "url", 2048)
    events = [e for e in fields.getall("event", []) if e in EVENT_TYPES]
    errors: dict[str, str] = {}
    if not url:
        errors["url"] = "Enter the URL to deliver to."
    if not events:
        errors["events"] = "Choose at least one event."
    if not errors:
        body = {"url": url, "events": events}
        try:
            created = (await registry(request).call("POST", WEBHOOKS, token(request), body=body)).body
        except RegistryError as failure:
            if failure.status in (401, 403):
                raise
            errors["url"] = failure.message
        else:
            return await _page(request, {}, {"events": events}, secret=str(created["secret"]), status=201)
    return await _page(request, errors, {"url": url, "events": events})


async def deliveries(request: web.Request) -> web.Response:
    """``GET /webhooks/{id}``: its recent deliveries, newest first."""
    webhook_id = request.match_info["id"]
    found = (await registry(request).call("GET", _path(webhook_id) + "/deliveries", token(request))).body
    return render(request, "webhook_deliveries.html", {"webhook_id": webhook_id, "deliveries": found})


async def delete(request: web.Request) -> web.Response:
    """``POST /webhooks/{id}/delete``: ``DELETE /webhooks/{id}``."""
    webhook_id = request.match_info["id"]
    await registry(request).call("DELETE", _path(webhook_id), token(request))
    return redirect_with_message(request, WEBHOOKS, f"Removed the webhook {webhook_id}.")
