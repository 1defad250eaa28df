"""A time-limited link to the whole package or one part of it."""

from datetime import timedelta
from pathlib import PurePosixPath

from contracts.errors import ErrorCode, ServiceFailure
from contracts.storage import DownloadLink, PackageState, Part, RequestDownload
from storage.deps import Deps
from storage.domain.files import blob_key
from storage.usecases._common import load

NOT_YET = {PackageState.QUEUED, PackageState.COPYING}
NEVER = {PackageState.NEEDS_CREDENTIALS, PackageState.FAILED}


async def download_link(request: RequestDownload, deps: Deps) -> DownloadLink:
    """A presigned URL; 409 while the copy runs or when files of the part were not stored, 424 when it cannot be."""
    package = await load(deps, request.artifact_id)
    if package.state in NOT_YET:
        total = f"{package.bytes_total:,}" if package.bytes_total is not None else "?"
        raise ServiceFailure(
            ErrorCode.CONFLICT,
            f"The copy of this artifact is still running ({package.bytes_done:,} of {total} bytes, "
            f"{package.files_done} of {package.files_total} files); try again shortly.",
        )
    if package.state in NEVER:
        raise ServiceFailure(
            ErrorCode.FAILED_DEPENDENCY, f"The bytes of this artifact are not stored: {package.message}."
        )
    files = [
        f for f in await deps.index.files(package.artifact_id) if request.part is Part.ALL or f.part is request.part
    ]
    if not files:
        raise ServiceFailure(ErrorCode.NOT_FOUND, f"This package has no {request.part.value} files.")
    missing = [f for f in files if f.status != "stored"]
    if missing:
        reasons = "; ".join(sorted({f.note or "copy not finished" for f in missing}))
        raise ServiceFailure(
            ErrorCode.CONFLICT, f"{len(missing)} of {len(files)} files of this part are not stored: {reasons}."
        )
    only = files[0]
    if len(files) == 1 and only.sha256:
        key, filename, size, sha256 = blob_key(only.sha256), PurePosixPath(only.path).name, only.size or 0, only.sha256
    else:
        archive = await deps.index.archive(package.artifact_id, request.part)
        if archive is None:
            raise ServiceFailure(ErrorCode.CONFLICT, "The archive of this part is being built; try again shortly.")
        key, size, sha256 = archive.key, archive.size, archive.sha256
        filename = f"{package.artifact_id}-{request.part.value}.tar"
    seconds = deps.policy.link_seconds
    url = await deps.blobs.presign_get(key, expires_in=seconds, filename=filename)
    return DownloadLink(
        url=url, expires_at=deps.clock() + timedelta(seconds=seconds), filename=filename, size=size, sha256=sha256
    )
