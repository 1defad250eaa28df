"""The gateway's app factory: settings in, a ready ``web.Application`` out."""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import structlog
from aiohttp import web
from prometheus_client import CollectorRegistry
from pydantic import ValidationError

from contracts.subjects import AUTH_REVOKED
from contracts.users import TokensRevoked
from gateway.activity import Activity
from gateway.context import ACTIVITY, CLIENT, LEASES, LOGINS, METRICS, OPENAPI, SETTINGS, STARTED
from gateway.handlers.docs import build_document
from gateway.leases import TokenLeases
from gateway.metrics import HttpMetrics
from gateway.middlewares import authenticate, errors, observe
from gateway.routes import setup_routes
from gateway.settings import GatewaySettings
from gateway.throttle import FailureBuckets, LoginThrottle
from svckit.clock import utc_now
from svckit.connection import connect
from svckit.metrics import metrics_response
from svckit.transport import Bus, ServiceClient

log = structlog.get_logger()
BusOpener = Callable[[GatewaySettings], AbstractAsyncContextManager[Bus]]


def init_app(settings: GatewaySettings, open_bus: BusOpener | None = None) -> web.Application:
    """Build the gateway; its bus (NATS unless ``open_bus`` gives another, such as ``svckit.inprocess``) opens
    and closes with the app."""
    app = web.Application(middlewares=[observe, errors, authenticate], client_max_size=settings.max_body_bytes)
    app[SETTINGS] = settings
    app[METRICS] = HttpMetrics(CollectorRegistry())
    app[ACTIVITY] = Activity()
    app[STARTED] = utc_now()
    app[OPENAPI] = build_document()
    app[LOGINS] = LoginThrottle(
        names=FailureBuckets(settings.login_failures_per_name, settings.login_failure_refill_seconds),
        addresses=FailureBuckets(settings.login_failures_per_address, settings.login_failure_refill_seconds),
    )
    setup_routes(app)
    app.router.add_get("/metrics", _metrics, name="GatewayMetrics")
    app.cleanup_ctx.append(_bus(open_bus or nats_bus))
    return app


@asynccontextmanager
async def nats_bus(settings: GatewaySettings) -> AsyncIterator[Bus]:
    """The gateway's NATS connection as a bus client, drained when the app stops."""
    nc = await connect(settings.nats_url, name="gateway", auth=settings.bus_auth())
    try:
        yield ServiceClient(nc, default_timeout=settings.service_timeout)
    finally:
        await nc.drain()


def _bus(open_bus: BusOpener) -> Callable[[web.Application], AsyncIterator[None]]:
    """The app's cleanup context: the bus opened with the app, token leases over it, revocation events heard."""

    async def bus_context(app: web.Application) -> AsyncIterator[None]:
        settings = app[SETTINGS]
        async with open_bus(settings) as client:
            leases = TokenLeases(client, revocation_bound=settings.revocation_seconds)

            async def on_revoked(data: bytes) -> None:
                try:
                    event = TokensRevoked.model_validate_json(data)
                except ValidationError:
                    log.warning("revocation_event_unreadable")
                    leases.watch.lapse()
                    return
                leases.revoked(event.revocation)

            if settings.revocation_events:
                await client.subscribe(AUTH_REVOKED, on_revoked)
            else:
                log.warning("revocation_events_ignored", bound_seconds=settings.revocation_seconds)
            app[CLIENT] = client
            app[LEASES] = leases
            yield
            await leases.close()

    return bus_context


async def _metrics(request: web.Request) -> web.Response:
    return metrics_response(request.app[METRICS].registry)
