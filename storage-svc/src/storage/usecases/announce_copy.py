"""Announce a copy's end (``copy.finished`` or ``copy.failed``) to webhook-svc through the events stream.

storage-svc does not know who owns an artifact; webhook-svc takes the owner the catalog's events named."""

from contracts.storage import PackageState
from contracts.webhooks import EventType, RegistryEvent
from storage.deps import Deps
from svckit.clock import utc_now

SUCCEEDED = {PackageState.READY, PackageState.PARTIAL}


async def announce_copy(deps: Deps, artifact_id: str, state: PackageState, message: str) -> None:
    """Publish the event of a copy that ended in ``state`` (``message`` says why when it failed)."""
    package = await deps.index.get(artifact_id)
    if package is None:
        return
    data: dict[str, object] = {
        "id": artifact_id, "type": package.type.value, "state": state.value,
        "bytes": package.bytes_done, "files": package.files_done,
    }  # fmt: skip
    kind = EventType.COPY_FINISHED if state in SUCCEEDED else EventType.COPY_FAILED
    if kind is EventType.COPY_FAILED or message:
        data["reason"] = message
    await deps.jobs.announce(RegistryEvent(type=kind, timestamp=utc_now(), artifact_id=artifact_id, data=data))
