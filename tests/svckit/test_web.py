"""The shared request middleware: a request id, the security headers, counted and timed requests."""

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import CollectorRegistry, generate_latest

from svckit.logging import REQUEST_ID_HEADER
from svckit.web import MetricNames, RequestMetrics, observe_requests, route_name

METRICS = web.AppKey("metrics", RequestMetrics)
RECORDED = web.AppKey("recorded", list[tuple[str, int]])
NAMES = MetricNames(prefix="test_http", served_by="the test app", labels=("route", "method"), in_flight=True)


async def _hello(_: web.Request) -> web.Response:
    return web.json_response({"hello": "world"})


async def _moved(_: web.Request) -> web.Response:
    raise web.HTTPFound("/hello")


@pytest.fixture
async def client() -> AsyncIterator[TestClient[web.Request, web.Application]]:
    recorded: list[tuple[str, int]] = []
    middleware = observe_requests(
        lambda request: request.app[METRICS],
        lambda request: (route_name(request), request.method),
        slow_seconds=1.0,
        headers={"X-Frame-Options": "DENY"},
        after=lambda request, status, _: recorded.append((route_name(request), status)),
    )
    app = web.Application(middlewares=[middleware])
    app[METRICS] = RequestMetrics(CollectorRegistry(), NAMES)
    app[RECORDED] = recorded
    app.router.add_get("/hello", _hello, name="hello")
    app.router.add_get("/moved", _moved, name="moved")
    test_client = TestClient(TestServer(app))
    await test_client.start_server()
    yield test_client
    await test_client.close()


def _exposition(client: TestClient[web.Request, web.Application]) -> str:
    return generate_latest(client.app[METRICS].registry).decode()


async def test_sends_back_the_callers_request_id_or_a_new_one(client: TestClient[web.Request, web.Application]) -> None:
    given = await client.get("/hello", headers={REQUEST_ID_HEADER: "abc123"})
    assert given.headers[REQUEST_ID_HEADER] == "abc123"
    made = await client.get("/hello")
    assert len(made.headers[REQUEST_ID_HEADER]) == 32 and made.headers[REQUEST_ID_HEADER] != "abc123"


async def test_adds_the_headers_the_handler_did_not_set(client: TestClient[web.Request, web.Application]) -> None:
    reply = await client.get("/hello")
    assert reply.headers["X-Frame-Options"] == "DENY"


async def test_counts_each_request_by_route_method_and_status(client: TestClient[web.Request, web.Application]) -> None:
    await client.get("/hello")
    await client.get("/hello")
    await client.get("/nowhere")
    exposition = _exposition(client)
    assert 'test_http_requests_total{method="GET",route="hello",status="200"} 2.0' in exposition
    assert 'test_http_requests_total{method="GET",route="unmatched",status="404"} 1.0' in exposition
    assert 'test_http_request_seconds_count{method="GET",route="hello"} 2.0' in exposition
    assert "test_http_requests_in_flight 0.0" in exposition


async def test_a_raised_redirect_counts_as_its_own_status_not_a_failure(
    client: TestClient[web.Request, web.Application],
) -> None:
    reply = await client.get("/moved", allow_redirects=False)
    assert reply.status == 302
    assert 'test_http_requests_total{method="GET",route="moved",status="302"} 1.0' in _exposition(client)
    assert client.app[RECORDED] == [("moved", 302)]


def test_an_app_without_in_flight_figures_has_no_gauge() -> None:
    registry = CollectorRegistry()
    metrics = RequestMetrics(registry, MetricNames(prefix="ui_like", served_by="a page server"))
    metrics.observe(("home",), 200, 0.01)
    exposition = generate_latest(registry).decode()
    assert metrics.in_flight is None and "in_flight" not in exposition
    assert 'ui_like_requests_total{route="home",status="200"} 1.0' in exposition
