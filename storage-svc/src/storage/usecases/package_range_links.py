"""Presigned links that read a package's files by byte range, for scoring-svc's scan of uploaded model files.

A stored file is read at its content address (immutable); an uploaded file whose copy has not finished yet at its
upload object (the copy removes that object once the file is stored: a reader that then gets 404 asks again and is
sent to the stored blob, the same bytes). That object's link is conditional on the version recorded at registration
(``storage.domain.pinned``, its condition signed into the link): bytes PUT there since answer 412, so the scan
never reads what the copy will refuse to store. Files whose bytes are not in the bucket (an upstream file not copied yet,
skipped or failed) get no link. S3 serves ``Range`` on every such link, so a reader fetches only what it parses.
"""

from datetime import timedelta

from contracts.storage import RangeLink, RangeLinks, RangeLinksQuery, SourceKind
from storage.deps import Deps
from storage.domain.files import blob_key, upload_key
from storage.domain.pinned import Pinned
from storage.ports import FileRecord, Package
from storage.usecases._common import load


async def package_range_links(query: RangeLinksQuery, deps: Deps) -> RangeLinks:
    """Every file of the package with a ranged-read link where its bytes are in the bucket; 404 for no package."""
    package = await load(deps, query.artifact_id)
    seconds = deps.policy.link_seconds
    files = [await _link(package, record, seconds, deps) for record in await deps.index.files(package.artifact_id)]
    return RangeLinks(
        artifact_id=package.artifact_id, files=files, expires_at=deps.clock() + timedelta(seconds=seconds)
    )


async def _link(package: Package, record: FileRecord, seconds: int, deps: Deps) -> RangeLink:
    size = record.size or 0
    if record.status == "stored" and record.sha256:
        key, pinned = blob_key(record.sha256), None
    elif record.status == "pending" and package.source.kind is SourceKind.UPLOAD:
        key, pinned = upload_key(package.source.repo_id), Pinned.of(package.source.revision)
    else:
        why = record.note or f"its bytes are not in the registry's storage ({record.status})"
        return RangeLink(path=record.path, size=size, note=why)
    url = await deps.blobs.presign_get(key, expires_in=seconds, pinned=pinned)
    headers = pinned.read_headers() if pinned is not None else {}
    return RangeLink(path=record.path, size=size, url=url, stored=record.status == "stored", headers=headers)
