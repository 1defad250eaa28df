"""Composition root of webhook-svc: the one place that wires real adapters to the use cases."""

import asyncio
from contextlib import AsyncExitStack

import structlog
from prometheus_client import CollectorRegistry

from contracts.subjects import WEBHOOKS
from contracts.webhooks import RegistryEvent
from svckit.connection import connect
from svckit.host import host_endpoints
from svckit.reply_ledger import ReplyLedger
from webhooks.adapters.engine import open_webhook_engine
from webhooks.adapters.sender import HttpSender, open_session
from webhooks.adapters.store import SqlWebhookStore
from webhooks.adapters.stream import EventStream
from webhooks.adapters.tables import replies
from webhooks.adapters.targets import ResolvingTargets
from webhooks.deps import Deps
from webhooks.domain.retry import RetryPolicy
from webhooks.domain.targets import parse_allowed
from webhooks.endpoints import webhook_endpoints
from webhooks.settings import WebhookSettings
from webhooks.usecases.deliver_due import deliver_forever
from webhooks.usecases.record_event import record_event

VERSION = "0.1.0"

log = structlog.get_logger()


def policy_of(settings: WebhookSettings) -> RetryPolicy:
    """The retry policy the settings describe."""
    return RetryPolicy(
        base_seconds=settings.webhook_retry_base_seconds,
        max_seconds=settings.webhook_retry_max_seconds,
        max_attempts=settings.webhook_max_attempts,
        disable_after=settings.webhook_disable_after,
    )


async def run_webhooks(settings: WebhookSettings, stop: asyncio.Event) -> None:
    """Answer the subscription subjects, record events and deliver them until ``stop`` is set."""
    allowed = parse_allowed(settings.webhook_allow_private_networks)
    async with AsyncExitStack() as stack:
        engine = await stack.enter_async_context(open_webhook_engine(settings.database_url()))
        session = await stack.enter_async_context(open_session(allowed, settings.webhook_timeout_seconds))
        nc = await connect(settings.nats_url, name=WEBHOOKS, auth=settings.bus_auth())
        stack.push_async_callback(nc.drain)
        events = EventStream(nc, replicas=settings.webhook_stream_replicas)
        await events.setup()
        registry = CollectorRegistry()
        deps = Deps(
            store=SqlWebhookStore(engine),
            targets=ResolvingTargets(allowed),
            sender=HttpSender(session, allowed, registry),
            policy=policy_of(settings),
        )
        await host_endpoints(
            stack,
            nc,
            settings,
            name=WEBHOOKS,
            version=VERSION,
            description="Subscriptions to registry events, delivered as signed Standard Webhooks with retries.",
            endpoints=webhook_endpoints(deps),
            registry=registry,
            ledger=ReplyLedger(engine, replies),
        )

        async def handle(event: RegistryEvent, sequence: int, waited: float) -> bool:
            return await record_event(event, sequence, waited, deps, settings.webhook_owner_wait_seconds)

        log.info("webhooks_ready", database=engine.dialect.name, allowed=[str(n) for n in allowed])
        delivering = asyncio.create_task(
            deliver_forever(deps, settings.webhook_claim_seconds, settings.webhook_poll_seconds, stop)
        )
        try:
            await events.consume(handle, stop)
        finally:
            if not stop.is_set():  # the consumer failed: stop delivering too, and let the runner restart us
                delivering.cancel()
            await asyncio.gather(delivering, return_exceptions=True)
