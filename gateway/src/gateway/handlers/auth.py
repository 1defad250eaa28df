"""``PUT /authenticate``."""

import asyncio

import structlog
from aiohttp import web

from contracts import subjects
from contracts.errors import ErrorCode, ServiceFailure
from contracts.users import IssuedToken, Login
from gateway.codec import client_address, json_response, read_body
from gateway.context import LOGINS, client, settings
from gateway.schemas import AuthenticationIn
from gateway.throttle import Attempt

log = structlog.get_logger()


async def create_auth_token(request: web.Request) -> web.Response:
    """Exchange credentials for a token, returned as the JSON string ``"bearer <token>"``; 429 with
    Retry-After after too many failed sign-ins for the name or from the client's address."""
    body = await read_body(request, AuthenticationIn)
    config = settings(request)
    name, address = body.user.name, client_address(request, config.trusted_proxies)
    login = Login(username=name, password=body.secret.password)
    try:
        async with asyncio.timeout(config.login_timeout), request.app[LOGINS].attempt(name, address) as attempt:
            issued = await _check(request, login, attempt, config.login_timeout)
    except TimeoutError as error:
        raise ServiceFailure(
            ErrorCode.TIMEOUT, f"Signing in did not finish within {config.login_timeout:g} seconds."
        ) from error
    return json_response(issued.token)


async def _check(request: web.Request, login: Login, attempt: Attempt, timeout: float) -> IssuedToken:
    """Ask catalog-svc, and tell the throttle how it went."""
    try:
        issued = await client(request).call(subjects.AUTH_LOGIN, login, IssuedToken, timeout=timeout)
    except ServiceFailure as failure:
        if failure.code is ErrorCode.UNAUTHORIZED:
            log.info("sign_in_failed", user=login.username, client=attempt.address)
            attempt.failed()
        raise
    attempt.succeeded()
    return issued
