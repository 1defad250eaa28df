"""Read a package's copy state and its files."""

from contracts.storage import ArchiveView, PackageFiles, PackageRef, PackageStatus, Part
from storage.deps import Deps
from storage.usecases._common import load, status_of


async def package_status(query: PackageRef, deps: Deps) -> PackageStatus:
    """State and progress (bytes done / total), or 404."""
    return status_of(await load(deps, query.artifact_id))


async def package_files(query: PackageRef, deps: Deps) -> PackageFiles:
    """Every file with part, size and sha256 so clients can verify what they download."""
    await load(deps, query.artifact_id)
    archives = []
    for part in Part:
        archive = await deps.index.archive(query.artifact_id, part)
        if archive is not None:
            archives.append(ArchiveView(part=archive.part, size=archive.size, sha256=archive.sha256))
    files = [f.view() for f in await deps.index.files(query.artifact_id)]
    return PackageFiles(artifact_id=query.artifact_id, files=files, archives=archives)
