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
from storage.ports import FileRecord, NeedsCredentials, Package, SourceMissing
from storage.usecases._common import release
from storage.usecases.build_archives import build_archives

FINISHED = {PackageState.READY, PackageState.PARTIAL, PackageState.NEEDS_CREDENTIALS, PackageState.FAILED}

log = structlog.get_logger()


BUSY_WAIT = 0.2


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
        return
    except SourceMissing as reason:
        await deps.index.set_state(package.artifact_id, package.generation, PackageState.FAILED, str(reason))
        return
    state, message = final_state(outcomes)
    await deps.index.set_state(package.artifact_id, package.generation, state, message)
    if package.source.kind is SourceKind.UPLOAD:
        await deps.blobs.delete(upload_key(package.source.repo_id))
    log.info("copy_finished", state=state.value, files=len(outcomes))


async def _plan(package: Package, deps: Deps) -> Package:
    """List the upstream files once per generation (a resumed job finds them recorded)."""
    if package.state is PackageState.QUEUED:
        plan = await deps.fetcher.plan(package.source, package.type)
        if not await deps.index.set_plan(package.artifact_id, package.generation, plan.files, plan.revision):
            raise StaleJob
    refreshed = await deps.index.get(package.artifact_id)
    if refreshed is None or refreshed.generation != package.generation:
        raise StaleJob
    return refreshed


async def _copy_file(package: Package, planned: FileRecord, deps: Deps) -> FileOutcome:
    if planned.status == "stored":
        return FileOutcome(stored=True)
    if planned.status == "skipped":
        return FileOutcome(stored=False, skipped_reason=planned.note)
    reason = over_limit(planned.size, deps.policy.max_file_bytes)
    if reason:
        if not await deps.index.file_skipped(package.artifact_id, package.generation, planned.path, reason):
            raise StaleJob
        return FileOutcome(stored=False, skipped_reason=reason)
    if planned.upstream_sha256 and await deps.index.claim_blob(planned.upstream_sha256) == "reused":
        # We already hold bytes whose sha256 is the one upstream publishes for this file: no transfer needed.
        if not await deps.index.file_stored(
            package.artifact_id, package.generation, planned.path, planned.upstream_sha256, planned.size or 0, True
        ):
            await release(deps, await deps.index.release_blob(planned.upstream_sha256))
            raise StaleJob
        return FileOutcome(stored=True)
    temporary = incoming_prefix(package.artifact_id) + uuid.uuid4().hex
    git = GitBlobHasher(planned.size) if planned.size is not None and planned.upstream_sha256 is None else None
    async with deps.fetcher.open(package.source, package.source.revision, planned.path) as chunks:
        result = await deps.blobs.upload_stream(
            temporary, _observed(chunks, package, deps, git), part_size=part_size_for(planned.size)
        )
    await _keep_blob(temporary, result.sha256, result.size, deps)
    verified = _verified(planned, result.sha256, git)
    if not await deps.index.file_stored(
        package.artifact_id, package.generation, planned.path, result.sha256, result.size, verified
    ):
        await release(deps, await deps.index.release_blob(result.sha256))
        raise StaleJob
    return FileOutcome(stored=True)


async def _keep_blob(temporary: str, sha256: str, size: int, deps: Deps) -> None:
    """Move the streamed bytes under their content address, or drop them if that blob exists already.

    A blob being deleted is waited for (its object must be gone before it can be written again), but not
    forever: if a deletion stalled (S3 failed half-way), the job fails and JetStream retries it later.
    """
    for _ in range(max(1, int(deps.policy.blob_busy_seconds / BUSY_WAIT))):
        claim = await deps.index.claim_blob(sha256)
        if claim == "reused":
            await deps.blobs.delete(temporary)
            return
        if claim == "absent":
            await deps.blobs.copy(temporary, blob_key(sha256))
            await deps.blobs.delete(temporary)
            await deps.index.add_blob(sha256, size)
            return
        await asyncio.sleep(BUSY_WAIT)
    raise BlobBusy(f"blob {sha256} stayed marked for deletion for {deps.policy.blob_busy_seconds:g} s")


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


def _verified(planned: FileRecord, sha256: str, git: GitBlobHasher | None) -> bool | None:
    if planned.upstream_sha256:
        return planned.upstream_sha256 == sha256
    if git is not None and planned.git_oid:
        return planned.git_oid == git.hexdigest()
    return None


async def give_up_copy(job: CopyJob, reason: str, deps: Deps) -> None:
    """Record that a copy failed for good (after repeated attempts)."""
    await deps.index.set_state(job.artifact_id, job.generation, PackageState.FAILED, reason)
