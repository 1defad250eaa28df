"""Read a subscription's latest deliveries."""

from contracts.webhooks import DeliveryList, SubscriptionRef
from webhooks.deps import Deps
from webhooks.usecases._views import delivery_info, owned

DELIVERIES_SHOWN = 100


async def webhook_deliveries(command: SubscriptionRef, deps: Deps) -> DeliveryList:
    """A subscription's latest deliveries, newest first; 404 as ``webhook_delete``."""
    subscription = await owned(deps, command.id, command.actor)
    items = await deps.store.deliveries(subscription.id, DELIVERIES_SHOWN)
    return DeliveryList(items=[delivery_info(d) for d in items])
