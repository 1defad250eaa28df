"""The background copy of a package: plan the files, stream each into content-addressed storage, archive.

Runs as a durable job. Every step is recorded in the index, so a replica that dies half-way leaves a job
that another replica (or the restarted one) resumes: stored files are skipped, bytes of an interrupted file
are discarded and that file starts again.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator

import structlog

from contracts.storage import CopyJob, PackageState, SourceKind
from storage.deps import Deps
from storage.domain.files import GitBlobHasher, blob_key, incoming_prefix, part_size_for, upload_key
from storage.domain.packages import FileOutcome, final_state, over_limit
from storage.domain.verify import ContentMismatch, Expected
from storage.ports import Claim, FileRecord, NeedsCredentials, Package, SourceChanged, SourceMissing
from storage.usecases._common import release
from storage.usecases.announce_copy import announce_copy
from storage.usecases.build_archives import build_archives

FINISHED = {PackageState.READY, PackageState.PARTIAL, PackageState.NEEDS_CREDENTIALS, PackageState.FAILED}

log = structlog.get_logger()


BUSY_WAIT = 0.2
CHANGED = (
    "the uploaded object was written again after its registration: those bytes are not the ones registered and "
    "scanned, so they are neither stored nor served; upload the file again"
)


class BlobBusy(Exception):
    """A blob this copy needs stays marked for deletion; the job is retried later."""


class StaleJob(Exception):
    """The package was re-sourced or deleted while this job ran."""


async def copy_package(job: CopyJob, deps: Deps) -> None:
    """Run one copy job to its end; ``SourceUnavailable`` and S3 outages propagate so the job is retried."""
    package = await deps.index.get(job.artifact_id)
    if package is None or package.generation != job.generation or package.state in FINISHED:
        return
    structlog.contextvars.bind_contextvars(artifact_id=job.artifact_id, generation=job.generation)
    await deps.blobs.delete_prefix(incoming_prefix(job.artifact_id))
    try:
        package = await _plan(package, deps)
        outcomes = [await _copy_file(package, f, deps) for f in await deps.index.files(package.artifact_id)]
        await build_archives(package, deps)
    except StaleJob:
        await deps.blobs.delete_prefix(incoming_prefix(job.artifact_id))
        log.info("copy_abandoned", reason="the package was deleted or re-sourced meanwhile")
        return
    except NeedsCredentials as reason:
        await deps.index.set_state(package.artifact_id, package.generation, PackageState.NEEDS_CREDENTIALS, str(reason))
        await announce_copy(deps, package.artifact_id, PackageState.NEEDS_CREDENTIALS, str(reason))
        return
    except SourceMissing as reason:
        await deps.index.set_state(package.artifact_id, package.generation, PackageState.FAILED, str(reason))
        await announce_copy(deps, package.artifact_id, PackageState.FAILED, str(reason))
        return
    state, message = final_state(outcomes)
    await deps.index.set_state(package.artifact_id, package.generation, state, message)
    await announce_copy(deps, package.artifact_id, state, message)
    if package.source.kind is SourceKind.UPLOAD:
        await deps.blobs.delete(upload_key(package.source.repo_id))
    log.info("copy_finished", state=state.value, files=len(outcomes))


async def _plan(package: Package, deps: Deps) -> Package:
    """The package with its planned files (listed at ingest; listed here for a package recorded before that), now
    ``copying``."""
    if not package.planned:
        plan = await deps.fetcher.plan(package.source, package.type)
        if not await deps.index.set_plan(package.artifact_id, package.generation, plan.files, plan.revision):
            raise StaleJob
    if package.state is PackageState.QUEUED:
        await deps.index.set_state(package.artifact_id, package.generation, PackageState.COPYING)
    refreshed = await deps.index.get(package.artifact_id)
    if refreshed is None or refreshed.generation != package.generation:
        raise StaleJob
    return refreshed


async def _copy_file(package: Package, planned: FileRecord, deps: Deps) -> FileOutcome:
    if planned.status == "stored":
        return FileOutcome(stored=True)
    if planned.status in ("skipped", "failed"):
        return FileOutcome(stored=False, skipped_reason=planned.note, failed=planned.status == "failed")
    reason = over_limit(planned.size, deps.policy.max_file_bytes)
    if reason:
        if not await deps.index.file_skipped(package.artifact_id, package.generation, planned.path, reason):
            raise StaleJob
        return FileOutcome(stored=False, skipped_reason=reason)
    wrong = ""
    for attempt in range(deps.policy.verify_attempts):
        if attempt:
            await asyncio.sleep(deps.policy.retry_seconds * 2 ** (attempt - 1))
        try:
            sha256, size = await _transfer(package, planned, deps)
        except ContentMismatch as mismatch:
            wrong = str(mismatch)
            log.warning("copy_mismatch", path=planned.path, attempt=attempt + 1, reason=wrong)
            continue
        except SourceChanged as changed:
            log.warning("copy_source_changed", path=planned.path, reason=str(changed))
            return await _failed(package, planned, f"{planned.path}: {CHANGED}", deps)
        recorded = await deps.index.file_stored(
            package.artifact_id, package.generation, planned.path, sha256, size, _verified(planned)
        )
        if not recorded:
            await release(deps, await deps.index.release_blob(sha256))
            raise StaleJob
        return FileOutcome(stored=True)
    return await _failed(
        package, planned, f"{planned.path}: {wrong} (after {deps.policy.verify_attempts} attempts)", deps
    )


async def _failed(package: Package, planned: FileRecord, reason: str, deps: Deps) -> FileOutcome:
    """Record the file as failed for good: never stored, never served, the package view says why."""
    if not await deps.index.file_failed(package.artifact_id, package.generation, planned.path, reason):
        raise StaleJob
    return FileOutcome(stored=False, skipped_reason=reason, failed=True)


def _verified(planned: FileRecord) -> bool | None:
    """A stored file is verified when the upstream published a checksum (a mismatch is never stored)."""
    return True if planned.upstream_sha256 or planned.git_oid else None


async def _transfer(package: Package, planned: FileRecord, deps: Deps) -> tuple[str, int]:
    """Bring the file's bytes under their content address, holding one reference; ``ContentMismatch`` keeps none.

    With a published sha256 the bytes are written once, straight to that address, and kept only if they match
    (or not fetched at all when that blob is held already). Otherwise they go to a temporary key, are checked
    against the published size and git blob id, and move to the address their sha256 gives.
    """
    expected = Expected(size=planned.size, sha256=planned.upstream_sha256, git_oid=planned.git_oid)
    if planned.upstream_sha256:
        if await _claim(planned.upstream_sha256, deps) == "reused":
            return planned.upstream_sha256, planned.size or 0
        async with deps.fetcher.open(package.source, package.source.revision, planned.path) as chunks:
            result = await deps.blobs.upload_stream(
                blob_key(planned.upstream_sha256), _observed(chunks, package, deps, None),
                part_size=part_size_for(planned.size), expect=expected,
            )  # fmt: skip
        await deps.index.add_blob(result.sha256, result.size)
        return result.sha256, result.size
    temporary = incoming_prefix(package.artifact_id) + uuid.uuid4().hex
    git = GitBlobHasher(planned.size) if planned.size is not None and planned.git_oid else None
    async with deps.fetcher.open(package.source, package.source.revision, planned.path) as chunks:
        result = await deps.blobs.upload_stream(
            temporary, _observed(chunks, package, deps, git), part_size=part_size_for(planned.size), expect=expected
        )
    wrong = expected.mismatch(result.size, result.sha256, git.hexdigest() if git is not None else None)
    if wrong:
        await deps.blobs.delete(temporary)
        raise ContentMismatch(wrong)
    await _keep_blob(temporary, result.sha256, result.size, deps)
    return result.sha256, result.size


async def _claim(sha256: str, deps: Deps) -> Claim:
    """A reference on the held blob ("reused"), or "absent" once no deletion of its object is under way.

    A blob being deleted is waited for (its object must be gone before it can be written again), but not
    forever: if a deletion stalled (S3 failed half-way), the job fails and JetStream retries it later.
    """
    for _ in range(max(1, int(deps.policy.blob_busy_seconds / BUSY_WAIT))):
        claim = await deps.index.claim_blob(sha256)
        if claim != "busy":
            return claim
        await asyncio.sleep(BUSY_WAIT)
    raise BlobBusy(f"blob {sha256} stayed marked for deletion for {deps.policy.blob_busy_seconds:g} s")


async def _keep_blob(temporary: str, sha256: str, size: int, deps: Deps) -> None:
    """Move the streamed bytes under their content address, or drop them if that blob exists already."""
    if await _claim(sha256, deps) == "reused":
        await deps.blobs.delete(temporary)
        return
    await deps.blobs.copy(temporary, blob_key(sha256))
    await deps.blobs.delete(temporary)
    await deps.index.add_blob(sha256, size)


async def _observed(
    chunks: AsyncIterator[bytes], package: Package, deps: Deps, git: GitBlobHasher | None
) -> AsyncIterator[bytes]:
    copied, reported = 0, 0
    async for chunk in chunks:
        if git is not None:
            git.update(chunk)
        copied += len(chunk)
        if copied - reported >= deps.policy.progress_every_bytes:
            reported = copied
            await deps.index.copying(package.artifact_id, package.generation, copied)
        yield chunk


async def give_up_copy(job: CopyJob, reason: str, deps: Deps) -> None:
    """Record that a copy failed for good (after repeated attempts)."""
    await deps.index.set_state(job.artifact_id, job.generation, PackageState.FAILED, reason)
    await announce_copy(deps, job.artifact_id, PackageState.FAILED, reason)
