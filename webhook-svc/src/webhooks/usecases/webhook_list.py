"""List the caller's subscriptions."""

from contracts.webhooks import ListSubscriptions, SubscriptionList
from webhooks.deps import Deps
from webhooks.usecases._views import info


async def webhook_list(command: ListSubscriptions, deps: Deps) -> SubscriptionList:
    """The caller's subscriptions; an administrator's list holds everyone's."""
    owner = None if command.actor.is_admin else command.actor.name
    return SubscriptionList(items=[info(s) for s in await deps.store.subscriptions(owner)])
