"""Typed application and request state, and accessors for the handlers."""

from aiohttp import web

from ui.metrics import UiMetrics
from ui.registry import Registry
from ui.settings import UiSettings

SETTINGS = web.AppKey("ui_settings", UiSettings)
REGISTRY = web.AppKey("ui_registry", Registry)
METRICS = web.AppKey("ui_metrics", UiMetrics)
CSRF_KEY = web.AppKey("ui_csrf_key", bytes)

TOKEN = web.RequestKey("ui_token", str)
FLASH = web.RequestKey("ui_flash", str)
PRESESSION = web.RequestKey("ui_presession", str)


def registry(request: web.Request) -> Registry:
    """The registry API client of this process."""
    return request.app[REGISTRY]


def token(request: web.Request) -> str:
    """The signed-in user's registry token (the session middleware guarantees one on non-public routes)."""
    return request[TOKEN]


def settings(request: web.Request) -> UiSettings:
    """This process's settings."""
    return request.app[SETTINGS]
