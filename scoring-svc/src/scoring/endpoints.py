"""scoring-svc's NATS endpoints: one line per subject, each a use case."""

from typing import Any

from contracts import subjects
from contracts.artifacts import ResetRequest
from contracts.scoring import RateModel, RatingRef
from scoring.deps import Deps
from scoring.usecases.rating_compute import rating_compute
from scoring.usecases.rating_forget import rating_forget
from scoring.usecases.rating_read import rating_read
from scoring.usecases.rating_report import rating_report
from scoring.usecases.scoring_reset import scoring_reset
from svckit.host import Endpoint, bind


def scoring_endpoints(deps: Deps) -> list[Endpoint[Any]]:
    """Every subject scoring-svc answers."""
    return [
        bind(subjects.RATING_COMPUTE, RateModel, rating_compute, deps),
        bind(subjects.RATING_READ, RatingRef, rating_read, deps),
        bind(subjects.RATING_REPORT, RatingRef, rating_report, deps),
        bind(subjects.RATING_FORGET, RatingRef, rating_forget, deps),
        bind(subjects.reset_subject(subjects.SCORING), ResetRequest, scoring_reset, deps),
    ]
