"""Hand out a download link of an artifact's stored bytes, and record the download."""

import structlog

from catalog.deps import Deps
from catalog.domain.pickle_verdicts import with_pickle_verdicts
from catalog.usecases._common import audit, load, load_any
from contracts.artifacts import ArtifactType
from contracts.errors import ServiceFailure
from contracts.scoring import PickleScanReport
from contracts.storage import DownloadArtifact, DownloadLink, PackageView, ReadPackage

log = structlog.get_logger()


async def artifact_download(command: DownloadArtifact, deps: Deps) -> DownloadLink:
    """A presigned link from storage-svc (its 409/424 when the bytes are not ready); audited as DOWNLOAD."""
    artifact = await load_any(deps, command.id)
    link = await deps.storage.link(artifact.id, command.part)
    await deps.artifacts.record(audit(deps, artifact, command.actor, "DOWNLOAD"))
    return link


async def artifact_package(query: ReadPackage, deps: Deps) -> PackageView:
    """Copy state, progress and files of the artifact's package, who registered it (its owner), and for a model
    each pickle-based file's verdict from its rating's security scan."""
    artifact = await load(deps, query.type, query.id)
    view = await deps.storage.view(artifact.id)
    files = view.files
    if artifact.type is ArtifactType.MODEL:
        files = with_pickle_verdicts(files, await _pickle_scan(deps, artifact.id))
    return view.model_copy(update={"owner": artifact.owner, "files": files})


async def _pickle_scan(deps: Deps, artifact_id: str) -> PickleScanReport | None:
    """The model's stored scan; None without one, or while scoring-svc cannot answer (the view shows the files)."""
    try:
        report = await deps.scoring.report(artifact_id)
    except ServiceFailure as failure:
        log.warning("package_view_without_pickle_scan", artifact_id=artifact_id, error=failure.message)
        return None
    return None if report is None else report.pickle_scan
