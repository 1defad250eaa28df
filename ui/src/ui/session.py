"""The browser session: the registry token in an HttpOnly cookie, CSRF tokens, and one-shot flash messages.

The session cookie's value is the registry token itself (HttpOnly, SameSite=Strict, Secure over https): the UI
keeps no server-side state. Every POST form carries a CSRF token, ``HMAC-SHA256(key, session secret)``, where
the secret is the token cookie (signed in) or a random pre-session cookie (the sign-in form), and the key is
random per process unless ``CSRF_KEY`` is set. SameSite=Strict already keeps cross-site posts from carrying the
cookie; the HMAC token also covers same-site attackers and login CSRF. Restarting the UI invalidates open forms.
"""

import hashlib
import hmac
import secrets
from urllib.parse import quote, unquote

from aiohttp import web

from ui.context import CSRF_KEY, FLASH, PRESESSION, SETTINGS, TOKEN

TOKEN_COOKIE = "registry_token"  # noqa: S105 (a cookie name)
USER_COOKIE = "registry_user"
PRESESSION_COOKIE = "registry_presession"
FLASH_COOKIE = "registry_flash"
SESSION_SECONDS = 10 * 3600  # the registry's tokens expire after 10 hours anyway


class CsrfError(Exception):
    """A POST without a valid CSRF token for this session."""


def csrf_token(key: bytes, secret: str) -> str:
    """The CSRF token of a session secret."""
    return hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()


def _secret(request: web.Request) -> str | None:
    return request.cookies.get(TOKEN_COOKIE) or request.get(PRESESSION) or request.cookies.get(PRESESSION_COOKIE)


def csrf_for(request: web.Request) -> str:
    """The CSRF token forms of this page carry ('' without any session)."""
    secret = _secret(request)
    return csrf_token(request.app[CSRF_KEY], secret) if secret else ""


def verify_csrf(request: web.Request, submitted: str | None) -> None:
    """Raise ``CsrfError`` unless ``submitted`` is this session's CSRF token."""
    secret = _secret(request)
    if not secret or not submitted or not hmac.compare_digest(csrf_token(request.app[CSRF_KEY], secret), submitted):
        raise CsrfError


def ensure_presession(request: web.Request) -> str:
    """The pre-session secret of a visitor who is not signed in (new ones are set by ``keep_presession``)."""
    existing = request.cookies.get(PRESESSION_COOKIE)
    request[PRESESSION] = existing or secrets.token_urlsafe(24)
    return request[PRESESSION]


def keep_presession(request: web.Request, response: web.StreamResponse) -> None:
    """Set the pre-session cookie chosen by ``ensure_presession`` if the browser lacks it."""
    if PRESESSION in request and request.cookies.get(PRESESSION_COOKIE) != request[PRESESSION]:
        _set_cookie(request, response, PRESESSION_COOKIE, request[PRESESSION])


def start_session(request: web.Request, response: web.StreamResponse, token: str, user: str) -> None:
    """Keep the token (and the user's name, for display) in cookies."""
    _set_cookie(request, response, TOKEN_COOKIE, token, max_age=SESSION_SECONDS)
    _set_cookie(request, response, USER_COOKIE, quote(user, safe=""), max_age=SESSION_SECONDS)
    response.del_cookie(PRESESSION_COOKIE, path="/")


def end_session(response: web.StreamResponse) -> None:
    """Forget the token."""
    response.del_cookie(TOKEN_COOKIE, path="/")
    response.del_cookie(USER_COOKIE, path="/")


def signed_in_user(request: web.Request) -> str | None:
    """The signed-in user's name, or None."""
    if TOKEN not in request:
        return None
    return unquote(request.cookies.get(USER_COOKIE, "")) or "signed in"


def set_flash(request: web.Request, response: web.StreamResponse, message: str) -> None:
    """A message for the next page shown."""
    _set_cookie(request, response, FLASH_COOKIE, quote(message[:1500], safe=""))


def read_flash(request: web.Request) -> None:
    """Make the pending flash message available to templates as ``request[FLASH]``."""
    raw = request.cookies.get(FLASH_COOKIE)
    if raw:
        request[FLASH] = unquote(raw)


def consume_flash(request: web.Request, response: web.StreamResponse) -> None:
    """Delete the flash cookie once an HTML page has shown it."""
    shown = FLASH in request and response.status == 200 and response.content_type == "text/html"
    if shown and FLASH_COOKIE not in response.cookies:
        response.del_cookie(FLASH_COOKIE, path="/")


def _set_cookie(
    request: web.Request, response: web.StreamResponse, name: str, value: str, max_age: int | None = None
) -> None:
    secure = request.secure or request.app[SETTINGS].cookie_secure
    response.set_cookie(name, value, max_age=max_age, path="/", secure=secure, httponly=True, samesite="Strict")
