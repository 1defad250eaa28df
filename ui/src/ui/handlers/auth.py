"""Signing in and out."""

from typing import Any

from aiohttp import web

from ui.context import registry
from ui.pages import form, redirect_with_message, render, safe_next, text
from ui.registry import RegistryError
from ui.session import end_session, ensure_presession, keep_presession, start_session

EXPIRED = "Your session has expired. Sign in again to continue."


def forwarded_for(request: web.Request) -> str:
    """The address chain of the person signing in: what reached this UI, plus its own peer (appended, as a proxy
    does), so the registry throttles failed sign-ins per person rather than per UI replica."""
    chain = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",") if hop.strip()]
    return ", ".join([*chain, request.remote or ""]).strip(", ")


async def sign_in_form(request: web.Request) -> web.Response:
    """``GET /sign-in``: the form, with a message when the previous session expired."""
    ensure_presession(request)
    context: dict[str, Any] = {
        "next": safe_next(request.query.get("next")),
        "notice": EXPIRED if request.query.get("expired") else None,
        "errors": {},
        "name": "",
    }
    response = render(request, "sign_in.html", context)
    keep_presession(request, response)
    return response


async def sign_in(request: web.Request) -> web.Response:
    """``POST /sign-in``: exchange the credentials for a registry token kept in the session cookie."""
    fields = await form(request)
    name, password = text(fields, "name", 128), fields.get("password", "")
    next_path = safe_next(fields.get("next"))
    errors, status = {}, 400
    if not name:
        errors["name"] = "Enter your user name."
    if not password:
        errors["password"] = "Enter your password."  # noqa: S105 (a message)
    if not errors:
        try:
            token = await registry(request).authenticate(name, password, forwarded_for(request))
        except RegistryError as error:
            if error.status >= 500:
                raise
            errors["password"] = "The user name or password is not right." if error.status == 401 else error.message
            status = error.status
        else:
            response = redirect_with_message(request, next_path, f"Signed in as {name}.")
            start_session(request, response, token, name)
            return response
    context = {"next": next_path, "notice": None, "errors": errors, "name": name}
    return render(request, "sign_in.html", context, status=status)


async def sign_out(request: web.Request) -> web.Response:
    """``POST /sign-out``: forget the token (it expires at the registry on its own)."""
    response = redirect_with_message(request, "/sign-in", "You have signed out.")
    end_session(response)
    return response
