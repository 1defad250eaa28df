"""Administration: users and their permissions, and the registry reset (admins only; the API enforces it)."""

from typing import Any
from urllib.parse import quote

from aiohttp import web

from ui.context import registry, token
from ui.pages import PERMISSIONS, form, redirect_with_message, render, text
from ui.registry import RegistryError

USERS = "/admin/users"


async def users_page(request: web.Request) -> web.Response:
    """``GET /admin/users``: every user with a permissions form, and the form creating one."""
    return await _users(request, {}, {"permissions": ["search"]})


async def _users(request: web.Request, errors: dict[str, str], values: dict[str, Any]) -> web.Response:
    try:
        users = await registry(request).users(token(request))
    except RegistryError as failure:
        if failure.status in (401, 403):
            raise
        users, errors = [], {**errors, "list": failure.message}
    context = {"users": users, "permissions": PERMISSIONS, "errors": errors, "new": values}
    return render(request, "admin_users.html", context, status=400 if errors else 200)


async def create_user(request: web.Request) -> web.Response:
    """``POST /admin/users``: ``POST /users``."""
    fields = await form(request)
    name, password = text(fields, "name", 128), fields.get("password", "")
    is_admin = fields.get("is_admin") == "on"
    chosen = [p for p in fields.getall("permission", []) if p in PERMISSIONS]
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Enter a user name."
    if len(password) < 8:
        errors["password"] = "Enter a password of at least 8 characters."  # noqa: S105 (a message)
    if not errors:
        try:
            await registry(request).create_user(token(request), name, password, is_admin, chosen)
        except RegistryError as failure:
            if failure.status == 403:
                raise
            errors["name"] = failure.message
        else:
            return redirect_with_message(request, USERS, f"Created the user {name}.")
    return await _users(request, errors, {"name": name, "is_admin": is_admin, "permissions": chosen})


async def grant(request: web.Request) -> web.Response:
    """``POST /admin/users/{name}/permissions``: ``PUT /users/{name}/permissions``."""
    name = request.match_info["name"]
    chosen = [p for p in (await form(request)).getall("permission", []) if p in PERMISSIONS]
    await registry(request).grant(token(request), name, chosen)
    listed = ", ".join(chosen) or "none"
    return redirect_with_message(request, USERS, f"The permissions of {name} are now: {listed}.")


async def delete_user_form(request: web.Request) -> web.Response:
    """``GET /admin/users/{name}/delete``: ask for confirmation."""
    name = request.match_info["name"]
    return render(request, "admin_user_delete.html", {"name": name, "action": f"{USERS}/{quote(name, safe='')}"})


async def delete_user(request: web.Request) -> web.Response:
    """``POST /admin/users/{name}/delete``: ``DELETE /users/{name}``."""
    name = request.match_info["name"]
    await registry(request).delete_user(token(request), name)
    return redirect_with_message(request, USERS, f"Deleted the user {name}.")


async def reset_form(request: web.Request) -> web.Response:
    """``GET /admin/reset``: the confirmation form (type ``reset``)."""
    return render(request, "admin_reset.html", {"error": None})


async def reset(request: web.Request) -> web.Response:
    """``POST /admin/reset``: ``DELETE /reset`` once the admin typed ``reset``."""
    if text(await form(request), "confirm") != "reset":
        context = {"error": "Type the word reset to confirm."}
        return render(request, "admin_reset.html", context, status=400)
    await registry(request).reset(token(request))
    return redirect_with_message(request, "/artifacts", "The registry was reset: every artifact and user is gone.")
