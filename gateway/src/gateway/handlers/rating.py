"""Rating routes (scoring-svc): the spec's ``ModelRating`` and, as an addition, the report explaining it."""

import structlog
from aiohttp import web

from contracts import subjects
from contracts.scoring import ModelRating, RateAudited, RatingRef, RatingReport
from gateway.codec import artifact_id, json_response
from gateway.context import actor, client


async def model_artifact_rate(request: web.Request) -> web.Response:
    """``GET /artifact/model/{id}/rate``: the stored rating; the read is audited as RATE (asynchronously)."""
    ref = RatingRef(artifact_id=artifact_id(request))
    rating = await client(request).call(subjects.RATING_READ, ref, ModelRating)
    try:
        await client(request).publish(
            subjects.AUDIT_RATE, RateAudited(artifact_id=ref.artifact_id, actor=actor(request))
        )
    except Exception as error:
        structlog.get_logger().warning("rate_audit_not_published", artifact_id=ref.artifact_id, error=str(error))
    return json_response(rating)


async def model_rating_report(request: web.Request) -> web.Response:
    """``GET /artifact/model/{id}/rate/report``: every metric's explanation and the quality gate's verdict."""
    report = await client(request).call(
        subjects.RATING_REPORT, RatingRef(artifact_id=artifact_id(request)), RatingReport
    )
    return json_response(report)
