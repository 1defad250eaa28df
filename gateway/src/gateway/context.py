"""Typed application state (``web.AppKey``) and accessors used by handlers and middlewares."""

from dataclasses import dataclass
from datetime import datetime

from aiohttp import web

from contracts.artifacts import Actor
from contracts.users import Permission, Principal
from gateway.activity import Activity
from gateway.leases import TokenLeases
from gateway.metrics import HttpMetrics
from gateway.settings import GatewaySettings
from gateway.throttle import LoginThrottle
from svckit.transport import Bus


@dataclass(frozen=True)
class RouteInfo:
    """What the gateway knows about a route beyond its handler."""

    permission: Permission | None
    subject: str | None  # the subject its handler sends (None: answered by the gateway itself)

    @property
    def service(self) -> str | None:
        """The service that answers the route's subject."""
        return self.subject.split(".", 1)[0] if self.subject else None


SETTINGS = web.AppKey("settings", GatewaySettings)
CLIENT = web.AppKey("client", Bus)
LEASES = web.AppKey("leases", TokenLeases)
ROUTES = web.AppKey("routes", dict[str, RouteInfo])
METRICS = web.AppKey("metrics", HttpMetrics)
ACTIVITY = web.AppKey("activity", Activity)
STARTED = web.AppKey("started", datetime)
OPENAPI = web.AppKey("openapi", bytes)
LOGINS = web.AppKey("logins", LoginThrottle)

PRINCIPAL = web.RequestKey("principal", Principal)


def client(request: web.Request) -> Bus:
    """The bus client (NATS; in-process in the fast tests)."""
    return request.app[CLIENT]


def settings(request: web.Request) -> GatewaySettings:
    """Gateway settings."""
    return request.app[SETTINGS]


def principal(request: web.Request) -> Principal:
    """The authenticated caller (set by the auth middleware)."""
    return request[PRINCIPAL]


def actor(request: web.Request) -> Actor:
    """The caller as recorded in audit trails."""
    who = principal(request)
    return Actor(name=who.name, is_admin=who.is_admin)
