"""The home redirect, the liveness probe and Prometheus metrics."""

from aiohttp import web

from svckit.metrics import metrics_response
from ui.context import METRICS
from ui.pages import redirect


async def home(_: web.Request) -> web.Response:
    """``GET /``: the artifact list."""
    return redirect("/artifacts")


async def healthz(_: web.Request) -> web.Response:
    """Liveness: 200 whenever the UI answers."""
    return web.json_response({"status": "ok"})


async def metrics(request: web.Request) -> web.Response:
    """Prometheus text exposition of the UI's metrics."""
    return metrics_response(request.app[METRICS].registry)
