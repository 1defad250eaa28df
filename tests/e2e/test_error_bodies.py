"""5xx answers carry a generic message and the request id, never a URL, an upstream's text or a traceback; the
detail is in the gateway's log under that request id. A stack of its own reads Hugging Face and GitHub through
a proxy in front of the mirror that makes chosen paths fail with a 500 whose body names internal URLs and
carries a traceback, or hang."""

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from gateway.failures import GENERIC, LOGS
from stack.processes import free_port
from tests.api import Api, Reply
from tests.harness import RegistryStack, running_registry

BERT = "https://huggingface.co/google-bert/bert-base-uncased"
INTERNAL = "http://10.0.0.7:9000/internal-bucket"
TRACEBACK = f"""Traceback (most recent call last):
  File "/srv/hub/app.py", line 42, in handler
    return await backend.get("{INTERNAL}")
ConnectionRefusedError: [Errno 111] {INTERNAL} refused the connection
"""
DROPPED = {"content-length", "content-encoding", "transfer-encoding", "connection", "host"}


class FaultyUpstream:
    """The mirror behind a proxy (in a thread of its own) whose ``failing`` paths answer 500 with TRACEBACK and
    whose ``hanging`` paths never answer."""

    def __init__(self, mirror_url: str) -> None:
        self.mirror_url = mirror_url
        self.failing: tuple[str, ...] = ()
        self.hanging: tuple[str, ...] = ()
        self.port = free_port()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(timeout=10)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        # Handlers still hanging when the loop stopped are cancelled and awaited, and the loop closed: otherwise
        # they (and the loop's own sockets) are garbage-collected during a later test, as warnings that fail it.
        pending = asyncio.all_tasks(self._loop)
        for task in pending:
            task.cancel()
        self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        self._loop.close()

    async def _serve(self) -> None:
        self._session = aiohttp.ClientSession(auto_decompress=False)
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=1)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def _close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.path.startswith(self.failing):
            return web.Response(status=500, text=TRACEBACK, headers={"X-Error-Message": f"backend {INTERNAL} down"})
        if request.path.startswith(self.hanging):
            await asyncio.sleep(60)
        assert self._session is not None
        headers = {k: v for k, v in request.headers.items() if k.lower() not in DROPPED}
        async with self._session.request(
            request.method, self.mirror_url + request.path_qs, headers=headers, data=await request.read(),
            allow_redirects=False,
        ) as upstream:  # fmt: skip
            body = await upstream.read()
            kept = {k: v for k, v in upstream.headers.items() if k.lower() not in DROPPED}
            return web.Response(status=upstream.status, body=body, headers=kept)


@pytest.fixture(scope="module")
def faulty(mirror_url: str) -> Iterator[FaultyUpstream]:
    proxy = FaultyUpstream(mirror_url)
    proxy.start()
    yield proxy
    proxy.stop()


@pytest.fixture(scope="module")
def faulty_registry(workdir: Path, faulty: FaultyUpstream) -> Iterator[RegistryStack]:
    """A registry (SQLite) reading upstream through the proxy; the gateway waits 8 s for an ingest."""
    with running_registry(workdir / "faulty-upstream", faulty.url, extra_env={"INGEST_TIMEOUT": "8"}) as stack:
        yield stack


@pytest.fixture
async def api(faulty_registry: RegistryStack, faulty: FaultyUpstream) -> AsyncIterator[Api]:
    faulty.failing = faulty.hanging = ()
    async with aiohttp.ClientSession() as session:
        client = Api(session, faulty_registry.base_url)
        await client.admin_token()
        assert (await client.call("DELETE", "/reset")).status == 200
        yield client


def _assert_generic(reply: Reply, status: int, registry: RegistryStack) -> str:
    """``reply`` is a 5xx with the generic message of its status and nothing internal; its detail is logged."""
    assert reply.status == status, reply.body
    assert set(reply.body) == {"status", "message", "request_id"}, reply.body
    message = str(reply.body["message"])
    assert message.startswith(GENERIC[status]) and message.endswith(LOGS), message
    for leak in ("http", "://", "10.0.0.7", "127.0.0.1", "Traceback", "File ", "Error", "refused"):
        assert leak not in message, (leak, message)
    assert reply.headers["X-Request-Id"] == reply.body["request_id"]
    logged = [json.loads(line) for line in (registry.workdir / "logs" / "gateway.log").read_text().splitlines()]
    details = [
        e["detail"]
        for e in logged
        if e.get("event") == "server_error" and e.get("request_id") == reply.body["request_id"]
    ]
    assert details and details[0], "the detail of the 5xx is not in the gateway's log"
    return message


async def test_an_unreachable_hub_answers_a_generic_502(
    api: Api, faulty: FaultyUpstream, faulty_registry: RegistryStack
) -> None:
    faulty.failing = ("/hf/",)
    reply = await api.register("model", BERT)
    _assert_generic(reply, 502, faulty_registry)
    assert await api.everything() == []


async def test_a_rating_that_cannot_read_github_names_its_metrics_and_nothing_else(
    api: Api, faulty: FaultyUpstream, faulty_registry: RegistryStack
) -> None:
    faulty.failing = ("/gh/",)
    refused = await api.register("model", BERT)
    message = _assert_generic(refused, 502, faulty_registry)
    assert "Rating metrics that could not be computed: " in message and "code_quality" in message

    faulty.failing = ()
    created = await api.register("model", BERT)
    assert created.status == 201, created.body
    model_id = created.body["metadata"]["id"]
    check = await api.call(
        "POST", f"/artifact/model/{model_id}/license-check", json_body={"github_url": "https://github.com/google-research/bert"}
    )  # fmt: skip
    assert check.status == 200, check.body

    faulty.failing = ("/gh/",)
    check = await api.call(
        "POST", f"/artifact/model/{model_id}/license-check", json_body={"github_url": "https://github.com/google-research/bert"}
    )  # fmt: skip
    _assert_generic(check, 502, faulty_registry)
    update = {"metadata": created.body["metadata"], "data": {"url": BERT}}
    assert (await api.call("PUT", f"/artifacts/model/{model_id}", json_body=update)).status == 200
    rate = await api.call("GET", f"/artifact/model/{model_id}/rate")
    message = _assert_generic(rate, 500, faulty_registry)
    assert "Rating metrics that could not be computed: " in message and "code_quality" in message


async def test_an_upstream_that_never_answers_gives_a_generic_504(
    api: Api, faulty: FaultyUpstream, faulty_registry: RegistryStack
) -> None:
    faulty.hanging = ("/hf/",)
    reply = await api.register("model", BERT)
    _assert_generic(reply, 504, faulty_registry)


async def test_a_service_that_is_down_gives_a_generic_503(api: Api, faulty_registry: RegistryStack) -> None:
    for child in faulty_registry.live_catalogs():
        child.kill()
    try:
        await asyncio.sleep(0.5)
        reply = await api.call("POST", "/artifacts", json_body=[{"name": "*"}])
        _assert_generic(reply, 503, faulty_registry)
    finally:
        faulty_registry.add_catalog()
        faulty_registry.wait_ready(replicas=1)
