"""scoring-svc's NATS endpoints: one line per subject, each a use case."""

from typing import Any

from contracts import subjects
from contracts.artifacts import ResetRequest
from contracts.scoring import RateModel, RatingRef
from scoring.deps import Deps
from scoring.usecases.forget_rating import forget_rating
from scoring.usecases.rate_model import rate_model
from scoring.usecases.read_rating import read_rating, read_report
from scoring.usecases.reset_ratings import reset_ratings
from svckit.host import Endpoint, bind


def scoring_endpoints(deps: Deps) -> list[Endpoint[Any]]:
    """Every subject scoring-svc answers."""
    return [
        bind(subjects.RATING_COMPUTE, RateModel, rate_model, deps),
        bind(subjects.RATING_READ, RatingRef, read_rating, deps),
        bind(subjects.RATING_REPORT, RatingRef, read_report, deps),
        bind(subjects.RATING_FORGET, RatingRef, forget_rating, deps),
        bind(subjects.reset_subject(subjects.SCORING), ResetRequest, reset_ratings, deps),
    ]
