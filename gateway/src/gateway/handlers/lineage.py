"""Lineage, cost and licence-check routes (lineage-svc)."""

from aiohttp import web

from contracts import subjects
from contracts.lineage import CostQuery, CostReport, LicenseAnswer, LicenseQuery, LineageGraph, NodeRef
from gateway.codec import artifact_id, artifact_type, bad_request, json_response, read_body
from gateway.context import client
from gateway.schemas import LicenseCheckIn


async def artifact_lineage_get(request: web.Request) -> web.Response:
    """``GET /artifact/model/{id}/lineage``."""
    graph = await client(request).call(subjects.LINEAGE_GRAPH, NodeRef(artifact_id=artifact_id(request)), LineageGraph)
    return json_response(graph)


async def artifact_cost(request: web.Request) -> web.Response:
    """``GET /artifact/{artifact_type}/{id}/cost?dependency=``: artifact id → costs in MB."""
    raw = request.query.get("dependency", "false").lower()
    if raw not in ("true", "false"):
        raise bad_request("dependency must be true or false.")
    query = CostQuery(type=artifact_type(request), artifact_id=artifact_id(request), dependency=raw == "true")
    report = await client(request).call(subjects.LINEAGE_COST, query, CostReport)
    return json_response({key: entry.model_dump(exclude_none=True) for key, entry in report.costs.items()})


async def artifact_license_check(request: web.Request) -> web.Response:
    """``POST /artifact/model/{id}/license-check`` {github_url} → a bare JSON boolean."""
    identifier = artifact_id(request)
    body = await read_body(request, LicenseCheckIn)
    answer = await client(request).call(
        subjects.LINEAGE_LICENSE, LicenseQuery(artifact_id=identifier, github_url=body.github_url), LicenseAnswer
    )
    response = json_response(answer.allowed)
    response.headers["X-License-Reason"] = " ".join(answer.reason.split())[:500]
    return response
