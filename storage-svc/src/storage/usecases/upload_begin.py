"""Open an upload slot: a presigned PUT URL for one file of a declared size, registered as an artifact afterwards.

The size is part of the URL's signature, so S3 itself refuses a body of any other length: a slot cannot be used
to store more than was declared and allowed. Each slot counts against its owner's quota until it is swept
(never registered) or its artifact is deleted.
"""

import uuid
from datetime import timedelta

from contracts.errors import ErrorCode, ServiceFailure
from contracts.storage import BeginUpload, UploadSlot
from storage.deps import Deps
from storage.domain.files import upload_key
from storage.domain.packages import over_capacity


async def upload_begin(command: BeginUpload, deps: Deps) -> UploadSlot:
    """A fresh slot for ``command.size`` bytes; 413 past the per-file limit or the owner's quota, 507 past the
    deployment's storage capacity."""
    limit, quota = deps.policy.upload_max_bytes, deps.policy.upload_quota_bytes
    if command.size > limit:
        raise ServiceFailure(
            ErrorCode.TOO_LARGE,
            f"{command.filename} is {command.size:,} bytes; uploads may be {limit:,} bytes at most.",
        )
    upload_id = uuid.uuid4().hex
    seconds = deps.policy.link_seconds
    now = deps.clock()

    def admit(held: int, committed: int) -> None:  # read under the index's capacity lock: racing slots queue
        if held + command.size > quota:
            raise ServiceFailure(
                ErrorCode.TOO_LARGE,
                f"This upload would exceed your quota: you hold {held:,} bytes of uploads and may hold {quota:,}; "
                "delete some of your uploaded artifacts first.",
            )
        full = over_capacity(committed, command.size, deps.policy.capacity_bytes)
        if full:
            raise ServiceFailure(ErrorCode.INSUFFICIENT_STORAGE, f"The registry's storage is full: {full}.")

    await deps.blobs.ensure_bucket()
    await deps.index.add_upload_slot(upload_id, command.owner, command.size, now, admit)
    url = await deps.blobs.presign_put(upload_key(upload_id), expires_in=seconds, content_length=command.size)
    return UploadSlot(upload_id=upload_id, put_url=url, expires_at=now + timedelta(seconds=seconds))
