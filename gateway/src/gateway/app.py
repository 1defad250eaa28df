"""The gateway's app factory: settings in, a ready ``web.Application`` out."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import structlog
from aiohttp import web
from nats.aio.msg import Msg
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
from svckit.metrics import metrics_response
from svckit.transport import ServiceClient, connect

log = structlog.get_logger()


def init_app(settings: GatewaySettings) -> web.Application:
    """Build the gateway; the NATS connection opens and closes with the app."""
    app = web.Application(middlewares=[observe, errors, authenticate], client_max_size=settings.max_body_bytes)
    app[SETTINGS] = settings
    app[METRICS] = HttpMetrics(CollectorRegistry())
    app[ACTIVITY] = Activity()
    app[STARTED] = datetime.now(UTC)
    app[OPENAPI] = build_document()
    app[LOGINS] = LoginThrottle(
        names=FailureBuckets(settings.login_failures_per_name, settings.login_failure_refill_seconds),
        addresses=FailureBuckets(settings.login_failures_per_address, settings.login_failure_refill_seconds),
    )
    setup_routes(app)
    app.router.add_get("/metrics", _metrics, name="GatewayMetrics")
    app.cleanup_ctx.append(_nats)
    return app


async def _nats(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    nc = await connect(settings.nats_url, name="gateway", auth=settings.bus_auth())
    client = ServiceClient(nc, default_timeout=settings.service_timeout)
    leases = TokenLeases(client, revocation_bound=settings.revocation_seconds)

    async def on_revoked(msg: Msg) -> None:
        try:
            event = TokensRevoked.model_validate_json(msg.data)
        except ValidationError:
            log.warning("revocation_event_unreadable")
            leases.watch.lapse()
            return
        leases.revoked(event.revocation)

    if settings.revocation_events:
        await nc.subscribe(AUTH_REVOKED, cb=on_revoked)
    else:
        log.warning("revocation_events_ignored", bound_seconds=settings.revocation_seconds)
    app[CLIENT] = client
    app[LEASES] = leases
    yield
    await leases.close()
    await nc.drain()


async def _metrics(request: web.Request) -> web.Response:
    return metrics_response(request.app[METRICS].registry)
