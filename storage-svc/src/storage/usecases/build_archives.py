"""The checksum of each archive a finished copy can serve: the whole package and each part with several files.

Archives are never stored (``stream_package`` assembles them from the blobs for every download); what is kept is
their size and sha256, computed here once by streaming the archive through the hash, so every download can carry
``X-Content-SHA256`` and the package view lists it. A part with a file that is not stored gets none until it is.
"""

import hashlib

from contracts.storage import Part
from storage.deps import Deps
from storage.ports import Archive, Package
from storage.usecases.stream_package import tar_stream


async def build_archives(package: Package, deps: Deps) -> None:
    """Record size and sha256 of every archive of ``package`` whose files are all stored."""
    records = await deps.index.files(package.artifact_id)
    for part in Part:
        members = [f for f in records if part is Part.ALL or f.part is part]
        if len(members) < 2 or any(f.status != "stored" for f in members):
            continue
        if await deps.index.archive(package.artifact_id, part) is not None:
            continue
        digest, size = hashlib.sha256(), 0
        async for chunk in tar_stream(package, members, deps):
            digest.update(chunk)
            size += len(chunk)
        archive = Archive(part=part, key="", size=size, sha256=digest.hexdigest())
        if not await deps.index.add_archive(package.artifact_id, package.generation, archive):
            return
