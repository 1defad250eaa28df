"""webhook-svc's NATS endpoints: one line per subject, each a use case."""

from typing import Any

from contracts import subjects
from contracts.artifacts import ResetRequest
from contracts.webhooks import CreateSubscription, ListSubscriptions, SubscriptionRef
from svckit.host import Endpoint, bind
from webhooks.deps import Deps
from webhooks.usecases.create_subscription import create_subscription
from webhooks.usecases.delete_subscription import delete_subscription
from webhooks.usecases.list_deliveries import list_deliveries
from webhooks.usecases.list_subscriptions import list_subscriptions
from webhooks.usecases.reset_webhooks import reset_webhooks


def webhook_endpoints(deps: Deps) -> list[Endpoint[Any]]:
    """Every subject webhook-svc answers."""
    return [
        bind(subjects.WEBHOOK_CREATE, CreateSubscription, create_subscription, deps),
        bind(subjects.WEBHOOK_LIST, ListSubscriptions, list_subscriptions, deps),
        bind(subjects.WEBHOOK_DELETE, SubscriptionRef, delete_subscription, deps),
        bind(subjects.WEBHOOK_DELIVERIES, SubscriptionRef, list_deliveries, deps),
        bind(subjects.reset_subject(subjects.WEBHOOKS), ResetRequest, reset_webhooks, deps),
    ]
