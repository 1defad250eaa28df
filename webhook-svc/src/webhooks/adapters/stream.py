"""Registry events on the ``REGISTRY_EVENTS`` JetStream stream, read by every webhook-svc replica through one
durable consumer: each event goes to one replica, which acknowledges it once its deliveries are recorded."""

import asyncio
from collections.abc import Awaitable, Callable

import structlog
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.errors import Error as NatsError
from nats.js.api import ConsumerConfig, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import BadRequestError, NotFoundError
from pydantic import ValidationError

from contracts.subjects import EVENTS_STREAM
from contracts.webhooks import RegistryEvent

DURABLE = "webhooks"
SUBJECTS = "events.>"
RETRY_DELAY = 1.0
MAX_AGE_SECONDS = 7 * 24 * 3600

# Records one event; False asks for it again later (its artifact's owner is not known yet).
Handler = Callable[[RegistryEvent, int, float], Awaitable[bool]]

log = structlog.get_logger()


class EventStream:
    """Creates the stream and consumes it."""

    def __init__(self, nc: NATS, *, replicas: int = 1, ack_wait: float = 30.0) -> None:
        self._js = nc.jetstream()
        self._replicas = replicas
        self._ack_wait = ack_wait

    async def setup(self) -> None:
        """Create (or update) the stream; idempotent across replicas."""
        config = StreamConfig(
            name=EVENTS_STREAM,
            subjects=[SUBJECTS],
            retention=RetentionPolicy.WORK_QUEUE,
            storage=StorageType.FILE,
            num_replicas=self._replicas,
            max_age=MAX_AGE_SECONDS,
        )
        try:
            await self._js.add_stream(config)
        except BadRequestError:
            await self._js.update_stream(config)

    async def purge(self) -> None:
        """Drop every event not yet recorded."""
        try:
            await self._js.purge_stream(EVENTS_STREAM)
        except NotFoundError:
            return

    async def consume(self, handle: Handler, stop: asyncio.Event) -> None:
        """Record events until ``stop`` is set."""
        config = ConsumerConfig(ack_wait=self._ack_wait, max_ack_pending=256)
        subscription = await self._js.pull_subscribe(SUBJECTS, durable=DURABLE, stream=EVENTS_STREAM, config=config)
        while not stop.is_set():
            try:
                messages = await subscription.fetch(16, timeout=1.0)
            except TimeoutError:  # nats-py's, or asyncio's when its deadline ran out on a busy loop: nothing came
                continue
            except NatsError as error:  # JetStream unavailable for a moment (a node restarting): try again
                log.warning("events_not_fetched", error=repr(error))
                await asyncio.sleep(RETRY_DELAY)
                continue
            for msg in messages:
                await self._one(msg, handle)
        await subscription.unsubscribe()

    async def _one(self, msg: Msg, handle: Handler) -> None:
        try:
            event = RegistryEvent.model_validate_json(msg.data)
        except ValidationError as error:
            log.warning("event_malformed", subject=msg.subject, error=str(error))
            await msg.term()
            return
        waited = (msg.metadata.num_delivered or 1) * RETRY_DELAY
        try:
            done = await handle(event, msg.metadata.sequence.stream, waited)
        except Exception as error:
            log.warning("event_not_recorded", type=event.type, error=repr(error))
            await msg.nak(delay=RETRY_DELAY)
            return
        if done:
            await msg.ack()
        else:
            await msg.nak(delay=RETRY_DELAY)
