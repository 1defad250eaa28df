"""Serve a stored rating: the spec's ``ModelRating``."""

from contracts.scoring import ModelRating, RatingRef
from scoring.deps import Deps
from scoring.usecases.rating_report import rating_report


async def rating_read(ref: RatingRef, deps: Deps) -> ModelRating:
    """The spec's 28-field rating of a model."""
    return (await rating_report(ref, deps)).rating
