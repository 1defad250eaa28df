"""The gateway's middlewares over the in-process bus: token checks, error bodies with the request id, metrics."""

from tests.api import Api

MISSING = "Authentication failed: the X-Authorization header is missing."
INVALID = "Authentication failed: the token is invalid or expired."


async def test_a_route_needing_a_permission_refuses_a_request_without_a_token(gateway: Api) -> None:
    reply = await gateway.call("POST", "/artifacts", json_body=[{"name": "*"}], token=None)
    assert (reply.status, reply.body["message"]) == (403, MISSING)


async def test_a_blank_token_is_a_missing_token(gateway: Api) -> None:
    reply = await gateway.call("GET", "/artifacts/model/1", token="   ")
    assert (reply.status, reply.body["message"]) == (403, MISSING)


async def test_a_token_the_catalog_never_issued_is_refused(gateway: Api) -> None:
    reply = await gateway.call("GET", "/artifacts/model/1", token="bearer not-a-token")
    assert (reply.status, reply.body["message"]) == (403, INVALID)


async def test_a_user_without_the_permission_is_told_which_one_is_missing(admin: Api) -> None:
    created = await admin.call(
        "POST", "/users", json_body={"name": "reader", "password": "a long enough password", "permissions": ["search"]}
    )
    assert created.status == 201, created.body
    signed_in = await admin.login("reader", "a long enough password", is_admin=False)
    assert signed_in.status == 200, signed_in.body
    body = {"url": "https://huggingface.co/org/model-1"}
    reply = await admin.call("POST", "/artifact/model", json_body=body, token=signed_in.body)
    assert (reply.status, reply.body["message"]) == (401, "User 'reader' lacks the 'upload' permission.")


async def test_an_error_body_is_status_message_and_the_request_id_sent_back(admin: Api) -> None:
    reply = await admin.call("GET", "/artifacts/model/12345", headers={"X-Request-Id": "trace-me-1"})
    assert reply.body == {"status": 404, "message": "No model artifact with id 12345.", "request_id": "trace-me-1"}
    assert reply.headers["X-Request-Id"] == "trace-me-1"


async def test_a_public_route_needs_no_token_and_gets_a_request_id(gateway: Api) -> None:
    reply = await gateway.call("GET", "/health", token=None)
    assert (reply.status, reply.body) == (200, {"status": "ok"})
    assert len(reply.headers["X-Request-Id"]) == 32


async def test_unknown_routes_and_methods_are_json_errors_naming_them(gateway: Api) -> None:
    missing = await gateway.call("GET", "/no/such/route", token=None)
    assert (missing.status, missing.body["message"]) == (404, "No such endpoint: GET /no/such/route.")
    wrong = await gateway.call("PATCH", "/health", token=None)
    assert (wrong.status, wrong.body["message"]) == (405, "Method PATCH is not allowed on /health.")
    assert "GET" in wrong.headers["Allow"]


async def test_a_service_nobody_answers_is_a_503_whose_detail_stays_in_the_log(admin: Api) -> None:
    reply = await admin.call("GET", "/artifact/model/12345/lineage", headers={"X-Request-Id": "trace-me-2"})
    assert reply.body == {
        "status": 503,
        "message": "A registry service is not available right now; try again shortly. "
        "The details are in the registry's logs under this request id.",
        "request_id": "trace-me-2",
    }


async def test_every_request_is_counted_by_route_method_and_status(admin: Api) -> None:
    await admin.call("GET", "/artifacts/model/12345")
    await admin.call("GET", "/artifacts/model/12345")
    metrics = await admin.call("GET", "/metrics", token=None)
    assert 'registry_http_requests_total{method="GET",route="ArtifactRetrieve",status="404"} 2.0' in metrics.body
    assert 'registry_http_requests_total{method="PUT",route="CreateAuthToken",status="200"} 1.0' in metrics.body
