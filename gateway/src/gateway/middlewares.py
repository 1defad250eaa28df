"""Middlewares: request id and logging context, metrics, errors as JSON, token checks."""

import os
import time
from collections.abc import Awaitable, Callable

import structlog
from aiohttp import web
from pydantic import ValidationError

from contracts.errors import ErrorCode, ServiceFailure
from gateway.activity import Event
from gateway.context import ACTIVITY, LEASES, METRICS, PRINCIPAL, ROUTES
from gateway.failures import public_message
from gateway.throttle import Throttled
from svckit.logging import REQUEST_ID_HEADER
from svckit.validation import describe

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
AUTH_HEADER = "X-Authorization"
SLOW_SECONDS = 1.0  # a request slower than this is logged at info, as is a refused one (metrics count all)
CLIENT_GONE = 499  # the client closed the connection before the answer (nginx's convention)

log = structlog.get_logger()


def route_name(request: web.Request) -> str:
    """The route's name (its spec operation), or ``unmatched``."""
    route = request.match_info.route
    return route.name or "unmatched"


@web.middleware
async def observe(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Bind a request id, then count and time the request once the error middleware has answered.

    Every request is counted and timed in the metrics; the log gets a line at info only for a refused (4xx,
    5xx) or slow request, and at debug for the others: a line per request at 64 clients would cost more than
    answering it."""
    request_id = request.headers.get(REQUEST_ID_HEADER) or os.urandom(16).hex()
    structlog.contextvars.bind_contextvars(request_id=request_id)
    metrics = request.app[METRICS]
    started = time.perf_counter()
    status = 500
    metrics.in_flight.inc()
    try:
        response = await handler(request)
        status = response.status
        response.headers[REQUEST_ID_HEADER] = request_id
        return response
    except ConnectionResetError:
        status = CLIENT_GONE
        log.info("client_disconnected", method=request.method, path=request.path)
        raise
    finally:
        metrics.in_flight.dec()
        elapsed = time.perf_counter() - started
        name = route_name(request)
        metrics.observe(name, request.method, status, elapsed)
        info = request.app[ROUTES].get(name)
        request.app[ACTIVITY].record(
            Event(
                route=name,
                status=status,
                seconds=elapsed,
                client=request.remote or "unknown",
                service=info.service if info else None,
                artifact_type=request.match_info.get("artifact_type"),
            )
        )
        (log.info if status >= 400 or elapsed >= SLOW_SECONDS else log.debug)(
            "http_request", method=request.method, path=request.path, status=status, seconds=round(elapsed, 6)
        )
        structlog.contextvars.unbind_contextvars("request_id")


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
        return await handler(request)
    finally:
        structlog.contextvars.unbind_contextvars("user")


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
