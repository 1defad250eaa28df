"""The bytes a signed link serves, from the first second after ingest: stored files from S3, the others streamed
through from the upstream and checked as they pass (a pull-through cache), several files as a tar built on the fly.

Nothing is stored twice: an archive is never written to S3, it is assembled from the blobs (and the upstream) for
each download. A file that failed its checks is never served; a file whose bytes turn out wrong while streaming
ends the response short (``storage.domain.verify``), so a client never holds a complete wrong file.
"""

from collections.abc import AsyncGenerator
from dataclasses import dataclass
from pathlib import PurePosixPath

import structlog

from contracts.errors import ErrorCode, ServiceFailure
from contracts.storage import PackageState, Part
from storage.deps import Deps
from storage.domain.files import blob_key
from storage.domain.links import LinkTarget
from storage.domain.tar import archive_size, end_of_archive, member_header, padding
from storage.domain.verify import Expected, verified
from storage.ports import FileRecord, Package
from storage.usecases._common import load

log = structlog.get_logger()


@dataclass(frozen=True)
class ByteStream:
    """What a download response carries: its length (None when the upstream states none), name, checksum, bytes."""

    size: int | None
    filename: str
    sha256: str | None
    chunks: AsyncGenerator[bytes, None]


def servable(package: Package, records: list[FileRecord], part: Part, path: str = "") -> list[FileRecord]:
    """The files a download of ``part`` (or of ``path`` in it) serves; 404 when there are none, 424 when one of
    them failed its checks or the package's bytes cannot be fetched at all."""
    unreachable = package.state is PackageState.NEEDS_CREDENTIALS or (not records and bool(package.message))
    members = [f for f in records if (part is Part.ALL or f.part is part) and (not path or f.path == path)]
    if unreachable and not (members and all(f.status == "stored" for f in members)):
        raise ServiceFailure(
            ErrorCode.FAILED_DEPENDENCY, f"The bytes of this artifact are not stored: {package.message}."
        )
    if not members:
        raise ServiceFailure(ErrorCode.NOT_FOUND, f"This package has no {path or part.value} files.")
    failed = [f for f in members if f.status == "failed"]
    if failed:
        raise ServiceFailure(
            ErrorCode.FAILED_DEPENDENCY,
            f"{len(failed)} file(s) of this download differ from what the upstream publishes and are never "
            f"served: {'; '.join(f.note for f in failed)}.",
        )
    return members


async def stream_package(target: LinkTarget, deps: Deps) -> ByteStream:
    """The stream a valid link names; 410 when the package was re-sourced or deleted since the link was made."""
    package = await load(deps, target.artifact_id)
    if package.generation != target.generation:
        raise ServiceFailure(ErrorCode.GONE, "This artifact changed since the link was made: ask for a new one.")
    part = Part(target.part)
    members = servable(package, await deps.index.files(package.artifact_id), part, target.path)
    if len(members) == 1:
        only = members[0]
        name = PurePosixPath(only.path).name
        return ByteStream(only.size, name, only.sha256 or only.upstream_sha256, _file_bytes(package, only, deps))
    unsized = [f.path for f in members if f.size is None]
    if unsized:
        raise ServiceFailure(
            ErrorCode.CONFLICT, f"The size of {unsized[0]} is not known until its copy ends; try again shortly."
        )
    filename, size, sha256 = await archive_of(package, part, members, deps)
    return ByteStream(size, filename, sha256, tar_stream(package, members, deps))


async def archive_of(
    package: Package, part: Part, members: list[FileRecord], deps: Deps
) -> tuple[str, int, str | None]:
    """File name, exact size and (once every member is stored) sha256 of the archive of ``members``."""
    archive = await deps.index.archive(package.artifact_id, part)
    size = archive_size([(f.path, f.size or 0) for f in members])
    return f"{package.artifact_id}-{part.value}.tar", size, archive.sha256 if archive else None


async def tar_stream(package: Package, members: list[FileRecord], deps: Deps) -> AsyncGenerator[bytes, None]:
    """The tar of ``members`` (in path order), each body from its blob or, not stored yet, the upstream."""
    for member in members:
        size = member.size or 0
        yield member_header(member.path, size)
        async for chunk in _file_bytes(package, member, deps):
            yield chunk
        yield padding(size)
    yield end_of_archive()


async def _file_bytes(package: Package, record: FileRecord, deps: Deps) -> AsyncGenerator[bytes, None]:
    """One file's bytes: its blob when stored, else the upstream's, checked against what it publishes."""
    if record.status == "stored" and record.sha256:
        async for chunk in deps.blobs.read_stream(blob_key(record.sha256)):
            yield chunk
        return
    log.info("stream_through", path=record.path, size=record.size)
    expected = Expected(size=record.size, sha256=record.upstream_sha256, git_oid=record.git_oid)
    async with deps.fetcher.open(package.source, package.source.revision, record.path) as chunks:
        async for chunk in verified(chunks, expected):
            yield chunk
