"""Delete a package and every object no other package shares."""

from contracts.base import Empty
from contracts.storage import PackageRef
from storage.deps import Deps
from storage.usecases._common import release


async def package_delete(command: PackageRef, deps: Deps) -> Empty:
    """Idempotent: an unknown package is already gone."""
    unreferenced = await deps.index.delete(command.artifact_id)
    await release(deps, unreferenced or [])
    return Empty()
