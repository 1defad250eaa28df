"""``RegistryClient`` (sync) and ``AsyncRegistryClient``: they send what ``ops`` describes, nothing more."""

import os
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx

from registry_client import ops
from registry_client.errors import RegistryError, from_transport

T = TypeVar("T")
DEFAULT_URL = "http://127.0.0.1:8080"
TIMEOUT = httpx.Timeout(120.0, connect=10.0)  # an ingest may wait for upstream look-ups and a rating


def registry_url(url: str | None = None) -> str:
    """``url``, else ``REGISTRY_URL``, else the local registry ``make run`` starts."""
    return (url or os.environ.get("REGISTRY_URL") or DEFAULT_URL).rstrip("/")


class _Base:
    def __init__(self, url: str | None, token: str | None) -> None:
        self.url = registry_url(url)
        self.token = token
        self.calls = 0
        """Authenticated calls sent (each spends one of the token's uses)."""

    def _count(self, op: ops.Op[Any]) -> None:
        if op.authenticated and self.token:
            self.calls += 1


class RegistryClient(_Base):
    """A synchronous client: ``client.send(ops.rate(id))``, ``client.run(ops.list_all(...))``."""

    def __init__(self, url: str | None = None, token: str | None = None, http: httpx.Client | None = None) -> None:
        super().__init__(url, token)
        self.http = http or httpx.Client(base_url=self.url, timeout=TIMEOUT)

    def send(self, op: ops.Op[T]) -> T:
        """Send one operation; its parsed answer, or ``RegistryError``."""
        request = op.request(self.http, self.token)
        self._count(op)
        try:
            response = self.http.send(request)
        except httpx.HTTPError as error:
            raise from_transport(error, request) from error
        return op.finish(response)

    def run(self, flow: ops.Flow[T]) -> T:
        """Run a flow of several operations to its result."""
        try:
            op = next(flow)
            while True:
                try:
                    answer = self.send(op)
                except RegistryError as error:
                    op = flow.throw(error)
                    continue
                op = flow.send(answer)
        except StopIteration as stop:
            result: T = stop.value
            return result

    def login(self, user: str, password: str, is_admin: bool = False) -> str:
        """Authenticate; the token is kept for the following calls and returned."""
        self.token = self.send(ops.authenticate(user, password, is_admin))
        return self.token

    def close(self) -> None:
        """Close the connections."""
        self.http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()


class AsyncRegistryClient(_Base):
    """The asyncio client: ``await client.send(ops.rate(id))``, ``await client.run(ops.list_all(...))``."""

    def __init__(self, url: str | None = None, token: str | None = None, http: httpx.AsyncClient | None = None) -> None:
        super().__init__(url, token)
        self.http = http or httpx.AsyncClient(base_url=self.url, timeout=TIMEOUT)

    async def send(self, op: ops.Op[T]) -> T:
        """Send one operation; its parsed answer, or ``RegistryError``."""
        request = op.request(self.http, self.token)
        self._count(op)
        try:
            response = await self.http.send(request)
        except httpx.HTTPError as error:
            raise from_transport(error, request) from error
        return op.finish(response)

    async def run(self, flow: ops.Flow[T]) -> T:
        """Run a flow of several operations to its result."""
        try:
            op = next(flow)
            while True:
                try:
                    answer = await self.send(op)
                except RegistryError as error:
                    op = flow.throw(error)
                    continue
                op = flow.send(answer)
        except StopIteration as stop:
            result: T = stop.value
            return result

    async def login(self, user: str, password: str, is_admin: bool = False) -> str:
        """Authenticate; the token is kept for the following calls and returned."""
        self.token = await self.send(ops.authenticate(user, password, is_admin))
        return self.token

    async def aclose(self) -> None:
        """Close the connections."""
        await self.http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        await self.aclose()
