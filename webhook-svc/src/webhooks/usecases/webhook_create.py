"""Subscribe a URL to event types."""

import structlog

from contracts.errors import ErrorCode, ServiceFailure
from contracts.webhooks import CreateSubscription, SubscriptionInfo
from webhooks.deps import Deps
from webhooks.domain.subscriptions import Subscription, new_id, new_secret, valid_secret
from webhooks.domain.targets import RefusedTarget
from webhooks.usecases._views import info

log = structlog.get_logger()


async def webhook_create(command: CreateSubscription, deps: Deps) -> SubscriptionInfo:
    """Subscribe ``command.url`` to event types; 400 when the URL is refused (why) or the secret is unusable.
    The answer carries the secret, which is never shown again but to a resend of this request (its reply is stored
    with the subscription: ``contracts.subjects.IDEMPOTENT_WRITES``)."""
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
    reply = info(subscription, with_secret=True)
    await deps.store.add_subscription(subscription, reply)
    log.info("webhook_subscribed", id=subscription.id, owner=subscription.owner, events=len(subscription.events))
    return reply
