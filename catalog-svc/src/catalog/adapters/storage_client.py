"""``PackageStorage`` port: storage-svc over NATS."""

from contracts import subjects
from contracts.artifacts import ArtifactType
from contracts.base import Empty
from contracts.storage import (
    DownloadLink,
    PackageFiles,
    PackageRef,
    PackageStatus,
    PackageView,
    Part,
    PreparePackage,
    RequestDownload,
    SourceRef,
)
from svckit.transport import ServiceClient


class NatsPackageStorage:
    """Calls storage-svc's subjects; failures arrive as ``ServiceFailure`` with storage's code."""

    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def prepare(self, artifact_id: str, artifact_type: ArtifactType, source: SourceRef) -> None:
        """Record the package and queue its copy."""
        command = PreparePackage(artifact_id=artifact_id, type=artifact_type, source=source)
        await self._client.call(subjects.PACKAGE_PREPARE, command, PackageStatus)

    async def discard(self, artifact_id: str) -> None:
        """Delete the package's bytes unless shared (idempotent)."""
        await self._client.call(subjects.PACKAGE_DELETE, PackageRef(artifact_id=artifact_id), Empty)

    async def link(self, artifact_id: str, part: Part) -> DownloadLink:
        """A presigned download link."""
        return await self._client.call(
            subjects.PACKAGE_DOWNLOAD, RequestDownload(artifact_id=artifact_id, part=part), DownloadLink
        )

    async def view(self, artifact_id: str) -> PackageView:
        """State, progress and files."""
        ref = PackageRef(artifact_id=artifact_id)
        status = await self._client.call(subjects.PACKAGE_STATUS, ref, PackageStatus)
        files = await self._client.call(subjects.PACKAGE_FILES, ref, PackageFiles)
        return PackageView(status=status, files=files.files, archives=files.archives)
