"""Record a package and queue the copy of its bytes (before the catalog makes the artifact visible)."""

from contracts.errors import ErrorCode, ServiceFailure
from contracts.storage import PackageStatus, PreparePackage, SourceKind
from storage.deps import Deps
from storage.domain.files import upload_key
from storage.usecases._common import release, status_of


async def prepare_package(command: PreparePackage, deps: Deps) -> PackageStatus:
    """Check storage is reachable, record the package (replacing an older source) and queue its copy."""
    await deps.blobs.ensure_bucket()
    if command.source.kind is SourceKind.UPLOAD and await deps.blobs.size(upload_key(command.source.repo_id)) is None:
        raise ServiceFailure(ErrorCode.BAD_REQUEST, "Nothing was uploaded under this upload id (or the slot expired).")
    package, unreferenced = await deps.index.create(command.artifact_id, command.type, command.source)
    await release(deps, unreferenced)
    await deps.jobs.enqueue(package.artifact_id, package.generation)
    return status_of(package)
