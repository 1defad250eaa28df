"""Subscribing a URL, listing, deleting, and reading a subscription's deliveries."""

from datetime import UTC, datetime

import structlog

from contracts.artifacts import Actor, ResetRequest
from contracts.base import Empty
from contracts.errors import ErrorCode, ServiceFailure
from contracts.webhooks import (
    CreateSubscription,
    DeliveryInfo,
    DeliveryList,
    DeliveryStatus,
    ListSubscriptions,
    SubscriptionInfo,
    SubscriptionList,
    SubscriptionRef,
)
from webhooks.deps import Deps
from webhooks.domain.subscriptions import Delivery, Subscription, new_id, new_secret, valid_secret
from webhooks.domain.targets import RefusedTarget

DELIVERIES_SHOWN = 100

log = structlog.get_logger()


def _when(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def info(subscription: Subscription, with_secret: bool = False) -> SubscriptionInfo:
    """The API's view of a subscription."""
    return SubscriptionInfo(
        id=subscription.id, url=subscription.url, events=list(subscription.events), owner=subscription.owner,
        active=subscription.active, disabled_reason=subscription.disabled_reason,
        created=_when(subscription.created), secret=subscription.secret if with_secret else None,
    )  # fmt: skip


async def create_subscription(command: CreateSubscription, deps: Deps) -> SubscriptionInfo:
    """Subscribe ``command.url`` to event types; 400 when the URL is refused (why) or the secret is unusable.
    The answer carries the secret, which is never shown again."""
    try:
        await deps.targets.check(command.url)
    except RefusedTarget as refused:
        raise ServiceFailure(ErrorCode.BAD_REQUEST, f"The url is refused: {refused}.") from refused
    secret = command.secret if command.secret is not None else new_secret()
    problem = valid_secret(secret)
    if problem is not None:
        raise ServiceFailure(ErrorCode.BAD_REQUEST, f"Invalid secret: {problem}.")
    subscription = Subscription(
        id=new_id("wh"), url=command.url, events=tuple(dict.fromkeys(command.events)), secret=secret,
        owner=command.actor.name, admin=command.actor.is_admin, active=True, disabled_reason=None,
        created=deps.clock(),
    )  # fmt: skip
    await deps.store.add_subscription(subscription)
    log.info("webhook_subscribed", id=subscription.id, owner=subscription.owner, events=len(subscription.events))
    return info(subscription, with_secret=True)


async def list_subscriptions(command: ListSubscriptions, deps: Deps) -> SubscriptionList:
    """The caller's subscriptions; an administrator's list holds everyone's."""
    owner = None if command.actor.is_admin else command.actor.name
    return SubscriptionList(items=[info(s) for s in await deps.store.subscriptions(owner)])


async def _mine(deps: Deps, subscription_id: str, actor: Actor) -> Subscription:
    subscription = await deps.store.subscription(subscription_id)
    if subscription is None or not (actor.is_admin or subscription.owner == actor.name):
        raise ServiceFailure(ErrorCode.NOT_FOUND, f"No webhook with id {subscription_id}.")
    return subscription


async def delete_subscription(command: SubscriptionRef, deps: Deps) -> Empty:
    """Remove a subscription and its deliveries; 404 unless it is the caller's (or the caller administers)."""
    subscription = await _mine(deps, command.id, command.actor)
    await deps.store.delete_subscription(subscription.id)
    return Empty()


def delivery_info(delivery: Delivery) -> DeliveryInfo:
    """The API's view of a delivery."""
    return DeliveryInfo(
        id=delivery.id, type=delivery.type, status=DeliveryStatus(delivery.status), attempts=delivery.attempts,
        last_status=delivery.last_status, last_error=delivery.last_error,
        next_attempt=_when(delivery.next_attempt) if delivery.next_attempt is not None else None,
        created=_when(delivery.created),
    )  # fmt: skip


async def list_deliveries(command: SubscriptionRef, deps: Deps) -> DeliveryList:
    """A subscription's latest deliveries, newest first; 404 as ``delete_subscription``."""
    subscription = await _mine(deps, command.id, command.actor)
    items = await deps.store.deliveries(subscription.id, DELIVERIES_SHOWN)
    return DeliveryList(items=[delivery_info(d) for d in items])


async def reset_webhooks(_: ResetRequest, deps: Deps) -> Empty:
    """Forget every subscription, delivery and owner."""
    await deps.store.clear()
    return Empty()
