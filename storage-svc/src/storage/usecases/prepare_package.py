"""Record a package and queue the copy of its bytes (before the catalog makes the artifact visible)."""

from contracts.storage import PackageStatus, PreparePackage
from storage.deps import Deps
from storage.usecases._common import release, status_of


async def prepare_package(command: PreparePackage, deps: Deps) -> PackageStatus:
    """Check storage is reachable, record the package (replacing an older source) and queue its copy."""
    await deps.blobs.ensure_bucket()
    package, unreferenced = await deps.index.create(command.artifact_id, command.type, command.source)
    await release(deps, unreferenced)
    await deps.jobs.enqueue(package.artifact_id, package.generation)
    return status_of(package)
