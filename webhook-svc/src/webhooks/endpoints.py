"""webhook-svc's NATS endpoints: one line per subject, each a use case."""

from typing import Any

from contracts import subjects
from contracts.artifacts import ResetRequest
from contracts.webhooks import CreateSubscription, ListSubscriptions, SubscriptionRef
from svckit.host import Endpoint, bind
from webhooks.deps import Deps
from webhooks.usecases.webhook_create import webhook_create
from webhooks.usecases.webhook_delete import webhook_delete
from webhooks.usecases.webhook_deliveries import webhook_deliveries
from webhooks.usecases.webhook_list import webhook_list
from webhooks.usecases.webhooks_reset import webhooks_reset


def webhook_endpoints(deps: Deps) -> list[Endpoint[Any]]:
    """Every subject webhook-svc answers."""
    return [
        bind(subjects.WEBHOOK_CREATE, CreateSubscription, webhook_create, deps),
        bind(subjects.WEBHOOK_LIST, ListSubscriptions, webhook_list, deps),
        bind(subjects.WEBHOOK_DELETE, SubscriptionRef, webhook_delete, deps),
        bind(subjects.WEBHOOK_DELIVERIES, SubscriptionRef, webhook_deliveries, deps),
        bind(subjects.reset_subject(subjects.WEBHOOKS), ResetRequest, webhooks_reset, deps),
    ]
