"""Application factory: one aiohttp app serving the Hub under ``/hf`` and GitHub under ``/gh``."""

from __future__ import annotations

import asyncio
import pathlib
from collections import deque

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from tests.mirror.github import RateLimits
from tests.mirror.github_lists import CODELOAD_PREFIX, build_github_app
from tests.mirror.hf import build_cdn_app, build_hf_app
from tests.mirror.hf_files import CDN_PREFIX
from tests.mirror.store import Store
from tests.mirror.tarball import build_codeload_app

HF_PREFIX = "/hf"
GH_PREFIX = "/gh"
STORE_KEY = web.AppKey("mirror_store", Store)


def _delayed(latency: float) -> Middleware:
    @web.middleware
    async def delay(request: web.Request, handler: Handler) -> web.StreamResponse:
        await asyncio.sleep(latency)
        return await handler(request)

    return delay


async def _health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


REQUEST_LOG_SIZE = 10_000
REQUEST_LOG_KEY: web.AppKey[deque[str]] = web.AppKey("request_log")


def _logged(seen: deque[str]) -> Middleware:
    """Record ``METHOD path?query`` of every request (the mirror's own ``/_mirror/`` and ``/healthz`` excepted)."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(("/_mirror/", "/healthz")):
            seen.append(f"{request.method} {request.raw_path}")
        return await handler(request)

    return middleware


async def _requests(request: web.Request) -> web.Response:
    """``GET /_mirror/requests``: the requests the mirror received, oldest first (tests prove what was fetched)."""
    seen: deque[str] = request.app[REQUEST_LOG_KEY]
    return web.json_response(list(seen))


def build_app(
    fixtures_root: pathlib.Path,
    *,
    github_anonymous_limit: int = 60,
    github_token_limit: int = 5000,
    latency: float = 0.0,
) -> web.Application:
    """Build the mirror application.

    Mounts: ``/hf`` (huggingface.co), ``/hf-cdn`` (the LFS CDN the Hub redirects to), ``/gh``
    (api.github.com), ``/codeload`` (codeload.github.com) and ``/healthz``. The GitHub ``core``
    rate limits default to the real ones (60 anonymous, 5000 per token per hour). ``latency`` seconds are
    waited before each answer, standing for the network round trip to the real services (benchmarks).
    """
    store = Store(fixtures_root)
    seen: deque[str] = deque(maxlen=REQUEST_LOG_SIZE)
    app = web.Application(middlewares=[_logged(seen), *([_delayed(latency)] if latency > 0 else [])])
    app[STORE_KEY] = store
    app[REQUEST_LOG_KEY] = seen
    app.router.add_get("/healthz", _health)
    app.router.add_get("/_mirror/requests", _requests)
    app.add_subapp(HF_PREFIX, build_hf_app(store, HF_PREFIX))
    app.add_subapp(CDN_PREFIX, build_cdn_app(store))
    limits = RateLimits(anonymous=github_anonymous_limit, authenticated=github_token_limit)
    app.add_subapp(GH_PREFIX, build_github_app(store, GH_PREFIX, limits))
    app.add_subapp(CODELOAD_PREFIX, build_codeload_app(store))
    return app
