"""Middlewares: request id and logging context, metrics, errors as JSON, token checks."""

import hashlib
import re

import structlog
from aiohttp import web
from pydantic import ValidationError

from contracts.errors import ErrorCode, ServiceFailure
from gateway.activity import Event
from gateway.context import ACTIVITY, LEASES, METRICS, PRINCIPAL, ROUTES
from gateway.failures import public_message
from gateway.throttle import Throttled
from svckit.transport import IDEMPOTENCY_KEY_HEADER, idempotency_key
from svckit.validation import describe
from svckit.web import Handler, observe_requests, route_name

AUTH_HEADER = "X-Authorization"
_CLIENT_KEY = re.compile(r"[\x21-\x7e]{1,255}")
SLOW_SECONDS = 1.0  # a request slower than this is logged at info, as is a refused one (metrics count all)

log = structlog.get_logger()


def _record(request: web.Request, status: int, seconds: float) -> None:
    """Note a served request in the activity record behind ``/health/components`` and ``/health/dashboard``."""
    name = route_name(request)
    info = request.app[ROUTES].get(name)
    request.app[ACTIVITY].record(
        Event(
            route=name,
            status=status,
            seconds=seconds,
            client=request.remote or "unknown",
            service=info.service if info else None,
            artifact_type=request.match_info.get("artifact_type"),
        )
    )


observe = observe_requests(
    lambda request: request.app[METRICS],
    lambda request: (route_name(request), request.method),
    slow_seconds=SLOW_SECONDS,
    after=_record,
)
"""Bind a request id, then count, time and record the request once the error middleware has answered."""


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every failure becomes a JSON body with a human-readable message and the spec's status; a 5xx carries a
    generic message (``gateway.failures``), its detail goes to the log with the request id."""
    try:
        return await handler(request)
    except Throttled as throttled:
        return error_response(429, throttled.message, headers={"Retry-After": str(throttled.retry_after)})
    except ServiceFailure as failure:
        if failure.code >= ErrorCode.INTERNAL:
            return server_error(request, int(failure.code), failure.message)
        return error_response(int(failure.code), failure.message)
    except ValidationError as invalid:
        return error_response(400, describe(invalid, "request"))
    except ConnectionResetError:
        raise  # the client is gone: nothing to answer (``observe`` counts it as 499)
    except web.HTTPException as http_error:
        if http_error.status < 400:
            raise
        message = _http_message(http_error, request)
        if http_error.status >= 500:
            return server_error(request, http_error.status, message)
        return error_response(http_error.status, message, headers=_allow_header(http_error))
    except Exception as error:
        log.exception("unhandled_error", path=request.path)
        return server_error(request, 500, f"{type(error).__name__}: {error}")


def server_error(request: web.Request, status: int, detail: str) -> web.Response:
    """A 5xx answer: the generic message of its status; ``detail`` only in the log, with the request id."""
    log.warning("server_error", status=status, method=request.method, path=request.path, detail=detail)
    return error_response(status, public_message(status, detail))


@web.middleware
async def authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Routes that need a permission require a valid ``X-Authorization`` token holding it."""
    info = request.app[ROUTES].get(route_name(request))
    if info is None or info.permission is None:
        return await handler(request)
    token = request.headers.get(AUTH_HEADER, "").strip()
    if not token:
        raise ServiceFailure(ErrorCode.FORBIDDEN, "Authentication failed: the X-Authorization header is missing.")
    caller = await request.app[LEASES].spend(token)
    if info.permission not in caller.permissions:
        raise ServiceFailure(
            ErrorCode.UNAUTHORIZED, f"User {caller.name!r} lacks the {info.permission.value!r} permission."
        )
    structlog.contextvars.bind_contextvars(user=caller.name)
    request[PRINCIPAL] = caller
    try:
        with idempotency_key(_client_key(request, caller.name)):
            return await handler(request)
    finally:
        structlog.contextvars.unbind_contextvars("user")


def _client_key(request: web.Request, user: str) -> str | None:
    """The client's ``Idempotency-Key`` scoped to the caller (one user cannot replay another's outcome), which keyed
    writes (``contracts.subjects.IDEMPOTENT_WRITES``) carry to the service; None when it sent none."""
    chosen = request.headers.get(IDEMPOTENCY_KEY_HEADER)
    if chosen is None:
        return None
    if not _CLIENT_KEY.fullmatch(chosen):
        raise ServiceFailure(
            ErrorCode.BAD_REQUEST, "The Idempotency-Key header must be 1-255 visible ASCII characters."
        )
    return hashlib.sha256(f"{user}\n{chosen}".encode()).hexdigest()


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    """The JSON error body used for every 4xx and 5xx."""
    body: dict[str, object] = {"status": status, "message": message}
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    if request_id:
        body["request_id"] = request_id
    return web.json_response(body, status=status, headers=headers)


def _http_message(error: web.HTTPException, request: web.Request) -> str:
    if error.status == 404:
        return f"No such endpoint: {request.method} {request.path}."
    if error.status == 405:
        return f"Method {request.method} is not allowed on {request.path}."
    if error.status == 413:
        return "The request body is too large."
    return error.text or error.reason


def _allow_header(error: web.HTTPException) -> dict[str, str] | None:
    allow = error.headers.get("Allow") if error.headers else None
    return {"Allow": allow} if allow else None
