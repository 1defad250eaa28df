"""An event from the stream becomes one pending delivery per subscription that hears it."""

import hashlib
import json

import structlog

from contracts.webhooks import RegistryEvent
from webhooks.deps import Deps
from webhooks.domain.subscriptions import Delivery, hears

log = structlog.get_logger()


def body_of(event: RegistryEvent) -> str:
    """The delivery body: ``{"type", "timestamp", "data"}``, the same bytes on every attempt."""
    return json.dumps(
        {"type": event.type.value, "timestamp": event.timestamp.isoformat(), "data": event.data},
        separators=(",", ":"),
    )


async def record_event(event: RegistryEvent, sequence: int, waited: float, deps: Deps, owner_wait: float) -> bool:
    """Record the deliveries of ``event`` (stream position ``sequence``, so a redelivered event is recorded once).

    An event that does not name its artifact's owner (storage's copy events) takes the owner an earlier event
    named; while none has (the copy finished before the catalog committed the artifact) it is asked for again,
    for at most ``owner_wait`` seconds, then only administrators' subscriptions hear it. False: ask again.
    """
    owner = event.owner
    if owner is not None:
        await deps.store.remember_owner(event.artifact_id, owner, str(event.data.get("name", "")))
    else:
        known = await deps.store.owner_of(event.artifact_id)
        if known is None and waited < owner_wait:
            return False
        if known is not None:
            owner = known[0]
            event = event.model_copy(update={"data": {"name": known[1], **event.data}})
    now = deps.clock()
    body = body_of(event)
    items = [
        _delivery(delivery_id(event, sequence, sub.id), sub.id, event, body, now)
        for sub in await deps.store.subscriptions(None)
        if hears(sub, event.type, owner)
    ]
    added = await deps.store.add_deliveries(items)
    log.info("event_recorded", type=event.type, artifact_id=event.artifact_id, deliveries=added)
    if added:
        deps.wake.set()
    return True


def delivery_id(event: RegistryEvent, sequence: int, subscription_id: str) -> str:
    """The ``webhook-id`` of ``event`` for one subscription: the same when the stream hands the event out again,
    different for another event even if a recreated stream reuses its sequence number."""
    identity = f"{sequence}|{event.type.value}|{event.artifact_id}|{event.timestamp.isoformat()}|{subscription_id}"
    return "msg_" + hashlib.sha256(identity.encode()).hexdigest()[:32]


def _delivery(delivery_id: str, subscription_id: str, event: RegistryEvent, body: str, now: float) -> Delivery:
    return Delivery(
        id=delivery_id, subscription_id=subscription_id, type=event.type, body=body, status="pending", attempts=0,
        last_status=None, last_error=None, next_attempt=now, created=now,
    )  # fmt: skip
