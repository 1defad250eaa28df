"""Helpers shared by the handlers: rendering, redirects, form fields, UI errors."""

from typing import Any
from urllib.parse import urlencode, urlsplit

import aiohttp_jinja2
from aiohttp import web
from multidict import MultiDict, MultiDictProxy

from ui.context import FLASH
from ui.session import csrf_for, set_flash, signed_in_user

ARTIFACT_TYPES = ("model", "dataset", "code")
PERMISSIONS = ("upload", "search", "download", "admin")


class UiError(Exception):
    """A failure of the UI itself (bad input in a URL, an expired form), shown as an error page."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def render(request: web.Request, template: str, context: dict[str, Any], status: int = 200) -> web.Response:
    """Render a template of the page layout (with the user, the forms' CSRF token and any pending message)."""
    page = {"request": request, "user": signed_in_user(request), "csrf": csrf_for(request), "flash": request.get(FLASH)}
    return aiohttp_jinja2.render_template(template, request, {**page, **context}, status=status)


def redirect(location: str) -> web.Response:
    """303 See Other to ``location`` (after a POST, or to the presigned download URL)."""
    return web.Response(status=303, headers={"Location": location})


def redirect_with_message(request: web.Request, location: str, message: str) -> web.Response:
    """Redirect and show ``message`` on the next page."""
    response = redirect(location)
    set_flash(request, response, message)
    return response


def safe_next(raw: str | None, default: str = "/artifacts") -> str:
    """A local path to return to after signing in (never another site): no control or space characters (browsers
    drop tabs and newlines, turning ``/\t/evil`` into ``//evil``), no backslash, no scheme or host."""
    if not raw or not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return default
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in raw):
        return default
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc:
        return default
    return raw


def sign_in_url(next_path: str, expired: bool = False) -> str:
    """The sign-in page, returning to ``next_path``."""
    query = {"next": next_path, **({"expired": "1"} if expired else {})}
    return "/sign-in?" + urlencode(query)


async def form(request: web.Request) -> MultiDictProxy[str]:
    """The posted form's text fields (files are not expected here)."""
    posted = await request.post()
    return MultiDictProxy(MultiDict((key, value) for key, value in posted.items() if isinstance(value, str)))


def text(fields: MultiDictProxy[str], name: str, limit: int = 4096) -> str:
    """A stripped text field ('' when absent); 400 when longer than ``limit``."""
    value = fields.get(name, "").strip()
    if len(value) > limit:
        raise UiError(400, f"The field {name} is longer than {limit} characters.")
    return value


def artifact_path(kind: str, ident: str) -> str:
    """The UI page of an artifact."""
    return f"/artifacts/{kind}/{ident}"
