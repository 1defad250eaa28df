"""``make run-cluster`` (``python -m stack --cluster``) under faults: three NATS nodes, two replicas of every service,
two gateways on one port, PostgreSQL (a server of the test's own, so it can be restarted) and SeaweedFS, with four
clients sending reads across every service and writes the whole time.

One fault at a time: kill -9 one replica of each service, one gateway, one NATS node; restart PostgreSQL; restart
the S3 store; SIGTERM the whole cluster and start it again. Each fault prints its disruption (failed requests by
status, the slowest answer, when the last failure came) and the acknowledged writes lost, which must be none. The
writes (user creations) are idempotent: no fault fails one, and each is carried out once.
"""

import os
import signal
import time
import urllib.request
from collections.abc import Iterator

import pytest

from tests.harness import start_mirror
from tests.stack.cluster import PROCESS, SERVICES, Cluster, Disruption, Load, cluster_env
from tests.stack.pgserver import PrivatePostgres

HF = "https://huggingface.co"
MODEL = f"{HF}/google-bert/bert-base-uncased"
BIG_MODEL = f"{HF}/orchard-compute/orchard-base"  # made-up, 94 MB of weights the mirror serves and that verify


@pytest.fixture(scope="module")
def postgres() -> Iterator[PrivatePostgres]:
    server = PrivatePostgres()
    server.start()
    yield server
    server.close()


@pytest.fixture(scope="module")
def mirror(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    child, url = start_mirror(tmp_path_factory.mktemp("cluster-mirror"))
    yield url
    child.stop()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, postgres: PrivatePostgres, mirror: str) -> Iterator[Cluster]:
    root = tmp_path_factory.mktemp("cluster")
    running = Cluster(cluster_env(root / "data", postgres.url("registry"), mirror), root / "cluster.log").start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def model_id(cluster: Cluster) -> str:
    status, created = cluster.call("POST", "/artifact/model", {"url": MODEL}, cluster.login())
    assert status == 201 and isinstance(created, dict), (status, created)
    return str(created["metadata"]["id"])


def _lost(cluster: Cluster, load: Load) -> set[str]:
    """The acknowledged user creations the registry does not list (and no user listed twice)."""
    status, users = cluster.call("GET", "/users", token=cluster.login())
    assert status == 200 and isinstance(users, list), (status, users)
    names = [user["name"] for user in users]
    assert len(names) == len(set(names)), "a user is listed twice"
    return set(load.created) - set(names)


def _back(cluster: Cluster, name: str, pid: int) -> None:
    """Wait until the supervisor has restarted ``name`` and every service has its two replicas again."""
    cluster.until(lambda: cluster.pid(name) != pid, 30, f"{name} restarted")
    cluster.until(lambda: cluster.replicas() == dict.fromkeys(SERVICES, 2), 60, "two replicas of every service")


def test_a_replica_of_each_service_a_gateway_and_a_nats_node_die_under_load(cluster: Cluster, model_id: str) -> None:
    faults = [*(f"{PROCESS[service]}-2" for service in SERVICES), "gateway-2", "nats-2"]
    kills: list[tuple[str, float]] = []
    with Load(cluster, model_id) as load:
        time.sleep(2)
        for name in faults:
            pid = cluster.pid(name)
            kills.append((name, time.monotonic()))
            os.kill(pid, signal.SIGKILL)
            _back(cluster, name, pid)
            time.sleep(1)
    results = {name: Disruption.of(answers, dict(kills)[name]) for name, answers in load.by_fault(kills).items()}
    lost = _lost(cluster, load)
    reads = sum(1 for answer in load.answers if answer.kind == "read")
    print(f"\n{reads} reads and {len(load.created)} acknowledged writes ({load.resent} requests sent again after a "
          f"gateway cut the connection) from {load.clients} clients; writes lost: {len(lost)}")  # fmt: skip
    for name, disruption in results.items():
        print(f"  kill -9 {name}: {disruption}")
    assert lost == set()
    assert len(load.created) == len(set(load.created))
    for name, disruption in results.items():
        assert disruption.failed_reads == {}, (name, disruption)  # the other replica answered, or the read was resent
        # A user creation in flight on a dead catalog replica, or whose reply died with its NATS node, is resent by
        # the gateway with its idempotency key, and one cut by a dead gateway by the client with its Idempotency-Key:
        # it is carried out once and its first answer replayed (contracts.subjects.IDEMPOTENT_WRITES).
        assert disruption.failed_writes == {}, (name, disruption)


def test_a_postgresql_restart_costs_503s_while_it_is_down_and_loses_nothing(
    cluster: Cluster, postgres: PrivatePostgres, model_id: str
) -> None:
    with Load(cluster, model_id) as load:
        time.sleep(2)
        stopped_at = time.monotonic()
        postgres.stop()
        time.sleep(3)
        postgres.start()
        restarted_at = time.monotonic()
        time.sleep(1)
        recovered = cluster.until(lambda: _served_since(load, time.monotonic() - 0.5), 30, "full service again")
        time.sleep(2)
    down = Disruption.of(load.window(stopped_at, restarted_at), stopped_at)
    after = Disruption.of([a for a in load.answers if a.at > restarted_at + 1 + recovered], restarted_at)
    lost = _lost(cluster, load)
    print(f"\nPostgreSQL down {restarted_at - stopped_at:.1f} s: {down}; full service "
          f"{1 + recovered:.1f} s after its restart; then {after}; writes lost: {len(lost)}")  # fmt: skip
    assert lost == set()
    assert set(down.failed_reads) | set(down.failed_writes) <= {503}, down
    assert after.failed_reads == {} and after.failed_writes == {}, after


def _served_since(load: Load, since: float) -> bool:
    recent = [a for a in load.answers if a.at >= since]
    return bool(recent) and all(a.status in (200, 201) for a in recent)


def _package(cluster: Cluster, token: str, artifact_id: str) -> dict[str, object]:
    status, package = cluster.call("GET", f"/artifacts/model/{artifact_id}/package", token=token)
    assert status == 200 and isinstance(package, dict), (status, package)
    return package


def _state(cluster: Cluster, token: str, artifact_id: str) -> str:
    status = _package(cluster, token, artifact_id)["status"]
    assert isinstance(status, dict)
    return str(status["state"])


def test_copies_resume_after_a_nats_node_and_the_s3_store_die(cluster: Cluster) -> None:
    token = cluster.login()
    status, created = cluster.call("POST", "/artifact/model", {"url": BIG_MODEL}, token)
    assert status == 201 and isinstance(created, dict), (status, created)
    artifact_id = str(created["metadata"]["id"])
    for name in ("nats-1", "seaweed"):  # the copy job's stream has three copies; the bytes restart from S3's state
        pid = cluster.pid(name)
        os.kill(pid, signal.SIGKILL)
        cluster.until(lambda name=name, pid=pid: cluster.pid(name) != pid, 30, f"{name} restarted")  # type: ignore[misc]
    took = cluster.until(lambda: _state(cluster, token, artifact_id) not in ("queued", "copying"), 180, "copy ended")
    package = _package(cluster, token, artifact_id)
    assert package["status"]["state"] == "ready", package  # type: ignore[index]
    weights = {f["path"]: f for f in package["files"]}["model.safetensors"]  # type: ignore[attr-defined]
    assert (weights["size"], weights["verified"]) == (94371840, True)
    print(f"\nthe copy of 94 MB finished {took:.1f} s after a NATS node and the S3 store were killed")
    assert _downloaded(cluster, token, f"/download/{artifact_id}?part=weights") > 94371840  # a tar of the weights


def _downloaded(cluster: Cluster, token: str, path: str) -> int:
    """How many bytes a download serves (following its redirect to the bytes)."""
    request = urllib.request.Request(f"http://127.0.0.1:{cluster.gateway_port}{path}")
    request.add_header("X-Authorization", token)
    total = 0
    with urllib.request.urlopen(request, timeout=60) as response:
        while chunk := response.read(1 << 20):
            total += len(chunk)
    return total


def test_everything_is_still_there_after_the_whole_cluster_is_stopped_and_started(
    cluster: Cluster, model_id: str
) -> None:
    token = cluster.login()
    before = {path: cluster.call("GET", path, token=token) for path in _kept(model_id)}
    users = cluster.call("GET", "/users", token=token)
    assert all(status == 200 for status, _ in before.values()), before
    cluster.stop()
    started = time.monotonic()
    cluster.start()
    print(f"\nthe cluster answered again {time.monotonic() - started:.1f} s after being started")
    assert cluster.call("GET", "/users", token=token) == users  # the token from before still works
    for path, answer in before.items():
        assert cluster.call("GET", path, token=token) == answer, path


def _kept(model_id: str) -> list[str]:
    return [f"/artifacts/model/{model_id}", f"/artifact/model/{model_id}/rate", f"/artifact/model/{model_id}/lineage"]
