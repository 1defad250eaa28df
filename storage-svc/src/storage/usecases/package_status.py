"""Read a package's copy state."""

from contracts.storage import PackageRef, PackageStatus
from storage.deps import Deps
from storage.usecases._common import load, status_of


async def package_status(query: PackageRef, deps: Deps) -> PackageStatus:
    """State and progress (bytes done / total), or 404."""
    return status_of(await load(deps, query.artifact_id))
