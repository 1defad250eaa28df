"""The dashboard in front of a registry whose health answers are not what its API describes: the section names the
problem, the rest of the page renders, never a 500. The UI runs in process against a stand-in registry on a real
socket that serves the bodies each test gives."""

from collections.abc import AsyncIterator, Callable
from copy import deepcopy
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from tests.ui.health_bodies import COMPONENTS_JSON, DETAIL_JSON
from ui.app import init_app
from ui.session import TOKEN_COOKIE
from ui.settings import UiSettings

Bodies = dict[str, Any]


def _registry(bodies: Bodies) -> web.Application:
    """A stand-in registry answering the two health routes with ``bodies`` (by path)."""

    async def answer(request: web.Request) -> web.Response:
        return web.json_response(bodies[request.path])

    app = web.Application()
    app.router.add_get("/health/components", answer)
    app.router.add_get("/health/dashboard", answer)
    return app


async def _page(registry_url: str) -> tuple[int, str]:
    """``GET /dashboard?window=5`` from a UI talking to ``registry_url``, signed in: status and text."""
    client: TestClient[web.Request, web.Application] = TestClient(
        TestServer(init_app(UiSettings(registry_url=registry_url)))
    )
    await client.start_server()
    try:
        client.session.cookie_jar.update_cookies({TOKEN_COOKIE: "t"})
        response = await client.get("/dashboard?window=5")
        return response.status, await response.text()
    finally:
        await client.close()


@pytest.fixture
async def registry() -> AsyncIterator[Callable[[Bodies], TestServer]]:
    """Starts stand-in registries serving the given bodies; stops them after the test."""
    servers: list[TestServer] = []

    def serve(bodies: Bodies) -> TestServer:
        server = TestServer(_registry(bodies))
        servers.append(server)
        return server

    yield serve
    for server in servers:
        await server.close()


async def _dashboard(serve: Callable[[Bodies], TestServer], components: Any, detail: Any) -> tuple[int, str]:
    server = serve({"/health/components": components, "/health/dashboard": detail})
    await server.start_server()
    return await _page(str(server.make_url("")))


def _without(body: dict[str, Any], field: str) -> dict[str, Any]:
    changed = deepcopy(body)
    del changed[field]
    return changed


async def test_well_formed_answers_show_every_section(registry: Callable[[Bodies], TestServer]) -> None:
    status, text = await _dashboard(registry, COMPONENTS_JSON, DETAIL_JSON)
    assert status == 200
    assert "Status: <strong>Critical</strong>" in text and 'id="gateway-requests-table"' in text
    assert "not available" not in text


async def test_a_component_with_an_unknown_status_names_the_field_and_the_figures_still_show(
    registry: Callable[[Bodies], TestServer],
) -> None:
    components = deepcopy(COMPONENTS_JSON)
    components["components"][1]["status"] = "sideways"
    status, text = await _dashboard(registry, components, DETAIL_JSON)
    assert status == 200
    assert "Component health is not available: The registry&#39;s component health could not be read: " in text
    assert "components.1.status: Input should be &#39;ok&#39;, &#39;degraded&#39;" in text
    assert 'id="gateway-requests-table"' in text and "Status: <strong>" not in text


async def test_a_dashboard_missing_a_field_names_it_and_the_components_still_show(
    registry: Callable[[Bodies], TestServer],
) -> None:
    status, text = await _dashboard(registry, COMPONENTS_JSON, _without(DETAIL_JSON, "ingest"))
    assert status == 200
    assert (
        "Detailed figures are not available: The registry&#39;s health dashboard could not be read: "
        "ingest: Field required." in text
    )
    assert "Status: <strong>Critical</strong>" in text and 'id="gateway-requests-table"' not in text


async def test_answers_that_are_not_objects_are_named_for_each_section(
    registry: Callable[[Bodies], TestServer],
) -> None:
    status, text = await _dashboard(registry, "up", [1, 2])
    assert status == 200
    assert "component health could not be read: the body: Input should be a valid dictionary" in text
    assert "health dashboard could not be read: the body: Input should be a valid dictionary" in text


async def test_an_unreachable_registry_is_still_the_bad_gateway_page(registry: Callable[[Bodies], TestServer]) -> None:
    server = registry({})
    await server.start_server()
    url = str(server.make_url(""))
    await server.close()
    status, text = await _page(url)
    assert status == 502 and "The registry could not be reached. Try again in a moment." in text
