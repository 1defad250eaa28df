"""storage-svc's HTTP byte endpoint: ``GET|HEAD /bytes/{artifact_id}/{part}?g=&exp=&sig=[&path=]``.

It serves what ``package_download`` signs when S3 alone cannot (``stream_package``): it checks the link, then streams.
The response announces the length (when the upstream states it) and ``X-Content-SHA256`` (when known); it ignores
``Range`` (``Accept-Ranges: none``, as HTTP allows): single stored files, the ones clients resume, are served by S3.
A stream that fails half-way (the upstream's bytes turn out wrong, the upstream or S3 drops) is cut, never finished,
so the client sees an incomplete download.
"""

import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from aiohttp import web

from contracts.errors import ErrorCode, ServiceFailure
from contracts.storage import Part
from storage.deps import Deps
from storage.domain.links import LinkTarget, valid
from storage.usecases.stream_package import ByteStream, stream_package

DEPS = web.AppKey("deps", Deps)
log = structlog.get_logger()


def _failure(status: int, message: str) -> web.Response:
    return web.json_response({"status": status, "message": message}, status=status)


def _target(request: web.Request) -> LinkTarget:
    query = request.rel_url.query
    try:
        part = Part(request.match_info["part"]).value
        return LinkTarget(
            artifact_id=request.match_info["artifact_id"], part=part, generation=int(query["g"]),
            expires=int(query["exp"]), path=query.get("path", ""),
        )  # fmt: skip
    except (KeyError, ValueError) as error:
        raise ServiceFailure(ErrorCode.BAD_REQUEST, "This download link is malformed.") from error


async def serve_bytes(request: web.Request) -> web.StreamResponse:
    """Check the link, then stream what it names."""
    deps = request.app[DEPS]
    try:
        target = _target(request)
        why = valid(target, request.rel_url.query.get("sig", ""), deps.policy.link_key, time.time())
        if why:
            raise ServiceFailure(ErrorCode.FORBIDDEN, why)
        stream = await stream_package(target, deps)
    except ServiceFailure as failure:
        return _failure(int(failure.code), failure.message)
    response = web.StreamResponse(headers=_headers(stream))
    if stream.size is not None:
        response.content_length = stream.size
    if request.method == "HEAD":
        await stream.chunks.aclose()
        await response.prepare(request)
        return response
    await response.prepare(request)
    sent = 0
    try:
        async for chunk in stream.chunks:
            await response.write(chunk)
            sent += len(chunk)
    except Exception as error:
        log.warning("stream_cut", path=request.path, sent=sent, error=type(error).__name__, detail=str(error))
        if request.transport is not None:
            request.transport.close()
        raise
    await response.write_eof()
    log.info("stream_served", path=request.path, bytes=sent)
    return response


def _headers(stream: ByteStream) -> dict[str, str]:
    tar = stream.filename.endswith(".tar")
    headers = {
        "Content-Type": "application/x-tar" if tar else "application/octet-stream",
        "Content-Disposition": f'attachment; filename="{stream.filename}"',
        "Cache-Control": "no-store",
        "Accept-Ranges": "none",
    }
    if stream.sha256:
        headers["X-Content-SHA256"] = stream.sha256
    return headers


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening socket for the byte endpoint (bound before the service is wired, so its URL is known)."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


@asynccontextmanager
async def serve_byte_endpoint(sock: socket.socket, deps: Deps) -> AsyncIterator[None]:
    """Serve ``/bytes/...`` on ``sock`` until the context exits."""
    app = web.Application()
    app[DEPS] = deps
    app.router.add_get("/bytes/{artifact_id}/{part}", serve_bytes)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    log.info("byte_endpoint_listening", address=sock.getsockname()[:2])
    try:
        yield
    finally:
        await runner.cleanup()
