"""Read an artifact's package: copy state, files, owner and, for a model, each pickle-based file's verdict."""

import structlog

from catalog.deps import Deps
from catalog.domain.pickle_verdicts import with_pickle_verdicts
from catalog.usecases._common import load
from contracts.artifacts import ArtifactType
from contracts.errors import ServiceFailure
from contracts.scoring import PickleScanReport
from contracts.storage import PackageView, ReadPackage

log = structlog.get_logger()


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
