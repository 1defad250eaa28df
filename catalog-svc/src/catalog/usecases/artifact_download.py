"""Hand out a download link of an artifact's stored bytes, and record the download."""

from catalog.deps import Deps
from catalog.usecases._common import audit, load_any
from contracts.storage import DownloadArtifact, DownloadLink


async def artifact_download(command: DownloadArtifact, deps: Deps) -> DownloadLink:
    """A presigned link from storage-svc (its 409/424 when the bytes are not ready); audited as DOWNLOAD."""
    artifact = await load_any(deps, command.id)
    link = await deps.storage.link(artifact.id, command.part)
    await deps.artifacts.record(audit(deps, artifact, command.actor, "DOWNLOAD"))
    return link
