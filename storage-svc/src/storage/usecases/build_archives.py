"""Archives for downloads: the whole package and each part with several files, streamed from the blobs.

A part made of one file needs no archive (its blob is served directly); a part with a file that was not
stored gets none (its download explains why instead of serving an incomplete archive).
"""

from collections.abc import AsyncIterator

from contracts.storage import Part
from storage.deps import Deps
from storage.domain.files import archive_key, blob_key
from storage.domain.tar import end_of_archive, member_header, padding
from storage.ports import Archive, FileRecord, Package


async def build_archives(package: Package, deps: Deps) -> None:
    """Build the archives a finished copy can serve."""
    records = await deps.index.files(package.artifact_id)
    for part in Part:
        members = [f for f in records if part is Part.ALL or f.part is part]
        if len(members) < 2 or any(f.status != "stored" for f in members):
            continue
        if await deps.index.archive(package.artifact_id, part) is not None:
            continue
        key = archive_key(package.artifact_id, part)
        result = await deps.blobs.upload_stream(key, _tar(members, deps))
        archive = Archive(part=part, key=key, size=result.size, sha256=result.sha256)
        if not await deps.index.add_archive(package.artifact_id, package.generation, archive):
            await deps.blobs.delete(key)
            return


async def _tar(members: list[FileRecord], deps: Deps) -> AsyncIterator[bytes]:
    for member in members:
        assert member.sha256 is not None
        size = member.size or 0
        yield member_header(member.path, size)
        async for chunk in deps.blobs.read_stream(blob_key(member.sha256)):
            yield chunk
        yield padding(size)
    yield end_of_archive()
