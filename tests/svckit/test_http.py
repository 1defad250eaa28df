"""Reading whole upstream bodies, capped."""

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from svckit.http import read_capped

BODY = bytes(range(256)) * 1000


async def _client() -> TestClient[web.Request, web.Application]:
    async def big(_: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(_)
        for start in range(0, len(BODY), 1000):
            await response.write(BODY[start : start + 1000])
        return response

    app = web.Application()
    app.router.add_get("/", big)
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


async def test_reads_a_streamed_body_whole() -> None:
    client = await _client()
    try:
        async with client.session.get(client.make_url("/")) as response:
            assert await read_capped(response, 1 << 20) == BODY
    finally:
        await client.close()


async def test_stops_at_the_cap() -> None:
    client = await _client()
    try:
        async with client.session.get(client.make_url("/")) as response:
            assert await read_capped(response, 1234) == BODY[:1234]
    finally:
        await client.close()
