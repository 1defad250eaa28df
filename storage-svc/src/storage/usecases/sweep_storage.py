"""The periodic sweep: reclaim what failures and abandoned uploads leave behind in S3.

- blobs marked ``deleting`` whose object survived (S3 failed while it was being deleted): deleted, then forgotten;
- multipart uploads started more than ``stale_seconds`` ago (a replica killed mid-copy; a running copy of a huge
  file is younger than that): aborted;
- upload slots (``uploads/<id>``) never registered as a package, older than ``stale_seconds``: deleted;
- temporary copy keys (``incoming/``) older than ``stale_seconds``: deleted (a copy job clears its own on start);
- capacity holds older than ``stale_seconds`` (a replica died while recording an ingest's plan): dropped.

Every step is idempotent, so replicas may sweep at the same time.
"""

from dataclasses import dataclass
from datetime import timedelta

import structlog

from storage.deps import Deps
from storage.usecases._common import release

UPLOADS = "uploads/"
INCOMING = "incoming/"

log = structlog.get_logger()


@dataclass(frozen=True)
class Swept:
    """What one sweep reclaimed, by kind."""

    blobs: int
    multipart_uploads: int
    upload_slots: int
    incoming: int

    def counts(self) -> dict[str, int]:
        """Counts by kind, for metrics and logs."""
        return {
            "blob": self.blobs,
            "multipart_upload": self.multipart_uploads,
            "upload_slot": self.upload_slots,
            "incoming": self.incoming,
        }


async def sweep_storage(deps: Deps) -> Swept:
    """Run one sweep (see the module's documentation)."""
    before = deps.clock() - timedelta(seconds=deps.policy.stale_seconds)
    stuck = await deps.index.deleting_blobs()
    await release(deps, stuck)
    aborted = await deps.blobs.abort_stale_uploads(before)
    slots = await deps.blobs.stale_objects(UPLOADS, before)
    in_use = await deps.index.uploads_in_use([key.removeprefix(UPLOADS) for key in slots])
    orphans = [key for key in slots if key.removeprefix(UPLOADS) not in in_use]
    leftovers = await deps.blobs.stale_objects(INCOMING, before)
    await deps.blobs.delete_many(orphans + leftovers)
    await deps.index.forget_upload_slots([key.removeprefix(UPLOADS) for key in orphans])
    await deps.index.forget_holds_before(before)
    swept = Swept(len(stuck), aborted, len(orphans), len(leftovers))
    log.info("storage_swept", **swept.counts())
    return swept
