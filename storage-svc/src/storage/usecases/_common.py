"""Helpers shared by storage's use cases."""

from contracts.errors import ErrorCode, ServiceFailure
from contracts.storage import PackageStatus
from storage.deps import Deps
from storage.ports import Package


async def load(deps: Deps, artifact_id: str) -> Package:
    """The package, or 404."""
    package = await deps.index.get(artifact_id)
    if package is None:
        raise ServiceFailure(ErrorCode.NOT_FOUND, f"No stored package for artifact {artifact_id}.")
    return package


def status_of(package: Package) -> PackageStatus:
    """The contract view of a package's state and progress."""
    return PackageStatus(
        artifact_id=package.artifact_id,
        state=package.state,
        bytes_done=package.bytes_done,
        bytes_total=package.bytes_total,
        files_done=package.files_done,
        files_total=package.files_total,
        message=package.message,
        updated_at=package.updated_at,
    )


async def release(deps: Deps, keys: list[str]) -> None:
    """Delete objects no package references any more, then forget their index rows."""
    if keys:
        await deps.blobs.delete_many(keys)
        await deps.index.forget_blobs(keys)
