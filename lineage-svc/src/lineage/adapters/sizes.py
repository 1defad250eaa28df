"""``Sizes`` port: storage-svc's byte counts over NATS."""

from collections.abc import Sequence

from contracts import subjects
from contracts.storage import PackageSizes, SizesQuery
from svckit.transport import ServiceClient


class NatsSizes:
    """Asks storage-svc for package sizes."""

    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def bytes_of(self, artifact_ids: Sequence[str]) -> dict[str, int | None]:
        """Bytes of each package."""
        reply = await self._client.call(
            subjects.PACKAGE_SIZES, SizesQuery(artifact_ids=list(artifact_ids)), PackageSizes
        )
        return reply.sizes
