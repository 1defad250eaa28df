"""Forget every rating (``DELETE /reset``)."""

from contracts.artifacts import ResetRequest
from contracts.base import Empty
from scoring.deps import Deps


async def scoring_reset(request: ResetRequest, deps: Deps) -> Empty:
    """Empty the rating store."""
    await deps.store.clear()
    return Empty()
