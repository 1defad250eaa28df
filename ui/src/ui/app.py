"""The UI's app factory: settings in, a ready ``web.Application`` out."""

import secrets
from collections.abc import AsyncIterator

import aiohttp
import aiohttp_jinja2
import jinja2
from aiohttp import web
from prometheus_client import CollectorRegistry

from ui.context import CSRF_KEY, METRICS, REGISTRY, SETTINGS
from ui.formatting import FILTERS
from ui.metrics import UiMetrics
from ui.middlewares import errors, observe, session
from ui.registry import Registry
from ui.routes import setup_routes
from ui.settings import UiSettings


def init_app(settings: UiSettings) -> web.Application:
    """Build the UI; its HTTP client session to the registry opens and closes with the app."""
    app = web.Application(middlewares=[observe, errors, session])
    app[SETTINGS] = settings
    app[METRICS] = UiMetrics(CollectorRegistry())
    app[CSRF_KEY] = settings.csrf_key.get_secret_value().encode() if settings.csrf_key else secrets.token_bytes(32)
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.PackageLoader("ui", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        default_helpers=False,
    )
    env.filters.update(FILTERS)
    setup_routes(app)
    app.cleanup_ctx.append(_registry_client)
    return app


async def _registry_client(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=10, sock_read=settings.registry_timeout)
    async with aiohttp.ClientSession(timeout=timeout) as client:
        app[REGISTRY] = Registry(client, settings.registry_url)
        yield
