"""A real webhook receiver for tests: an aiohttp server on a loopback port that verifies every delivery's
Standard Webhooks signature with the ``standardwebhooks`` package and records what it was sent."""

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from standardwebhooks import Webhook


def free_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Received:
    """One verified delivery."""

    path: str
    webhook_id: str
    body: dict[str, Any]


@dataclass
class Receiver:
    """Answers ``status`` to every delivery; ``secrets`` maps a URL path to the secret its deliveries are signed
    with (an unsigned or wrongly signed delivery is answered 400 and counted in ``rejected``)."""

    port: int
    status: int = 204
    secrets: dict[str, str] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    calls: int = 0

    def url(self, path: str) -> str:
        """The URL of ``path`` on this receiver."""
        return f"http://127.0.0.1:{self.port}{path}"

    async def handle(self, request: web.Request) -> web.Response:
        """Verify and record one delivery."""
        self.calls += 1
        raw = await request.read()
        try:
            body = Webhook(self.secrets[request.path]).verify(raw, dict(request.headers))
        except Exception as error:  # the test fails on any rejected delivery
            self.rejected.append(f"{request.path}: {error!r}")
            return web.Response(status=400)
        if 200 <= self.status < 300:
            self.received.append(Received(request.path, request.headers["webhook-id"], body))
        return web.Response(status=self.status)

    def events(self, path: str) -> list[tuple[str, str]]:
        """(type, artifact id) of each delivery recorded on ``path``."""
        return [(r.body["type"], r.body["data"]["id"]) for r in self.received if r.path == path]

    async def wait_for(self, path: str, expected: set[tuple[str, str]], timeout: float = 60.0) -> None:
        """Until every expected (type, artifact id) arrived on ``path``."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not expected <= set(self.events(path)):
            assert asyncio.get_running_loop().time() < deadline, (expected, self.events(path), self.rejected)
            await asyncio.sleep(0.1)


@asynccontextmanager
async def listening(receiver: Receiver) -> AsyncIterator[Receiver]:
    """Serve ``receiver`` on its port until the block ends."""
    app = web.Application()
    app.router.add_post("/{tail:.*}", receiver.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", receiver.port)
    await site.start()
    try:
        yield receiver
    finally:
        await runner.cleanup()
