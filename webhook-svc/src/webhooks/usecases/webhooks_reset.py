"""Forget everything (``DELETE /reset``)."""

from contracts.artifacts import ResetRequest
from contracts.base import Empty
from webhooks.deps import Deps


async def webhooks_reset(_: ResetRequest, deps: Deps) -> Empty:
    """Forget every subscription, delivery and owner."""
    await deps.store.clear()
    return Empty()
