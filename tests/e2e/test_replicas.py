"""Scale-out and failure: replicas share load, a dead catalog gives 503s, a restarted one keeps the data."""

import asyncio
import random
import sys
from datetime import UTC, datetime

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import create_async_engine

from catalog.adapters.artifact_store import REVISION_KEY
from catalog.adapters.tables import artifacts, readmes, state
from catalog.settings import CatalogSettings
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


async def test_every_catalog_replica_reads_its_own_and_the_others_writes_at_once(
    api: Api, registry: RegistryStack
) -> None:
    """Reads come from each replica's in-memory copy: a write through one replica is seen by the next read on any,
    and a change no event announced (written straight into the database here) within the revision check."""
    replica = registry.add_catalog()
    try:
        registry.wait_ready(replicas=len(registry.live_catalogs()))
        for round_ in range(3):
            created = await api.register("model", BERT, name=f"replicated-{round_}")
            path = f"/artifacts/model/{created.body['metadata']['id']}"
            reads = await asyncio.gather(*(api.call("GET", path) for _ in range(16)))  # on both replicas
            assert [r.status for r in reads] == [200] * 16
            assert (await api.call("DELETE", path)).status == 200
            gone = await asyncio.gather(*(api.call("GET", path) for _ in range(16)))
            assert [r.status for r in gone] == [404] * 16
        embedded = CatalogSettings.model_validate({"REGISTRY_DATA_DIR": str(registry.workdir / "data")})
        database = registry.database_url or embedded.database_url()
        unannounced = await _insert_behind_the_catalogs_back(database, "unannounced")
        await asyncio.sleep(1.5)  # CATALOG_VIEW_CHECK_SECONDS is 1 s
        seen = await asyncio.gather(*(api.call("GET", f"/artifacts/code/{unannounced}") for _ in range(16)))
        assert [r.status for r in seen] == [200] * 16
        assert seen[0].body["metadata"] == {"id": unannounced, "name": "unannounced", "type": "code"}
    finally:
        replica.stop()
        registry.wait_ready(replicas=len(registry.live_catalogs()))


async def _insert_behind_the_catalogs_back(database_url: str, name: str) -> str:
    """Add an artifact row and move the revision on, as a replica whose change event was lost would have."""
    engine = create_async_engine(database_url)
    artifact_id = "9" + str(random.randrange(10**14, 10**15))
    now = datetime.now(UTC)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                insert(artifacts).values(
                    id=artifact_id, type="code", name=name, url="https://github.com/o/r", created_at=now, updated_at=now
                )
            )
            await conn.execute(insert(readmes).values(artifact_id=artifact_id, readme=""))
            await conn.execute(update(state).where(state.c.key == REVISION_KEY).values(value=state.c.value + 1))
    finally:
        await engine.dispose()
    return artifact_id
