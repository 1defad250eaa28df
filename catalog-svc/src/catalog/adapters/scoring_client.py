"""``ModelRater`` port: scoring-svc over NATS."""

from contracts import subjects
from contracts.base import Empty
from contracts.errors import ErrorCode, ServiceFailure
from contracts.scoring import RateModel, RatingRef, RatingReport
from contracts.storage import SourceRef
from svckit.transport import ServiceClient

# A stored report is answered in milliseconds; a package view does not wait long for its pickle verdicts.
REPORT_SECONDS = 5.0


class NatsRater:
    """Calls scoring-svc's subjects; failures arrive as ``ServiceFailure`` with scoring's code."""

    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def rate(self, artifact_id: str, name: str, source: SourceRef, readme: str, gate: bool) -> RatingReport:
        """Rate the model (stored unless ``gate`` refused it)."""
        command = RateModel(artifact_id=artifact_id, name=name, source=source, readme=readme, gate=gate)
        return await self._client.call(subjects.RATING_COMPUTE, command, RatingReport)

    async def forget(self, artifact_id: str) -> None:
        """Forget the model's rating (idempotent)."""
        await self._client.call(subjects.RATING_FORGET, RatingRef(artifact_id=artifact_id), Empty)

    async def report(self, artifact_id: str) -> RatingReport | None:
        """The stored rating report; None when the model has none (never rated, or its rating failed to compute)."""
        try:
            ref = RatingRef(artifact_id=artifact_id)
            return await self._client.call(subjects.RATING_REPORT, ref, RatingReport, timeout=REPORT_SECONDS)
        except ServiceFailure as failure:
            if failure.code in (ErrorCode.NOT_FOUND, ErrorCode.INTERNAL):
                return None
            raise
