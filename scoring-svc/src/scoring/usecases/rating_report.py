"""Serve a stored rating's report: every metric's explanation and the quality gate's verdict."""

from contracts.errors import ErrorCode, ServiceFailure
from contracts.scoring import RatingRef, RatingReport
from scoring.deps import Deps


async def rating_report(ref: RatingRef, deps: Deps) -> RatingReport:
    """The stored report; 404 when the model has no rating, 500 naming the metric that failed to compute."""
    stored = await deps.store.get(ref.artifact_id)
    if stored is None:
        raise ServiceFailure(ErrorCode.NOT_FOUND, f"No rated model with id {ref.artifact_id}.")
    if stored.report is None:
        raise ServiceFailure(ErrorCode.INTERNAL, stored.failure or "The rating could not be computed.")
    return stored.report
