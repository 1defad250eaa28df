"""``python -m stack`` (what ``make run`` starts): whole stack up, crash restart, clean stop, state kept."""

import json
import os
import re
import signal
import socket
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from stack.cpus import plan
from stack.processes import Child, free_port, wait_for_port
from tests.api import ADMIN, ADMIN_PASSWORD
from tests.stack.http import call


class Run:
    """One ``python -m stack`` process and its log."""

    def __init__(self, workdir: Path, **extra_env: str) -> None:
        self.workdir = workdir
        self.gateway_port = free_port()
        self.metrics_port = free_port()
        self.scoring_metrics_port = free_port()
        self.ui_port = free_port()
        self.nats_port = free_port()
        self.log = workdir / "stack.log"
        self.child = Child(
            "stack",
            [sys.executable, "-m", "stack"],
            {
                "REGISTRY_DATA_DIR": str(workdir / "data"),
                "REGISTRY_NATS_PORT": str(self.nats_port),
                "GATEWAY_PORT": str(self.gateway_port),
                "CATALOG_METRICS_PORT": str(self.metrics_port),
                "STORAGE_METRICS_PORT": str(free_port()),
                "LINEAGE_METRICS_PORT": str(free_port()),
                "SCORING_METRICS_PORT": str(self.scoring_metrics_port),
                "WEBHOOKS_METRICS_PORT": str(free_port()),
                "UI_PORT": str(self.ui_port),
                "REGISTRY_S3_PORT": str(free_port()),
                "STORAGE_HTTP_PORT": str(free_port()),
                "LOG_FORMAT": "json",
                **extra_env,
            },
            log_file=self.log,
        )

    def start(self) -> "Run":
        self.child.start()
        wait_for_port(self.gateway_port, timeout=60, child=self.child)
        self.until(lambda: all(self.replicas(name) == 1 for name in ("catalog", "storage", "lineage", "scoring")))
        return self

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.gateway_port}{path}"

    def call(self, method: str, path: str, body: object, token: str | None = None) -> tuple[int, object]:
        return call(self.gateway_port, method, path, body, token)

    def replicas(self, service: str) -> int:
        try:
            with urllib.request.urlopen(self.url("/health/components"), timeout=2) as response:
                report = json.load(response)
        except OSError:
            return -1
        return int(next(c for c in report["components"] if c["id"] == service)["metrics"]["replicas"])

    def pids(self, name: str) -> list[int]:
        return [int(p) for p in re.findall(rf"(?:re)?started {name} \(pid (\d+)\)", self.log.read_text())]

    @staticmethod
    def until(check: "object", timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():  # type: ignore[operator]
                return
            time.sleep(0.1)
        raise TimeoutError("condition not met")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    """One stack for the tests that only read it or kill a process it restarts (each start costs ~10 s)."""
    started = Run(tmp_path_factory.mktemp("make-run")).start()
    yield started
    started.child.stop()


def _login(run: Run, user: str = ADMIN, password: str = ADMIN_PASSWORD) -> str:
    status, token = run.call(
        "PUT", "/authenticate", {"user": {"name": user, "is_admin": False}, "secret": {"password": password}}
    )
    assert status == 200
    assert isinstance(token, str)
    return token


class _Stay(urllib.request.HTTPRedirectHandler):
    """Hand a redirect back as the answer, unfollowed."""

    def redirect_request(self, *_args: object, **_kwargs: object) -> None:
        return None


def test_stack_serves_the_api_and_every_process_exposes_metrics(run: Run) -> None:
    with pytest.raises(urllib.error.HTTPError) as front_door:  # a browser opening the registry lands on the UI
        urllib.request.build_opener(_Stay).open(run.url("/"), timeout=5)
    with front_door.value as redirect:
        assert redirect.code == 302
        assert redirect.headers["Location"] == f"http://127.0.0.1:{run.ui_port}/"
    assert f"open http://127.0.0.1:{run.gateway_port} in a browser" in run.log.read_text()
    token = _login(run)
    # The catalog's pattern checker process starts with the first pattern that needs it, not at rest.
    assert _checkers(run.pids("services")[-1]) == []
    assert run.call("POST", "/artifact/byRegEx", {"regex": "x{2}y"}, token)[0] == 404
    assert len(_checkers(run.pids("services")[-1])) == 1
    assert run.call("POST", "/artifacts", [{"name": "*"}], token) == (200, [])
    assert run.call("DELETE", "/reset", None, token)[0] == 200
    assert run.call("GET", "/artifacts/model/123456", None, token)[0] == 404
    with urllib.request.urlopen(f"http://127.0.0.1:{run.metrics_port}/metrics", timeout=5) as response:
        catalog_metrics = response.read().decode()
    assert (
        'registry_nats_requests_total{outcome="ok",service="catalog",subject="catalog.artifact.query"}'
        in catalog_metrics
    )
    with urllib.request.urlopen(f"http://127.0.0.1:{run.scoring_metrics_port}/metrics", timeout=5) as response:
        scoring_metrics = response.read().decode()
    assert 'subject="scoring.admin.reset"' in scoring_metrics and "registry_rating_metric_seconds" in scoring_metrics
    run.until(lambda: _sign_in_page(run.ui_port) is not None)  # the UI may still be starting (or restarting)
    assert b"<h1>Sign in</h1>" in (_sign_in_page(run.ui_port) or b"")
    log = run.log.read_text()
    # A refused request is logged with its request id in both processes; the answered ones only at debug level.
    # catalog-svc runs in the shared services process; its lines name it.
    handled = (
        r"^services +\| (?=.*\"process\": \"catalog-svc\")(?=.*\"request_handled\")(?=.*\"outcome\": \"404\")"
        r"(?=.*\"request_id\")"
    )
    assert re.search(handled, log, re.MULTILINE)
    assert re.search(r"^gateway +\| (?=.*\"http_request\")(?=.*\"status\": 404)", log, re.MULTILINE)
    assert not re.search(r"^gateway +\| (?=.*\"http_request\")(?=.*\"status\": 200)", log, re.MULTILINE)


def _checkers(parent: int) -> list[int]:
    """The multiprocessing workers ``parent`` spawned (the catalog's pattern checker), its resource tracker aside."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except (OSError, ValueError):
            continue
        if int(stat[stat.rindex(")") + 2 :].split()[1]) == parent and any(b"spawn_main" in arg for arg in argv):
            found.append(int(entry.name))
    return found


def _sign_in_page(port: int) -> bytes | None:
    """The UI's sign-in page, or None while nothing answers on ``port`` with a 200."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in", timeout=5) as response:
            return bytes(response.read()) if response.status == 200 else None
    except OSError:
        return None


def test_each_killed_service_process_answers_again_within_5_seconds(run: Run) -> None:
    """The shared services process (catalog, storage, lineage, webhooks) and scoring-svc, each killed in turn:
    every service it runs answers again within 5 s."""
    token = _login(run)
    recoveries = {}
    for process, services in (
        ("services", ("catalog", "storage", "lineage", "webhook")),
        ("scoring-svc", ("scoring",)),
    ):
        probes = [_PROBES[service] for service in services]
        assert [run.call(*probe, token)[0] for probe, _ in probes] == [answered for _, answered in probes]
        starts = len(run.pids(process))
        started = time.monotonic()
        os.kill(run.pids(process)[-1], signal.SIGKILL)
        for service, (probe, answered) in zip(services, probes, strict=True):
            while len(run.pids(process)) == starts or run.call(*probe, token)[0] != answered:
                assert time.monotonic() - started < 30, f"{service}-svc did not come back"
                time.sleep(0.05)
            recoveries[service] = round(time.monotonic() - started, 2)
    print(f"killed with SIGKILL, answering again after (s): {recoveries}")
    assert max(recoveries.values()) < 5.0, recoveries


# A request the gateway sends straight to each service, and the answer only that service gives: the package route
# would be answered by the catalog alone for an unknown id, so storage is probed with an upload slot.
_PROBES: dict[str, tuple[tuple[str, str, object], int]] = {
    "catalog": (("POST", "/artifacts", [{"name": "*"}]), 200),
    "storage": (("POST", "/artifact/model/upload", {"filename": "probe.bin", "size": 1}), 201),
    "lineage": (("GET", "/artifact/model/1234567/lineage", None), 404),
    "scoring": (("GET", "/artifact/model/1234567/rate", None), 404),
    "webhook": (("GET", "/webhooks/wh_none/deliveries", None), 404),
}


def test_stop_is_clean_and_a_restart_keeps_users_and_tokens(tmp_path: Path) -> None:
    first = Run(tmp_path).start()
    admin = _login(first)
    status, _ = first.call(
        "POST", "/users", {"name": "keeper", "password": "kept-password", "permissions": ["search"]}, admin
    )
    assert status == 201
    keeper = _login(first, "keeper", "kept-password")
    first.child.stop(timeout=15)
    assert first.child.exit_code() == 0
    stopping = [line.split("| stopping ", 1)[1] for line in first.log.read_text().splitlines() if "| stopping " in line]
    assert stopping == [
        "ui, gateway",
        "services, scoring-svc",
        "seaweed",
        "nats",
    ]
    second = Run(tmp_path).start()
    try:
        assert second.call("POST", "/artifacts", [{"name": "*"}], keeper) == (200, [])
    finally:
        second.child.stop()


def test_a_busy_port_stops_the_start_and_names_the_port_and_its_variable(tmp_path: Path) -> None:
    run = Run(tmp_path)
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", run.nats_port))
        holder.listen()
        run.child.start()
        deadline = time.monotonic() + 30
        while run.child.exit_code() is None and time.monotonic() < deadline:
            time.sleep(0.1)
    run.child.stop()  # already ended: closes its log
    assert run.child.exit_code() == 2
    log = run.log.read_text()
    assert f"port {run.nats_port} (the NATS server) is already in use" in log
    assert "REGISTRY_NATS_PORT=<port>" in log
    assert "started" not in log  # nothing was started, so nothing joined another stack's bus
    assert not (tmp_path / "data").exists()


def test_the_banner_says_the_admin_password_is_the_published_default_and_the_storage_capacity(run: Run) -> None:
    run.until(lambda: "published default password" in run.log.read_text())
    assert "REGISTRY_ADMIN_PASSWORD" in run.log.read_text()
    assert re.search(r"storage capacity \d+\.\d GB \(STORAGE_CAPACITY_BYTES\)", run.log.read_text())


def _refused(workdir: Path, **env: str) -> str:
    """The log of a ``python -m stack`` that must refuse to start (exit code 2) with ``env``."""
    workdir.mkdir()
    stack = Run(workdir, **env)
    stack.child.start()
    deadline = time.monotonic() + 30
    while stack.child.exit_code() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    stack.child.stop()
    assert stack.child.exit_code() == 2
    return stack.log.read_text()


def test_registry_replicas_and_gateways_run_that_many_and_refuse_a_bad_count(tmp_path: Path) -> None:
    assert "REGISTRY_REPLICAS must be a number from 1 to 8 (got '0')" in _refused(
        tmp_path / "bad", REGISTRY_REPLICAS="0"
    )
    assert "REGISTRY_GATEWAYS must be a number from 1 to 8 (got 'two')" in _refused(
        tmp_path / "gateways", REGISTRY_GATEWAYS="two"
    )
    refused = _refused(tmp_path / "layout", REGISTRY_SERVICE_PROCESSES="merged")
    assert "REGISTRY_SERVICE_PROCESSES must be shared or separate (got 'merged')" in refused
    refused = _refused(tmp_path / "pinning", REGISTRY_CPU_PINNING="on")
    assert "REGISTRY_CPU_PINNING must be one of auto, gateways, off (got 'on')" in refused
    (tmp_path / "two").mkdir()
    run = Run(tmp_path / "two", REGISTRY_REPLICAS="2", REGISTRY_GATEWAYS="3")
    run.child.start()
    try:
        wait_for_port(run.gateway_port, timeout=60, child=run.child)
        run.until(lambda: all(run.replicas(name) == 2 for name in ("catalog", "storage", "lineage", "scoring")))
        token = _login(run)
        assert {run.call("POST", "/artifacts", [{"name": "*"}], token)[0] for _ in range(8)} == {200}
        assert len(run.pids("services-2")) == 1 and len(run.pids("scoring-svc-2")) == 1
        assert len(run.pids("gateway-2")) == len(run.pids("gateway-3")) == 1  # REGISTRY_GATEWAYS on one port
    finally:
        run.child.stop(timeout=30)


def _cores(pid: int) -> set[frozenset[int]]:
    """The cores each thread of ``pid`` may run on."""
    return {frozenset(os.sched_getaffinity(int(task))) for task in os.listdir(f"/proc/{pid}/task")}


@pytest.mark.skipif(plan(os.sched_getaffinity(0), 1, 2, "auto") is None, reason="no core to spare on this machine")
def test_with_replicas_the_gateway_runs_on_a_core_of_its_own_and_the_rest_on_the_others(tmp_path: Path) -> None:
    """REGISTRY_CPU_PINNING's default: two replicas and one gateway on a machine with a core to spare put the
    gateway (every thread of it, restarted too) on its own core and every other process on the cores left."""
    placed = plan(os.sched_getaffinity(0), 1, 2, "auto")
    assert placed is not None
    run = Run(tmp_path, REGISTRY_REPLICAS="2", REGISTRY_GATEWAYS="1")
    run.child.start()
    try:
        wait_for_port(run.gateway_port, timeout=60, child=run.child)
        services = ("catalog", "storage", "lineage", "scoring")  # every process but the gateway starts on one core
        run.until(lambda: all(run.replicas(name) == 2 for name in services), timeout=60)
        assert _cores(run.pids("gateway")[-1]) == set(placed.gateways)
        for name in ("nats", "seaweed", "services", "services-2", "scoring-svc", "scoring-svc-2", "ui"):
            assert _cores(run.pids(name)[-1]) == {placed.rest}, name
        assert _cores(run.child.pid or 0) == {placed.rest}  # the supervisor, whose children inherit its cores
        os.kill(run.pids("gateway")[-1], signal.SIGKILL)
        run.until(lambda: len(run.pids("gateway")) == 2)
        wait_for_port(run.gateway_port, timeout=60)
        assert _cores(run.pids("gateway")[-1]) == set(placed.gateways)
        assert "each gateway on a core of its own" in run.log.read_text()
    finally:
        run.child.stop(timeout=30)
