"""HTTP helpers shared by the Hugging Face and GitHub emulations (ranges, bodies, ids)."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import time
from collections.abc import Mapping
from typing import Any

from aiohttp import web

CHUNK = 256 * 1024
_PATTERN_LEN = 64 * 1024
_RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")


def json_bytes(data: Any) -> bytes:
    """Serialise like the upstream services do: compact JSON, UTF-8."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


def json_response(
    data: Any, *, status: int = 200, headers: Mapping[str, str] | None = None, pretty: bool = False
) -> web.Response:
    """JSON response with ``application/json; charset=utf-8`` as both upstreams send it."""
    body = (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode() if pretty else json_bytes(data)
    resp = web.Response(body=body, status=status, headers=dict(headers or {}))
    resp.content_type = "application/json"
    resp.charset = "utf-8"
    return resp


def weak_etag(body: bytes) -> str:
    """Weak validator in the ``W/"<hash>"`` form both upstreams use for API bodies."""
    return 'W/"' + hashlib.sha1(body, usedforsecurity=False).hexdigest() + '"'


def hf_request_id() -> str:
    """An ``X-Request-Id`` shaped like the Hub's (``Root=1-<time>-<24 hex>``)."""
    return f"Root=1-{int(time.time()):08x}-{secrets.token_hex(12)}"


def parse_range(header: str | None, size: int) -> tuple[int, int] | bool | None:
    """Parse a single ``Range: bytes=a-b`` header.

    Returns ``None`` when no (usable) range was asked for, ``(start, end)`` inclusive for a
    satisfiable range, or ``False`` when the range cannot be satisfied (answer 416).
    Multi-range requests are answered with the whole body, as a server may do (RFC 9110 14.2).
    """
    if not header:
        return None
    match = _RANGE_RE.match(header.strip())
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # suffix range: the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            return False
        return max(size - length, 0), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if start >= size or (last and end < start):
        return False
    return start, min(end, size - 1)


def _altered(chunk: bytes) -> bytes:
    """``chunk`` with its first byte changed."""
    return bytes([chunk[0] ^ 0xFF]) + chunk[1:] if chunk else chunk


def filler_pattern(seed: str) -> bytes:
    """Deterministic 64 KiB pattern that stands in for bytes the fixtures do not keep."""
    return hashlib.shake_256(f"mirror-filler:{seed}".encode()).digest(_PATTERN_LEN)


def filler_bytes(pattern: bytes, start: int, end: int) -> bytes:
    """Bytes ``start..end`` (inclusive) of the infinite repetition of ``pattern``."""
    length = end - start + 1
    offset = start % len(pattern)
    reps = (offset + length) // len(pattern) + 1
    return (pattern * reps)[offset : offset + length]


async def send_bytes(
    request: web.Request,
    *,
    headers: dict[str, str],
    size: int,
    content: bytes | None,
    seed: str,
    wrong: str | None = None,
) -> web.StreamResponse:
    """Answer GET/HEAD for a file of ``size`` bytes, honouring ``Range``.

    ``content`` holds the recorded bytes; when it is ``None`` the body is the deterministic filler
    derived from ``seed`` (the only synthetic data the mirror serves), streamed in chunks. ``wrong`` serves
    the file faulty: ``"short"`` (its first half, with a matching Content-Length), ``"altered"`` (first byte
    changed).
    """
    if wrong == "short":
        size //= 2
        content = content[:size] if content is not None else None
    headers = dict(headers)
    headers["Accept-Ranges"] = "bytes"
    wanted = parse_range(request.headers.get("Range"), size)
    status = 200
    start, end = 0, size - 1
    if wanted is False:
        headers["Content-Range"] = f"bytes */{size}"
        return web.Response(status=416, headers=headers)
    if isinstance(wanted, tuple):
        start, end = wanted
        status = 206
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    length = max(end - start + 1, 0)
    headers["Content-Length"] = str(length)
    resp = web.StreamResponse(status=status, headers=headers)
    if request.method == "HEAD":
        resp.content_length = length
        await resp.prepare(request)
        return resp
    await resp.prepare(request)
    if content is not None:
        body = content[start : end + 1]
        await resp.write(_altered(body) if wrong == "altered" and start == 0 else body)
    else:
        pattern = filler_pattern(seed)
        pos = start
        while pos <= end:
            stop = min(pos + CHUNK, end + 1)
            chunk = filler_bytes(pattern, pos, stop - 1)
            await resp.write(_altered(chunk) if wrong == "altered" and pos == 0 else chunk)
            pos = stop
    await resp.write_eof()
    return resp
