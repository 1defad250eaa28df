"""``/health/components`` and ``/health/dashboard`` over the in-process bus: the catalog answers, nothing else."""

from contracts.services import describe
from tests.api import Api

OTHERS = ("storage", "lineage", "scoring")


async def test_components_show_the_catalog_up_with_its_own_description_and_the_others_down(admin: Api) -> None:
    await admin.call("POST", "/artifacts", json_body=[{"name": "*"}])
    reply = await admin.call("GET", "/health/components?windowMinutes=5&includeTimeline=true", token=None)
    assert reply.status == 200, reply.body
    assert reply.body["window_minutes"] == 5 and reply.body["generated_at"].endswith("Z")
    by_id = {component["id"]: component for component in reply.body["components"]}
    catalog = by_id["catalog"]
    assert (catalog["status"], catalog["description"]) == ("ok", describe("catalog"))
    assert catalog["metrics"]["replicas"] == 1.0
    assert catalog["metrics"]["handled_since_start"] >= 2.0  # the sign-in and the query, at least
    assert by_id["gateway"]["metrics"]["route.ArtifactsList"] == 1.0
    assert len(by_id["gateway"]["timeline"]) == 5
    for service in OTHERS:
        assert by_id[service]["status"] == "critical"
        assert [issue["code"] for issue in by_id[service]["issues"]] == ["no_replicas"]
    for component in reply.body["components"]:
        assert all(isinstance(value, float) for value in component["metrics"].values()), component["metrics"]


async def test_components_leave_out_the_timeline_and_absent_details_unless_asked(gateway: Api) -> None:
    reply = await gateway.call("GET", "/health/components", token=None)
    assert reply.body["window_minutes"] == 60
    assert all("timeline" not in component for component in reply.body["components"])
    gateway_issues = next(c for c in reply.body["components"] if c["id"] == "gateway")["issues"]
    assert all("details" not in issue for issue in gateway_issues)


async def test_components_refuse_a_window_out_of_range_saying_what_is_allowed(gateway: Api) -> None:
    reply = await gateway.call("GET", "/health/components?windowMinutes=4", token=None)
    assert (reply.status, reply.body["message"]) == (400, "windowMinutes must be an integer from 5 to 1440.")
    flag = await gateway.call("GET", "/health/components?includeTimeline=maybe", token=None)
    assert (flag.status, flag.body["message"]) == (400, "includeTimeline must be true or false.")


async def test_the_dashboard_counts_routes_and_ingests_and_has_null_figures_for_absent_services(admin: Api) -> None:
    assert (await admin.register("model", "https://huggingface.co/org/model-1")).status == 201
    reply = await admin.call("GET", "/health/dashboard?windowMinutes=5")
    assert reply.status == 200, reply.body
    body = reply.body
    assert len(body["minutes"]) == len(body["gateway"]["requests"]) == 5
    routes = {route["route"]: route for route in body["routes"]}
    assert routes["ArtifactCreate"]["requests"] == 1 and routes["ArtifactCreate"]["errors"] == 0
    assert body["ingest"] == {"accepted": 1, "refused": 0, "failed": 0}
    services = {service["service"]: service["replicas"] for service in body["services"]}
    assert services["catalog"] == 1 and all(services[name] == 0 for name in OTHERS)
    assert body["ratings"] is None and body["storage"] is None
    assert isinstance(body["logs"], list)
