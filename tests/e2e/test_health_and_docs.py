"""Health, tracks, the OpenAPI document, docs page, metrics and unknown routes."""

import pytest
import yaml

from tests.api import Api
from tests.harness import REPO

pytestmark = pytest.mark.any_backend  # nothing here depends on the database


async def test_health_is_200_without_a_token(api: Api) -> None:
    reply = await api.call("GET", "/health", token=None)
    assert reply.status == 200


async def test_components_report_gateway_and_catalog_with_request_counts(api: Api) -> None:
    await api.call("POST", "/artifacts", json_body=[{"name": "*"}])
    reply = await api.call("GET", "/health/components?windowMinutes=5&includeTimeline=true", token=None)
    assert reply.status == 200
    assert reply.body["window_minutes"] == 5
    assert reply.body["generated_at"].endswith("Z")
    by_id = {c["id"]: c for c in reply.body["components"]}
    assert by_id["catalog"]["status"] == "ok"
    assert by_id["catalog"]["metrics"]["replicas"] >= 1
    assert by_id["catalog"]["metrics"]["handled_since_start"] > 0
    assert by_id["gateway"]["metrics"]["route.ArtifactsList"] >= 1
    assert len(by_id["gateway"]["timeline"]) == 5
    assert sum(point["value"] for point in by_id["catalog"]["timeline"]) >= 1
    for component in reply.body["components"]:
        assert {"id", "status", "observed_at"} <= set(component)
        # HealthMetricValue is oneOf integer, number, string, boolean: a JSON integer would match two of them.
        assert all(isinstance(value, float) for value in component["metrics"].values()), component["metrics"]
        assert component["status"] in ("ok", "degraded", "critical", "unknown")


@pytest.mark.parametrize(
    "query", ["windowMinutes=4", "windowMinutes=1441", "windowMinutes=abc", "includeTimeline=maybe"]
)
async def test_components_reject_bad_parameters(api: Api, query: str) -> None:
    reply = await api.call("GET", f"/health/components?{query}", token=None)
    assert reply.status == 400


async def test_timeline_is_omitted_unless_asked(api: Api) -> None:
    reply = await api.call("GET", "/health/components", token=None)
    assert reply.body["window_minutes"] == 60
    assert all("timeline" not in c for c in reply.body["components"])


async def test_tracks(api: Api) -> None:
    reply = await api.call("GET", "/tracks", token=None)
    assert reply.status == 200
    allowed = {"Performance track", "Access control track", "High assurance track", "Other Security track"}
    assert reply.body["plannedTracks"]
    assert set(reply.body["plannedTracks"]) <= allowed


async def test_openapi_document_is_the_spec_plus_additions(api: Api) -> None:
    reply = await api.call("GET", "/openapi.yaml", token=None)
    assert reply.status == 200
    served = yaml.safe_load(reply.body if isinstance(reply.body, str) else str(reply.body))
    spec = yaml.safe_load((REPO / "gateway/src/gateway/openapi/spec.yaml").read_text())
    for path, item in spec["paths"].items():
        assert set(served["paths"][path]) == set(item)
        for key, value in item.items():
            given = served["paths"][path][key]
            if isinstance(value, dict) and "responses" in value:  # an operation: additions may only add answers
                given = {**given, "responses": {status: given["responses"][status] for status in value["responses"]}}
            assert given == value
    assert "/users" in served["paths"]
    assert served["info"]["version"] == "3.4.7"


def test_vendored_spec_matches_the_shared_contract() -> None:
    shared = REPO.parent / "shared" / "spec" / "openapi.yaml"
    if not shared.exists():
        pytest.skip("no shared/ checkout beside the repository")
    assert (REPO / "gateway/src/gateway/openapi/spec.yaml").read_bytes() == shared.read_bytes()


async def test_docs_page_and_its_assets_are_served_locally(api: Api) -> None:
    page = await api.call("GET", "/docs", token=None)
    assert page.status == 200
    assert "/docs/static/swagger-ui-bundle.js" in page.body
    assert "http" not in page.body.split("<body>")[1].replace("/openapi.yaml", "")
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "init.js"):
        assert (await api.call("GET", f"/docs/static/{asset}", token=None)).status == 200


async def test_metrics_expose_request_counters(api: Api) -> None:
    await api.call("GET", "/health", token=None)
    reply = await api.call("GET", "/metrics", token=None)
    assert reply.status == 200
    assert 'registry_http_requests_total{method="GET",route="RegistryHealthHeartbeat",status="200"}' in reply.body
    assert "registry_http_request_seconds_bucket" in reply.body


async def test_unknown_route_and_method_are_json_errors(api: Api) -> None:
    missing = await api.call("GET", "/no/such/route", token=None)
    assert missing.status == 404
    assert "No such endpoint" in missing.body["message"]
    wrong_method = await api.call("PATCH", "/artifacts", token=None)
    assert wrong_method.status == 405
    assert wrong_method.body["status"] == 405


async def test_the_dashboard_reports_routes_ingests_ratings_queue_and_logs(api: Api) -> None:
    registered = await api.register("model", "https://huggingface.co/google-bert/bert-base-uncased")
    assert registered.status == 201, registered.body
    model = registered.body["metadata"]["id"]
    assert (await api.call("GET", f"/artifact/model/{model}/rate")).status == 200
    assert (await api.call("GET", "/artifact/model/99999999/rate")).status == 404
    reply = await api.call("GET", "/health/dashboard?windowMinutes=15")
    assert reply.status == 200, reply.body
    body = reply.body
    assert body["window_minutes"] == 15 and len(body["minutes"]) == len(body["gateway"]["requests"]) == 15
    routes = {route["route"]: route for route in body["routes"]}
    assert routes["ArtifactCreate"]["requests"] >= 1 and routes["ModelArtifactRate"]["requests"] >= 2
    assert body["ingest"]["accepted"] >= 1
    services = {service["service"]: service for service in body["services"]}
    assert set(services) == {"catalog", "storage", "lineage", "scoring", "webhooks"}
    assert all(service["replicas"] >= 1 for service in services.values())
    assert sum(services["scoring"]["requests_per_minute"]) >= 2
    assert body["ratings"]["outcomes"]["stored"] >= 1 and "license" in body["ratings"]["metric_latency_ms"]
    assert isinstance(body["storage"]["copy_queue_depth"], int)
    assert isinstance(body["logs"], list)
    assert (await api.call("GET", "/health/dashboard?windowMinutes=2")).status == 400
    assert (await api.call("GET", "/health/dashboard", token=None)).status == 403
