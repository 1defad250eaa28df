"""The ``PackageBytes`` port: storage-svc over NATS."""

from contracts import subjects
from contracts.storage import PackageSizes, SizesQuery
from svckit.transport import ServiceClient


class NatsPackageBytes:
    """Asks storage-svc for the size of an artifact's package."""

    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def of(self, artifact_id: str) -> int | None:
        """Bytes of the package (None when unknown)."""
        reply = await self._client.call(subjects.PACKAGE_SIZES, SizesQuery(artifact_ids=[artifact_id]), PackageSizes)
        return reply.sizes.get(artifact_id)
