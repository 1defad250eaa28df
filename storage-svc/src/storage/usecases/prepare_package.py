"""Record a package with its planned files, and queue the copy of its bytes (before the catalog makes the artifact
visible).

The file list with the sizes and sha256 the upstream publishes is read here, once, before the artifact exists for
users: from its first second, cost and the rating's size use those figures, the package view shows what is planned,
and downloads can stream what is not stored yet.
"""

from contracts.errors import ErrorCode, ServiceFailure
from contracts.storage import PackageState, PackageStatus, PreparePackage, SourceKind
from storage.deps import Deps
from storage.domain.files import upload_key
from storage.domain.packages import bytes_to_store, over_capacity
from storage.ports import NeedsCredentials, SourceMissing, SourcePlan, SourceUnavailable
from storage.usecases._common import release, status_of


async def prepare_package(command: PreparePackage, deps: Deps) -> PackageStatus:
    """Check storage is reachable, list the upstream files, record the package (replacing an older source) and
    queue its copy; 502 when the upstream cannot list the files now, 400 when it says they do not exist, 507 when
    they do not fit the deployment's storage capacity (nothing recorded)."""
    await deps.blobs.ensure_bucket()
    if command.source.kind is SourceKind.UPLOAD and await deps.blobs.size(upload_key(command.source.repo_id)) is None:
        raise ServiceFailure(ErrorCode.BAD_REQUEST, "Nothing was uploaded under this upload id (or the slot expired).")
    plan, unlisted = await _plan(command, deps)
    if plan is not None and command.source.kind is not SourceKind.UPLOAD:  # an upload's bytes were reserved already
        await _check_capacity(plan, deps)
    package, unreferenced = await deps.index.create(command.artifact_id, command.type, command.source)
    await release(deps, unreferenced)
    if plan is not None:
        await deps.index.set_plan(package.artifact_id, package.generation, plan.files, plan.revision)
        await deps.jobs.enqueue(package.artifact_id, package.generation)
    else:
        await deps.index.set_state(package.artifact_id, package.generation, PackageState.NEEDS_CREDENTIALS, unlisted)
    refreshed = await deps.index.get(package.artifact_id)
    return status_of(refreshed or package)


async def _check_capacity(plan: SourcePlan, deps: Deps) -> None:
    """507 before anything is recorded or copied when the plan's bytes do not fit the deployment's capacity."""
    if deps.policy.capacity_bytes is None:
        return
    sizes = [f.size if f.size is not None else f.estimate for f in plan.files]
    wanted = bytes_to_store(sizes, deps.policy.max_file_bytes)
    reason = over_capacity(await deps.index.committed_bytes(), wanted, deps.policy.capacity_bytes)
    if reason:
        raise ServiceFailure(ErrorCode.INSUFFICIENT_STORAGE, f"The registry's storage is full: {reason}.")


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
