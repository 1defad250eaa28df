"""Scale-out and failure: replicas share load, a dead catalog gives 503s, a restarted one keeps the data."""

import asyncio
import sys

from stack.processes import Child, free_port, wait_for_port
from tests.api import Api
from tests.harness import RegistryStack

BERT = "https://huggingface.co/google-bert/bert-base-uncased"


def _handled(stack: RegistryStack, index: int) -> int:
    log = stack.workdir / "logs" / f"catalog-{index}.log"
    return log.read_text().count('"request_handled"')


async def test_a_second_catalog_replica_takes_a_share_of_the_requests(api: Api, registry: RegistryStack) -> None:
    replica = registry.add_catalog()
    index = len(registry.catalogs) - 1
    try:
        registry.wait_ready(replicas=len(registry.live_catalogs()))
        before = _handled(registry, index)
        replies = await asyncio.gather(*(api.call("POST", "/artifacts", json_body=[{"name": "*"}]) for _ in range(60)))
        assert all(r.status == 200 for r in replies)
        assert _handled(registry, index) - before > 0
    finally:
        replica.stop()
        registry.wait_ready(replicas=len(registry.live_catalogs()))


async def test_killed_catalog_gives_503_and_a_restarted_one_serves_earlier_data(
    api: Api, registry: RegistryStack
) -> None:
    created = (await api.register("model", BERT)).body
    token = api.token
    for child in registry.live_catalogs():
        child.kill()
    # A request already routed to a replica as it dies is lost (504 after the timeout); once NATS has seen
    # the connection close, requests fail at once with 503.
    await asyncio.sleep(0.5)
    down = await api.call("GET", f"/artifacts/model/{created['metadata']['id']}")
    assert down.status == 503
    assert "not available" in down.body["message"]
    health = await api.call("GET", "/health/components", token=None)
    catalog = next(c for c in health.body["components"] if c["id"] == "catalog")
    assert catalog["status"] == "critical"
    assert catalog["issues"][0]["code"] == "no_replicas"
    registry.add_catalog()
    registry.wait_ready(replicas=1)
    back = await api.call("GET", f"/artifacts/model/{created['metadata']['id']}", token=token)
    assert back.status == 200
    assert back.body == created


async def test_tokens_work_on_every_gateway_replica(api: Api, registry: RegistryStack) -> None:
    port = free_port()
    second = Child(
        "gateway-2",
        [sys.executable, "-m", "gateway"],
        {**registry.env("gateway"), "GATEWAY_PORT": str(port)},
        log_file=registry.workdir / "logs" / "gateway-2.log",
    )
    second.start()
    try:
        other = Api(api.session, f"http://127.0.0.1:{port}")
        other.token = api.token
        await asyncio.to_thread(wait_for_port, port)
        reply = await other.call("POST", "/artifacts", json_body=[{"name": "*"}])
        assert reply.status == 200
        created = await other.register("model", BERT)
        assert created.status == 201
        seen = await api.call("GET", f"/artifacts/model/{created.body['metadata']['id']}")
        assert seen.status == 200
    finally:
        second.stop()
