"""Serve a stored rating: the spec's ``ModelRating``, or the report explaining it."""

from contracts.errors import ErrorCode, ServiceFailure
from contracts.scoring import ModelRating, RatingRef, RatingReport
from scoring.deps import Deps


async def rating_report(ref: RatingRef, deps: Deps) -> RatingReport:
    """The stored report; 404 when the model has no rating, 500 naming the metric that failed to compute."""
    stored = await deps.store.get(ref.artifact_id)
    if stored is None:
        raise ServiceFailure(ErrorCode.NOT_FOUND, f"No rated model with id {ref.artifact_id}.")
    if stored.report is None:
        raise ServiceFailure(ErrorCode.INTERNAL, stored.failure or "The rating could not be computed.")
    return stored.report


async def rating_read(ref: RatingRef, deps: Deps) -> ModelRating:
    """The spec's 28-field rating of a model."""
    return (await rating_report(ref, deps)).rating
