"""Send the deliveries that are due: each claimed by one replica for one attempt, its result stored."""

import asyncio

import structlog

from webhooks.deps import Deps
from webhooks.domain.retry import AttemptResult, Outcome, after_attempt
from webhooks.ports import Claimed

log = structlog.get_logger()


async def _attempt(claimed: Claimed, deps: Deps) -> None:
    delivery, subscription = claimed.delivery, claimed.subscription
    if not subscription.active:
        result = AttemptResult(None, f"not sent: the subscription is disabled ({subscription.disabled_reason})")
        outcome = Outcome("failed", delivery.attempts, None, subscription.failures, None)
        await deps.store.record_attempt(claimed, result, outcome)
        return
    result = await deps.sender.send(subscription.url, subscription.secret, delivery.id, delivery.body)
    failures = 0 if result.ok else await deps.store.count_failure(subscription.id) - 1
    outcome = after_attempt(deps.policy, result, delivery.attempts + 1, failures, deps.clock())
    await deps.store.record_attempt(claimed, result, outcome)
    log.info(
        "webhook_attempt", delivery=delivery.id, subscription=subscription.id, status=result.status,
        error=result.error, outcome=outcome.status, disabled=outcome.disabled_reason,
    )  # fmt: skip


async def deliver_due(deps: Deps, hold: float, limit: int = 32) -> int:
    """Attempt every due delivery this replica could claim, concurrently; how many were attempted."""
    claimed = await deps.store.claim_due(deps.clock(), hold, limit)
    await asyncio.gather(*(_attempt(item, deps) for item in claimed))
    return len(claimed)


async def deliver_forever(deps: Deps, hold: float, poll: float, stop: asyncio.Event) -> None:
    """Deliver until ``stop`` is set: at once when an event was recorded, else every ``poll`` seconds."""
    while not stop.is_set():
        try:
            if await deliver_due(deps, hold) > 0:
                continue
        except Exception as error:  # the database blinked: try again at the next poll
            log.warning("deliveries_not_attempted", error=repr(error))
        deps.wake.clear()
        waits = [asyncio.ensure_future(deps.wake.wait()), asyncio.ensure_future(stop.wait())]
        await asyncio.wait(waits, timeout=poll, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waits:
            waiter.cancel()
