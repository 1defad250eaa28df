"""A time-limited link to the whole package, one part of it or one file, from the first second after ingest.

One stored file: a presigned S3 URL (S3 serves it, ``Range`` included, so clients resume). Anything else — several
files, or a file whose copy has not finished or that this deployment does not keep — a signed link to storage-svc's
byte endpoint, which streams it (``stream_package``): stored bytes from S3, the rest through from the upstream,
checked as they pass.
"""

from datetime import timedelta
from pathlib import PurePosixPath

from contracts.storage import DownloadLink, RequestDownload
from storage.deps import Deps
from storage.domain.files import blob_key
from storage.domain.links import LinkTarget, link_url
from storage.usecases._common import load
from storage.usecases.stream_package import archive_of, servable


async def package_download(request: RequestDownload, deps: Deps) -> DownloadLink:
    """A link to what ``request`` names; 404 for an empty part, 424 when the bytes cannot be served at all."""
    package = await load(deps, request.artifact_id)
    members = servable(package, await deps.index.files(package.artifact_id), request.part)
    seconds = deps.policy.link_seconds
    expires_at = deps.clock() + timedelta(seconds=seconds)
    only = members[0] if len(members) == 1 else None
    if only is not None and only.status == "stored" and only.sha256:
        filename = PurePosixPath(only.path).name
        url = await deps.blobs.presign_get(blob_key(only.sha256), expires_in=seconds, filename=filename)
        return DownloadLink(url=url, expires_at=expires_at, filename=filename, size=only.size or 0, sha256=only.sha256)
    target = LinkTarget(
        artifact_id=package.artifact_id, part=request.part.value, generation=package.generation,
        expires=int(expires_at.timestamp()),
    )  # fmt: skip
    url = link_url(deps.policy.byte_url, target, deps.policy.link_key)
    if only is not None:
        filename, size, sha256 = PurePosixPath(only.path).name, only.size, only.upstream_sha256
    else:
        filename, size, sha256 = await archive_of(package, request.part, members, deps)
    return DownloadLink(url=url, expires_at=expires_at, filename=filename, size=size, sha256=sha256)
