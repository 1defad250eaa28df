"""A client that hangs up in the middle of its request body is not a server error: the gateway counts it as 499
(the client closed the connection) and logs it at info, never as an unhandled error or a 500."""

import asyncio
import re

import pytest

from tests.api import Api
from tests.harness import RegistryStack

pytestmark = pytest.mark.any_backend  # nothing here depends on the database


async def _hang_up_mid_body(port: int, token: str) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = (
        "POST /artifact/model HTTP/1.1\r\nHost: registry\r\nContent-Type: application/json\r\n"
        f"X-Authorization: {token}\r\nContent-Length: 4096\r\n\r\n"
    )
    writer.write(head.encode() + b'{"url": "https://huggingface.co/')
    await writer.drain()
    await asyncio.sleep(0.2)  # the gateway is reading the body
    writer.transport.abort()  # a reset, as a client that dies does
    await asyncio.sleep(0)
    del reader


async def test_a_client_gone_mid_body_is_counted_as_499_not_a_server_error(api: Api, registry: RegistryStack) -> None:
    log = registry.workdir / "logs" / "gateway.log"
    before = log.read_text()
    await asyncio.gather(*(_hang_up_mid_body(registry.gateway_port, str(api.token)) for _ in range(5)))
    deadline = asyncio.get_running_loop().time() + 5
    while log.read_text().count('"client_disconnected"') - before.count('"client_disconnected"') < 5:
        assert asyncio.get_running_loop().time() < deadline, "the gateway did not log the disconnects"
        await asyncio.sleep(0.05)
    new = log.read_text()[len(before) :]
    assert '"unhandled_error"' not in new and '"server_error"' not in new
    metrics = str((await api.call("GET", "/metrics", token=None)).body)
    gone = 'registry_http_requests_total{method="POST",route="ArtifactCreate",status="499"}'
    assert re.search(re.escape(gone) + r" [1-9]", metrics)
    assert 'route="ArtifactCreate",status="500"' not in metrics
