"""Remove a subscription."""

from contracts.base import Empty
from contracts.webhooks import SubscriptionRef
from webhooks.deps import Deps
from webhooks.usecases._views import owned


async def webhook_delete(command: SubscriptionRef, deps: Deps) -> Empty:
    """Remove a subscription and its deliveries; 404 unless it is the caller's (or the caller administers). The
    reply is stored with the removal, so a caller's resend gets it again rather than a 404."""
    subscription = await owned(deps, command.id, command.actor)
    reply = Empty()
    await deps.store.delete_subscription(subscription.id, reply)
    return reply
