"""A small HTTP client for driving the gateway in tests."""

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import IO, Any

import aiohttp
from multidict import CIMultiDictProxy

ADMIN = "ece30861defaultadminuser"
ADMIN_PASSWORD = "correcthorsebatterystaple123(!__+@**(A'\"`;DROP TABLE artifacts;"


@dataclass
class Reply:
    """Status, decoded body (JSON when it parses, else text) and headers."""

    status: int
    body: Any
    headers: CIMultiDictProxy[str]


class Api:
    """Requests against one gateway, with an optional default token."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        self.session = session
        self.base_url = base_url
        self.token: str | None = None

    async def call(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        data: bytes | str | IO[bytes] | None = None,
        token: str | bool | None = True,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        """Send a request; ``token=True`` uses the default token, a string uses that, None/False none."""
        sent = dict(headers or {})
        chosen = self.token if token is True else token
        if isinstance(chosen, str):
            sent["X-Authorization"] = chosen
        if json_body is not None:
            data = json.dumps(json_body)
            sent.setdefault("Content-Type", "application/json")
        async with self.session.request(method, self.base_url + path, data=data, headers=sent) as response:
            raw = await response.read()
            try:
                body: Any = json.loads(raw) if raw else None
            except (UnicodeDecodeError, json.JSONDecodeError):
                body = raw.decode("utf-8", "replace")
            return Reply(response.status, body, response.headers)

    async def login(self, user: str = ADMIN, password: str = ADMIN_PASSWORD, is_admin: bool = True) -> Reply:
        """``PUT /authenticate``."""
        body = {"user": {"name": user, "is_admin": is_admin}, "secret": {"password": password}}
        return await self.call("PUT", "/authenticate", json_body=body, token=None)

    async def admin_token(self) -> str:
        """Log in as the default admin and make that the default token."""
        reply = await self.login()
        assert reply.status == 200, reply.body
        self.token = reply.body
        return str(reply.body)

    async def register(self, artifact_type: str, url: str, name: str | None = None) -> Reply:
        """``POST /artifact/{type}``."""
        body: dict[str, str] = {"url": url}
        if name is not None:
            body["name"] = name
        return await self.call("POST", f"/artifact/{artifact_type}", json_body=body)

    async def everything(self) -> list[dict[str, Any]]:
        """Every artifact, following the pagination cursor."""
        items: list[dict[str, Any]] = []
        offset = "0"
        while True:
            reply = await self.call("POST", f"/artifacts?offset={offset}", json_body=[{"name": "*"}])
            assert reply.status == 200, reply.body
            items += reply.body
            if reply.headers.get("X-Has-More") != "true":
                return items
            offset = reply.headers["offset"]


@asynccontextmanager
async def reset_admin(base_url: str) -> AsyncIterator[Api]:
    """A client of the gateway at ``base_url``, signed in as the default admin, after ``DELETE /reset``."""
    async with aiohttp.ClientSession() as session:
        client = Api(session, base_url)
        await client.admin_token()
        reply = await client.call("DELETE", "/reset")
        assert reply.status == 200, reply.body
        yield client
