"""A small typed client of the registry's public HTTP API: one method per call, errors as ``RegistryError``."""

import json
from dataclasses import dataclass
from typing import IO, Any, TypeVar
from urllib.parse import quote

import aiohttp
import structlog
from multidict import CIMultiDictProxy
from pydantic import BaseModel, ValidationError

from contracts.health import HealthComponentCollection, HealthDashboard
from svckit.logging import REQUEST_ID_HEADER

AUTH_HEADER = "X-Authorization"
Json = Any
Body = TypeVar("Body", bound=BaseModel)

log = structlog.get_logger()


class RegistryError(Exception):
    """The registry answered an error: its status and the message of its JSON error body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


class MalformedReply(RegistryError):
    """The registry answered a success whose body is not the one its API describes: a 502, as a proxy would say, so
    the page shows the section as unavailable with this message instead of failing."""

    def __init__(self, what: str, error: ValidationError) -> None:
        first = error.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "the body"
        more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
        super().__init__(502, f"The registry's {what} could not be read: {where}: {first['msg']}{more}.")


@dataclass(frozen=True)
class Reply:
    """A successful answer: status, decoded body and headers."""

    status: int
    body: Json
    headers: CIMultiDictProxy[str]


@dataclass(frozen=True)
class Page:
    """One page of ``POST /artifacts`` and the cursor of the next."""

    items: list[dict[str, Any]]
    offset: str
    has_more: bool


@dataclass(frozen=True)
class DownloadLink:
    """Where ``GET /download/{id}`` redirects, and the sha256 of what it serves."""

    url: str
    sha256: str | None


@dataclass(frozen=True)
class LicenseVerdict:
    """The licence check's boolean and the ``X-License-Reason`` header."""

    allowed: bool
    reason: str


@dataclass(frozen=True)
class UploadSlot:
    """A presigned PUT URL and where to register the upload afterwards."""

    put_url: str
    complete_url: str


class Registry:
    """The registry's API over one ``aiohttp.ClientSession``; ``token`` is the bare token (no ``bearer``)."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        self._session = session
        self._base = base_url.rstrip("/")

    async def call(
        self,
        method: str,
        path: str,
        token: str | None = None,
        *,
        body: Json = None,
        params: dict[str, str] | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> Reply:
        """Send one request (redirects not followed); ``RegistryError`` for any 4xx/5xx."""
        headers = {"Accept": "application/json", **(extra_headers or {})}
        if token:
            headers[AUTH_HEADER] = f"bearer {token}"
        request_id = structlog.contextvars.get_contextvars().get("request_id")
        if request_id:
            headers[REQUEST_ID_HEADER] = str(request_id)
        data = None if body is None else json.dumps(body)
        if data is not None:
            headers["Content-Type"] = "application/json"
        url = self._base + path
        async with self._session.request(
            method, url, data=data, params=params, headers=headers, allow_redirects=False
        ) as response:
            raw = await response.read()
            if response.status >= 400:
                raise RegistryError(response.status, _message(raw, response.reason or "error"))
            return Reply(response.status, _decode(raw), response.headers)

    async def authenticate(self, name: str, password: str, forwarded_for: str = "") -> str:
        """``PUT /authenticate``: the bare token. ``forwarded_for`` (the browser's address chain) lets the
        registry throttle failed sign-ins per person, not per UI replica (list the UI in GATEWAY_TRUSTED_PROXIES)."""
        body = {"user": {"name": name, "is_admin": False}, "secret": {"password": password}}
        headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else None
        token = str((await self.call("PUT", "/authenticate", body=body, extra_headers=headers)).body)
        return token.split(" ", 1)[1] if token.lower().startswith("bearer ") else token

    async def list_artifacts(self, token: str, name: str, types: list[str], offset: str | None = None) -> Page:
        """``POST /artifacts`` with one query; ``offset`` is the cursor of a previous page."""
        query: dict[str, Any] = {"name": name}
        if types:
            query["types"] = types
        params = {"offset": offset} if offset else None
        reply = await self.call("POST", "/artifacts", token, body=[query], params=params)
        return Page(list(reply.body), reply.headers.get("offset", ""), reply.headers.get("X-Has-More") == "true")

    async def by_regex(self, token: str, regex: str) -> list[dict[str, Any]]:
        """``POST /artifact/byRegEx`` (404 when nothing matches)."""
        return list((await self.call("POST", "/artifact/byRegEx", token, body={"regex": regex})).body)

    async def get_artifact(self, token: str, kind: str, ident: str) -> dict[str, Any]:
        """``GET /artifacts/{type}/{id}``."""
        return dict((await self.call("GET", f"/artifacts/{kind}/{ident}", token)).body)

    async def create_artifact(self, token: str, kind: str, url: str, name: str | None) -> dict[str, Any]:
        """``POST /artifact/{type}`` {url[, name]}."""
        body = {"url": url, **({"name": name} if name else {})}
        return dict((await self.call("POST", f"/artifact/{kind}", token, body=body)).body)

    async def update_artifact(self, token: str, kind: str, ident: str, name: str, url: str) -> None:
        """``PUT /artifacts/{type}/{id}``: a new source url."""
        body = {"metadata": {"name": name, "id": ident, "type": kind}, "data": {"url": url}}
        await self.call("PUT", f"/artifacts/{kind}/{ident}", token, body=body)

    async def delete_artifact(self, token: str, kind: str, ident: str) -> None:
        """``DELETE /artifacts/{type}/{id}``."""
        await self.call("DELETE", f"/artifacts/{kind}/{ident}", token)

    async def package(self, token: str, kind: str, ident: str) -> dict[str, Any]:
        """``GET /artifacts/{type}/{id}/package``: copy state and files with sha256."""
        return dict((await self.call("GET", f"/artifacts/{kind}/{ident}/package", token)).body)

    async def download(self, token: str, ident: str, part: str) -> DownloadLink:
        """``GET /download/{id}?part=``: the presigned URL it redirects to."""
        reply = await self.call("GET", f"/download/{ident}", token, params={"part": part})
        location = reply.headers.get("Location")
        if reply.status != 302 or not location:
            raise RegistryError(502, f"The registry answered {reply.status} without a download location.")
        return DownloadLink(location, reply.headers.get("X-Content-SHA256"))

    async def rating_report(self, token: str, ident: str) -> dict[str, Any]:
        """``GET /artifact/model/{id}/rate/report``: the rating with one explanation per metric."""
        return dict((await self.call("GET", f"/artifact/model/{ident}/rate/report", token)).body)

    async def lineage(self, token: str, ident: str) -> dict[str, Any]:
        """``GET /artifact/model/{id}/lineage``."""
        return dict((await self.call("GET", f"/artifact/model/{ident}/lineage", token)).body)

    async def cost(self, token: str, kind: str, ident: str, dependency: bool) -> dict[str, dict[str, float]]:
        """``GET /artifact/{type}/{id}/cost[?dependency=true]``: id → costs in MB."""
        params = {"dependency": "true" if dependency else "false"}
        return dict((await self.call("GET", f"/artifact/{kind}/{ident}/cost", token, params=params)).body)

    async def license_check(self, token: str, ident: str, github_url: str) -> LicenseVerdict:
        """``POST /artifact/model/{id}/license-check``."""
        path = f"/artifact/model/{ident}/license-check"
        reply = await self.call("POST", path, token, body={"github_url": github_url})
        return LicenseVerdict(reply.body is True, reply.headers.get("X-License-Reason", ""))

    async def audit(self, token: str, kind: str, ident: str) -> list[dict[str, Any]]:
        """``GET /artifact/{type}/{id}/audit``."""
        return list((await self.call("GET", f"/artifact/{kind}/{ident}/audit", token)).body)

    async def begin_upload(self, token: str, kind: str, filename: str, size: int) -> UploadSlot:
        """``POST /artifact/{type}/upload`` {filename, size}."""
        request = {"filename": filename, "size": size}
        body = (await self.call("POST", f"/artifact/{kind}/upload", token, body=request)).body
        return UploadSlot(str(body["put_url"]), str(body["complete_url"]))

    async def put_upload(self, slot: UploadSlot, content: IO[bytes], size: int) -> None:
        """PUT the bytes to the presigned URL, streamed from ``content`` (``size`` bytes)."""
        headers = {"Content-Length": str(size), "Content-Type": "application/octet-stream"}
        async with self._session.put(slot.put_url, data=content, headers=headers) as response:
            if response.status >= 300:
                detail = (await response.text())[:200]
                raise RegistryError(502, f"Object storage refused the upload ({response.status}): {detail}")

    async def complete_upload(
        self, token: str, slot: UploadSlot, name: str, filename: str, card: str
    ) -> dict[str, Any]:
        """POST the slot's ``complete_url`` {name, filename, card}: the registered artifact."""
        if not slot.complete_url.startswith("/"):
            raise RegistryError(502, "The registry answered an unexpected upload completion URL.")
        body = {"name": name, "filename": filename, "card": card}
        return dict((await self.call("POST", slot.complete_url, token, body=body)).body)

    async def users(self, token: str) -> list[dict[str, Any]]:
        """``GET /users``."""
        return list((await self.call("GET", "/users", token)).body)

    async def create_user(self, token: str, name: str, password: str, is_admin: bool, permissions: list[str]) -> None:
        """``POST /users``."""
        body = {"name": name, "password": password, "is_admin": is_admin, "permissions": permissions}
        await self.call("POST", "/users", token, body=body)

    async def grant(self, token: str, name: str, permissions: list[str]) -> None:
        """``PUT /users/{name}/permissions``."""
        await self.call("PUT", f"/users/{quote(name, safe='')}/permissions", token, body={"permissions": permissions})

    async def delete_user(self, token: str, name: str) -> None:
        """``DELETE /users/{name}``."""
        await self.call("DELETE", f"/users/{quote(name, safe='')}", token)

    async def reset(self, token: str) -> None:
        """``DELETE /reset``."""
        await self.call("DELETE", "/reset", token)

    async def health_components(self, window: int) -> HealthComponentCollection:
        """``GET /health/components?windowMinutes=N&includeTimeline=true`` (public: no token is spent)."""
        params = {"windowMinutes": str(window), "includeTimeline": "true"}
        reply = await self.call("GET", "/health/components", params=params)
        return _parse(HealthComponentCollection, reply.body, "component health")

    async def health_dashboard(self, token: str, window: int) -> HealthDashboard:
        """``GET /health/dashboard?windowMinutes=N``: per-minute series, routes, ingest, ratings, logs."""
        params = {"windowMinutes": str(window)}
        reply = await self.call("GET", "/health/dashboard", token, params=params)
        return _parse(HealthDashboard, reply.body, "health dashboard")


def _parse(model: type[Body], body: Json, what: str) -> Body:
    """``body`` read as ``model``; ``MalformedReply`` when it is not one."""
    try:
        return model.model_validate(body)
    except ValidationError as error:
        malformed = MalformedReply(what, error)
        log.warning("registry_reply_malformed", detail=malformed.message)
        raise malformed from error


def _decode(raw: bytes) -> Json:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return raw.decode("utf-8", "replace")


def _message(raw: bytes, reason: str) -> str:
    body = _decode(raw)
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return str(body["message"])
    if isinstance(body, str) and body.strip():
        return body.strip()[:500]
    return reason
