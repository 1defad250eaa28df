"""Downloads (``GET /download/{id}``) and the stored package of an artifact (our additions)."""

from aiohttp import web

from contracts import subjects
from contracts.storage import DownloadArtifact, DownloadLink, PackageView, Part, ReadPackage
from gateway.codec import artifact_id, artifact_type, bad_request, json_response
from gateway.context import actor, client, settings


async def artifact_download(request: web.Request) -> web.Response:
    """Redirect (302) to a time-limited URL of the whole package or ``?part=`` of it (presigned S3 for one stored
    file, storage-svc's byte endpoint otherwise), with the length and sha256 the download will have when known."""
    raw_part = request.query.get("part", Part.ALL.value)
    try:
        part = Part(raw_part)
    except ValueError as error:
        choices = ", ".join(p.value for p in Part)
        raise bad_request(f"part must be one of {choices} (got {raw_part!r}).") from error
    command = DownloadArtifact(id=artifact_id(request), part=part, actor=actor(request))
    link = await client(request).call(subjects.ARTIFACT_DOWNLOAD, command, DownloadLink)
    headers = {"Location": link.url, "Cache-Control": "no-store"}
    if link.size is not None:
        headers["X-Content-Length"] = str(link.size)
    if link.sha256:
        headers["X-Content-SHA256"] = link.sha256
    return web.Response(status=302, headers=headers)


async def artifact_package(request: web.Request) -> web.Response:
    """``GET /artifacts/{artifact_type}/{id}/package``: copy state, progress, files with sha256."""
    query = ReadPackage(type=artifact_type(request), id=artifact_id(request))
    return json_response(await client(request).call(subjects.ARTIFACT_PACKAGE, query, PackageView))


def download_url(request: web.Request, identifier: str) -> str:
    """Our own download URL of an artifact (``PUBLIC_URL`` or the request's host)."""
    base = settings(request).public_url or f"{request.scheme}://{request.host}"
    return f"{base.rstrip('/')}/download/{identifier}"
