"""``PUT /authenticate``."""

from aiohttp import web

from contracts import subjects
from contracts.users import IssuedToken, Login
from gateway.context import client
from gateway.http import json_response, read_body
from gateway.schemas import AuthenticationIn


async def authenticate(request: web.Request) -> web.Response:
    """Exchange credentials for a token, returned as the JSON string ``"bearer <token>"``."""
    body = await read_body(request, AuthenticationIn)
    issued = await client(request).call(
        subjects.AUTH_LOGIN, Login(username=body.user.name, password=body.secret.password), IssuedToken
    )
    return json_response(issued.token)
