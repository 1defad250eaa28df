"""Read a package's files and the archives built so far."""

from contracts.storage import ArchiveView, PackageFiles, PackageRef, Part
from storage.deps import Deps
from storage.usecases._common import load


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
