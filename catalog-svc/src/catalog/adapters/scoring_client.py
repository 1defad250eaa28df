"""``ModelRater`` port: scoring-svc over NATS."""

from contracts import subjects
from contracts.base import Empty
from contracts.scoring import RateModel, RatingRef, RatingReport
from contracts.storage import SourceRef
from svckit.transport import ServiceClient


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
