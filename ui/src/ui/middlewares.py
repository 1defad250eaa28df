"""Middlewares: request id, metrics and security headers; error pages; the session (sign-in, CSRF, flash)."""

import aiohttp
import structlog
from aiohttp import web

from svckit.web import Handler, observe_requests, route_name
from ui.context import METRICS, TOKEN
from ui.pages import UiError, redirect, render, sign_in_url
from ui.registry import RegistryError
from ui.session import TOKEN_COOKIE, CsrfError, consume_flash, end_session, read_flash, verify_csrf

# Routes anyone may see; every other route needs a session.
PUBLIC_ROUTES = frozenset({"healthz", "metrics", "sign_in_form", "sign_in", "static"})
# Multipart forms check their CSRF field while streaming (reading the whole form first would buffer the file).
STREAMED_FORMS = frozenset({"upload_submit"})
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
CSRF_MESSAGE = "This form has expired or did not come from this site. Go back, reload the page and try again."

log = structlog.get_logger()


observe = observe_requests(
    lambda request: request.app[METRICS],
    lambda request: (route_name(request),),
    slow_seconds=0.0,  # every page view is logged at info: a person's clicks, not a load test
    headers=SECURITY_HEADERS,
)
"""Bind a request id (sent on to the registry), count and time the request, add the security headers."""


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Failures become pages of the layout (JSON for ``.json`` routes); an expired token goes to sign-in."""
    try:
        return await handler(request)
    except RegistryError as error:
        if error.status == 403:
            return _expired(request, error.message)
        return error_page(request, error.status, error.message, from_registry=True)
    except UiError as error:
        return error_page(request, error.status, error.message)
    except CsrfError:
        return error_page(request, 403, CSRF_MESSAGE)
    except web.HTTPException as http_error:
        if http_error.status < 400:
            raise
        return error_page(request, http_error.status, _http_message(http_error))
    except (aiohttp.ClientError, TimeoutError) as error:
        log.warning("registry_unreachable", error=repr(error))
        return error_page(request, 502, "The registry could not be reached. Try again in a moment.")
    except Exception:
        log.exception("unhandled_error", path=request.path)
        return error_page(request, 500, "Something went wrong in the web UI. The error has been logged.")


@web.middleware
async def session(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Pages need a session (else sign-in); POST forms need the session's CSRF token; flash messages."""
    name = route_name(request)
    token = request.cookies.get(TOKEN_COOKIE)
    if token:
        request[TOKEN] = token
    if name not in PUBLIC_ROUTES and name != "unmatched" and not token:
        back = request.path_qs if request.method == "GET" else "/artifacts"
        return redirect(sign_in_url(back))
    if request.method == "POST" and name not in STREAMED_FORMS and name != "unmatched":
        posted = await request.post()
        submitted = posted.get("csrf")
        verify_csrf(request, submitted if isinstance(submitted, str) else None)
    read_flash(request)
    response = await handler(request)
    consume_flash(request, response)
    return response


def error_page(request: web.Request, status: int, message: str, from_registry: bool = False) -> web.Response:
    """The error page (or JSON body for ``.json`` routes) with ``message``."""
    if request.path.endswith(".json"):
        return web.json_response({"status": status, "message": message}, status=status)
    context = {"status": status, "message": message, "from_registry": from_registry, "title": _title(status)}
    return render(request, "error.html", context, status=status)


def _expired(request: web.Request, message: str) -> web.Response:
    if request.path.endswith(".json"):
        response = web.json_response({"status": 403, "message": message}, status=403)
    else:
        back = request.path_qs if request.method == "GET" else "/artifacts"
        response = redirect(sign_in_url(back, expired=True))
    end_session(response)
    return response


def _title(status: int) -> str:
    titles = {400: "Bad request", 401: "Not permitted", 403: "Forbidden", 404: "Not found", 409: "Not ready yet"}
    titles |= {413: "Too large", 424: "Refused", 500: "Server error", 502: "Bad gateway", 503: "Unavailable"}
    return titles.get(status, "Error")


def _http_message(error: web.HTTPException) -> str:
    if error.status == 404:
        return "There is no page at this address."
    if error.status == 405:
        return "This page does not accept that kind of request."
    if error.status == 413:
        return "The request is too large."
    return error.text or error.reason
