"""The API's views of subscriptions and deliveries, shared by the use cases that answer with them."""

from datetime import UTC, datetime

from contracts.artifacts import Actor
from contracts.errors import ErrorCode, ServiceFailure
from contracts.webhooks import DeliveryInfo, DeliveryStatus, SubscriptionInfo
from webhooks.deps import Deps
from webhooks.domain.subscriptions import Delivery, Subscription


def _when(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def info(subscription: Subscription, with_secret: bool = False) -> SubscriptionInfo:
    """The API's view of a subscription."""
    return SubscriptionInfo(
        id=subscription.id, url=subscription.url, events=list(subscription.events), owner=subscription.owner,
        active=subscription.active, disabled_reason=subscription.disabled_reason,
        created=_when(subscription.created), secret=subscription.secret if with_secret else None,
    )  # fmt: skip


def delivery_info(delivery: Delivery) -> DeliveryInfo:
    """The API's view of a delivery."""
    return DeliveryInfo(
        id=delivery.id, type=delivery.type, status=DeliveryStatus(delivery.status), attempts=delivery.attempts,
        last_status=delivery.last_status, last_error=delivery.last_error,
        next_attempt=_when(delivery.next_attempt) if delivery.next_attempt is not None else None,
        created=_when(delivery.created),
    )  # fmt: skip


async def owned(deps: Deps, subscription_id: str, actor: Actor) -> Subscription:
    """The subscription, or 404 unless it is ``actor``'s (or ``actor`` is an administrator)."""
    subscription = await deps.store.subscription(subscription_id)
    if subscription is None or not (actor.is_admin or subscription.owner == actor.name):
        raise ServiceFailure(ErrorCode.NOT_FOUND, f"No webhook with id {subscription_id}.")
    return subscription
