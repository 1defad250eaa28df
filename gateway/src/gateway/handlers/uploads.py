"""Uploading a package (our addition): a presigned PUT slot, then registration of what was put."""

from aiohttp import web

from contracts import subjects
from contracts.artifacts import Artifact
from contracts.storage import BeginUpload, RegisterUpload, UploadSlot
from gateway.codec import artifact_type, json_response, read_body
from gateway.context import actor, client, settings
from gateway.handlers.artifacts import with_download_url
from gateway.schemas import UploadCompleteIn, UploadStartIn


async def artifact_upload_begin(request: web.Request) -> web.Response:
    """``POST /artifact/{artifact_type}/upload`` {filename, size} → 201 {upload_id, put_url, expires_at,
    complete_url}; the PUT URL accepts exactly ``size`` bytes."""
    kind = artifact_type(request)
    body = await read_body(request, UploadStartIn)
    command = BeginUpload(filename=body.filename, size=body.size, owner=actor(request).name)
    slot = await client(request).call(subjects.UPLOAD_BEGIN, command, UploadSlot)
    complete = f"/artifact/{kind.value}/upload/{slot.upload_id}"
    return json_response({**slot.model_dump(mode="json"), "filename": body.filename, "complete_url": complete}, 201)


async def artifact_upload_complete(request: web.Request) -> web.Response:
    """``POST /artifact/{artifact_type}/upload/{upload_id}`` {name, filename[, card]} → 201 with the artifact."""
    body = await read_body(request, UploadCompleteIn)
    command = RegisterUpload(
        type=artifact_type(request),
        upload_id=request.match_info["upload_id"],
        filename=body.filename,
        name=body.name,
        card=body.card,
        actor=actor(request),
    )
    created = await client(request).call(
        subjects.ARTIFACT_REGISTER_UPLOAD, command, Artifact, timeout=settings(request).ingest_timeout
    )
    return json_response(with_download_url(request, created), status=201)
