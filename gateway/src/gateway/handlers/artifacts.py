"""Artifact routes: register, read, update, delete, enumerate, search, audit."""

from aiohttp import web

from contracts import subjects
from contracts.artifacts import (
    Artifact,
    ArtifactList,
    ArtifactPage,
    AuditTrail,
    CreateArtifact,
    DeleteArtifact,
    FindByName,
    GetArtifact,
    QueryArtifacts,
    ReadAudit,
    SearchByRegex,
    UpdateArtifact,
)
from contracts.base import Empty
from gateway.codec import artifact_id, artifact_type, bad_request, json_response, models_json, read_body
from gateway.context import actor, client, settings
from gateway.handlers.downloads import download_url
from gateway.schemas import ArtifactDataIn, ArtifactIn, QueryList, RegexIn


async def artifact_create(request: web.Request) -> web.Response:
    """``POST /artifact/{artifact_type}`` → 201 with the stored artifact."""
    kind = artifact_type(request)
    body = await read_body(request, ArtifactDataIn)
    command = CreateArtifact(type=kind, url=body.url, name=body.name, actor=actor(request))
    created = await client(request).call(
        subjects.ARTIFACT_CREATE, command, Artifact, timeout=settings(request).ingest_timeout
    )
    return json_response(with_download_url(request, created), status=201)


async def artifact_retrieve(request: web.Request) -> web.Response:
    """``GET /artifacts/{artifact_type}/{id}``."""
    query = GetArtifact(type=artifact_type(request), id=artifact_id(request))
    found = await client(request).call(subjects.ARTIFACT_GET, query, Artifact)
    return json_response(with_download_url(request, found))


async def artifact_update(request: web.Request) -> web.Response:
    """``PUT /artifacts/{artifact_type}/{id}``: name and id in the body must match the path."""
    kind, identifier = artifact_type(request), artifact_id(request)
    body = await read_body(request, ArtifactIn)
    if body.metadata.id != identifier or body.metadata.type is not kind:
        raise bad_request("metadata.id and metadata.type must match the path.")
    command = UpdateArtifact(type=kind, id=identifier, name=body.metadata.name, url=body.data.url, actor=actor(request))
    await client(request).call(subjects.ARTIFACT_UPDATE, command, Artifact, timeout=settings(request).ingest_timeout)
    return json_response({"message": "Artifact is updated."})


async def artifact_delete(request: web.Request) -> web.Response:
    """``DELETE /artifacts/{artifact_type}/{id}``."""
    command = DeleteArtifact(type=artifact_type(request), id=artifact_id(request), actor=actor(request))
    await client(request).call(subjects.ARTIFACT_DELETE, command, Empty)
    return json_response({"message": "Artifact is deleted."})


async def artifacts_list(request: web.Request) -> web.Response:
    """``POST /artifacts``: one page; the ``offset`` header carries the cursor for the next one."""
    raw_offset = request.query.get("offset", "0") or "0"
    if not raw_offset.isdigit() or len(raw_offset) > 18:
        raise bad_request("offset must be a non-negative integer taken from a previous response.")
    queries = await read_body(request, QueryList)
    page = await client(request).call(
        subjects.ARTIFACT_QUERY, QueryArtifacts(queries=queries.root, after=int(raw_offset)), ArtifactPage
    )
    response = models_json(page.items)
    response.headers["offset"] = str(page.cursor)
    response.headers["X-Has-More"] = "true" if page.has_more else "false"
    return response


async def artifact_by_name_get(request: web.Request) -> web.Response:
    """``GET /artifact/byName/{name}``: exact and case-sensitive."""
    name = request.match_info["name"]
    found = await client(request).call(subjects.ARTIFACT_BY_NAME, FindByName(name=name), ArtifactList)
    return models_json(found.items)


async def artifact_by_regex_get(request: web.Request) -> web.Response:
    """``POST /artifact/byRegEx`` over names and README/card text."""
    body = await read_body(request, RegexIn)
    # The catalog's answer is the response body already (``ENCODED_REPLIES``): a large one is passed on as it is.
    found = await client(request).call_encoded(subjects.ARTIFACT_BY_REGEX, SearchByRegex(regex=body.regex))
    return web.Response(body=found, content_type="application/json")


async def artifact_audit_get(request: web.Request) -> web.Response:
    """``GET /artifact/{artifact_type}/{id}/audit``."""
    query = ReadAudit(type=artifact_type(request), id=artifact_id(request), actor=actor(request))
    trail = await client(request).call(subjects.ARTIFACT_AUDIT, query, AuditTrail)
    return models_json(trail.items)


def with_download_url(request: web.Request, artifact: Artifact) -> Artifact:
    """The artifact with ``data.download_url`` pointing at our own download route."""
    data = artifact.data.model_copy(update={"download_url": download_url(request, artifact.metadata.id)})
    return artifact.model_copy(update={"data": data})
