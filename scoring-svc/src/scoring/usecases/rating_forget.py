"""Forget a model's rating when its artifact is deleted or refused, and move its descendants' tree_score."""

from contracts.base import Empty
from contracts.scoring import RatingRef
from scoring.deps import Deps
from scoring.usecases.refresh_tree import refresh_children


async def rating_forget(ref: RatingRef, deps: Deps) -> Empty:
    """Forget a model's rating (its artifact was deleted or refused) and re-average its children's tree_score."""
    if await deps.store.delete(ref.artifact_id):
        await refresh_children(ref.artifact_id, None, deps)
    return Empty()
