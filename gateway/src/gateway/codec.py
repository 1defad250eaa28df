"""Request decoding and response encoding shared by the handlers."""

import functools
import ipaddress
import json
from collections.abc import Sequence
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, TypeAdapter, ValidationError

from contracts.artifacts import ARTIFACT_ID_PATTERN, ArtifactType
from contracts.base import Contract
from contracts.errors import ErrorCode, ServiceFailure
from svckit.validation import describe

B = TypeVar("B", bound=BaseModel)
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")


def bad_request(message: str) -> ServiceFailure:
    """A 400 failure with ``message``."""
    return ServiceFailure(ErrorCode.BAD_REQUEST, message)


async def read_json(request: web.Request) -> Any:
    """The request body as JSON; 400 when it is missing or malformed."""
    if not request.can_read_body:
        raise bad_request("A JSON request body is required.")
    raw = await request.read()
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise bad_request(f"The request body is not valid JSON: {error}.") from error


async def read_body(request: web.Request, model: type[B]) -> B:
    """The request body validated against ``model``; 400 naming the offending fields."""
    data = await read_json(request)
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise bad_request(describe(error, "request body")) from error


def artifact_type(request: web.Request) -> ArtifactType:
    """The ``artifact_type`` path parameter; 400 unless model, dataset or code."""
    raw = request.match_info["artifact_type"]
    try:
        return ArtifactType(raw)
    except ValueError as error:
        raise bad_request(f"artifact_type must be one of model, dataset, code (got {raw!r}).") from error


def artifact_id(request: web.Request) -> str:
    """The ``id`` path parameter; 400 unless it matches the spec's pattern."""
    raw = request.match_info["id"]
    if not raw or len(raw) > 64 or not set(raw) <= _ID_CHARS:
        raise bad_request(f"id must match {ARTIFACT_ID_PATTERN} and be at most 64 characters.")
    return raw


def client_address(request: web.Request, trusted_proxies: Sequence[IPNetwork]) -> str:
    """The client's address: the peer, unless it is a trusted proxy; then the last address in
    ``X-Forwarded-For`` that is not one (a client can prepend anything, but not what our proxies append)."""
    peer = request.remote or "unknown"
    if not _trusted(peer, trusted_proxies):
        return peer
    hops = [hop.strip() for value in request.headers.getall("X-Forwarded-For", []) for hop in value.split(",")]
    for hop in reversed([h for h in hops if h]):
        if not _trusted(hop, trusted_proxies):
            return hop
    return peer


def _trusted(address: str, trusted_proxies: Sequence[IPNetwork]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted_proxies)


def json_response(payload: Contract | list[Any] | dict[str, Any] | str | bool, status: int = 200) -> web.Response:
    """Encode a contract (or plain JSON value) as the response body."""
    if isinstance(payload, BaseModel):
        body = payload.model_dump_json(exclude_none=True)
    else:
        body = json.dumps(payload)
    return web.Response(text=body, status=status, content_type="application/json")


def models_json(items: Sequence[BaseModel]) -> web.Response:
    """A JSON array of contract models (all of one type), encoded in one call rather than one per item."""
    body = _list_adapter(type(items[0])).dump_json(list(items), exclude_none=True) if items else b"[]"
    return web.Response(body=body, content_type="application/json")


@functools.cache
def _list_adapter(model: type[BaseModel]) -> TypeAdapter[list[Any]]:
    return TypeAdapter(list[model])  # type: ignore[valid-type]
