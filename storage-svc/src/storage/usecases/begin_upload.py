"""Open an upload slot: a presigned PUT URL for one file, registered as an artifact afterwards."""

import uuid
from datetime import timedelta

from contracts.storage import BeginUpload, UploadSlot
from storage.deps import Deps
from storage.domain.files import upload_key


async def begin_upload(command: BeginUpload, deps: Deps) -> UploadSlot:
    """A fresh slot; the client PUTs the file's bytes straight to S3, then registers the upload id."""
    await deps.blobs.ensure_bucket()
    upload_id = uuid.uuid4().hex
    seconds = deps.policy.link_seconds
    url = await deps.blobs.presign_put(upload_key(upload_id), expires_in=seconds)
    return UploadSlot(upload_id=upload_id, put_url=url, expires_at=deps.clock() + timedelta(seconds=seconds))
