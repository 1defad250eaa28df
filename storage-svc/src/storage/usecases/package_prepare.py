"""Record a package with its planned files, and queue the copy of its bytes (before the catalog makes the artifact
visible).

The file list with the sizes and sha256 the upstream publishes is read here, once, before the artifact exists for
users: from its first second, cost and the rating's size use those figures, the package view shows what is planned,
and downloads can stream what is not stored yet.
"""

import uuid

from contracts.errors import ErrorCode, ServiceFailure
from contracts.storage import PackageState, PackageStatus, PreparePackage, SourceKind
from storage.deps import Deps
from storage.domain.files import upload_key
from storage.domain.packages import bytes_to_store, over_capacity
from storage.ports import NeedsCredentials, SourceMissing, SourcePlan, SourceUnavailable
from storage.usecases._common import release, status_of


async def package_prepare(command: PreparePackage, deps: Deps) -> PackageStatus:
    """Check storage is reachable, list the upstream files, record the package (replacing an older source) and
    queue its copy; 502 when the upstream cannot list the files now, 400 when it says they do not exist, 507 when
    they do not fit the deployment's storage capacity (nothing recorded)."""
    await deps.blobs.ensure_bucket()
    if command.source.kind is SourceKind.UPLOAD and await deps.blobs.size(upload_key(command.source.repo_id)) is None:
        raise ServiceFailure(ErrorCode.BAD_REQUEST, "Nothing was uploaded under this upload id (or the slot expired).")
    plan, unlisted = await _plan(command, deps)
    hold = None
    if plan is not None and command.source.kind is not SourceKind.UPLOAD:  # an upload's bytes were reserved already
        hold = await _hold_capacity(plan, deps)
    try:
        package, unreferenced = await deps.index.create(command.artifact_id, command.type, command.source)
        await release(deps, unreferenced)
        if plan is not None:
            await deps.index.set_plan(package.artifact_id, package.generation, plan.files, plan.revision)
            await deps.jobs.enqueue(package.artifact_id, package.generation)
        else:
            state = PackageState.NEEDS_CREDENTIALS
            await deps.index.set_state(package.artifact_id, package.generation, state, unlisted)
    finally:
        if hold is not None:  # the planned files count from now on (or nothing was recorded)
            await deps.index.release_hold(hold)
    refreshed = await deps.index.get(package.artifact_id)
    return status_of(refreshed or package)


async def _hold_capacity(plan: SourcePlan, deps: Deps) -> str | None:
    """Hold the plan's bytes if they fit the deployment's capacity (checked under the index's capacity lock, with
    every other ingest's and upload's bytes counted); 507 before anything is recorded or copied when they do not.
    The hold's id, or None without a capacity."""
    capacity = deps.policy.capacity_bytes
    if capacity is None:
        return None
    sizes = [f.size if f.size is not None else f.estimate for f in plan.files]
    wanted = bytes_to_store(sizes, deps.policy.max_file_bytes)

    def admit(committed: int) -> None:
        reason = over_capacity(committed, wanted, capacity)
        if reason:
            raise ServiceFailure(ErrorCode.INSUFFICIENT_STORAGE, f"The registry's storage is full: {reason}.")

    hold = uuid.uuid4().hex
    await deps.index.hold_bytes(hold, wanted, deps.clock(), admit)
    return hold


async def _plan(command: PreparePackage, deps: Deps) -> tuple[SourcePlan | None, str]:
    """The upstream's file list, or None with the reason when this deployment cannot fetch the files."""
    try:
        return await deps.fetcher.plan(command.source, command.type), ""
    except NeedsCredentials as reason:
        return None, str(reason)
    except SourceMissing as error:
        raise ServiceFailure(ErrorCode.BAD_REQUEST, f"The source's files cannot be listed: {error}.") from error
    except SourceUnavailable as error:
        raise ServiceFailure(ErrorCode.UPSTREAM_FAILED, f"The source's files cannot be listed now: {error}.") from error
