"""Empty storage, at a registry reset."""

from contracts.artifacts import ResetRequest
from contracts.base import Empty
from storage.deps import Deps


async def storage_reset(_: ResetRequest, deps: Deps) -> Empty:
    """Drop queued copies, the index and every object in the bucket."""
    await deps.jobs.purge()
    await deps.index.clear()
    await deps.blobs.empty_bucket()
    return Empty()
