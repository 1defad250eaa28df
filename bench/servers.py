"""The processes under test: NATS, one catalog-svc, one gateway, and the bare baseline server.

Every process logs to a file under the work directory; ``stop`` sends SIGTERM to each (``Child.stop``),
and a start-up failure raises ``StackFailed`` with the tail of the logs. ``ProcessGroup`` is the shared
part, also used by the storage benchmark's stack (``bench.storage_stack``).
"""

import http.client
import json
import os
import sys
import time
from collections.abc import Mapping
from contextlib import ExitStack
from pathlib import Path

from bench.seed import database_path
from catalog.domain.auth import DEFAULT_ADMIN_PASSWORD
from stack.natsd import NatsLaunch, prepare_nats
from stack.processes import Child, free_port, wait_for_port

REPO = Path(__file__).resolve().parent.parent
ADMIN_NAME = "ece30861defaultadminuser"
ADMIN_PASSWORD = DEFAULT_ADMIN_PASSWORD
LOG_TAIL_BYTES = 3000


class StackFailed(RuntimeError):
    """A process of the stack did not start."""


class ProcessGroup:
    """Processes started in ``workdir`` (logs under ``workdir/logs``), stopped newest first."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.data_dir = workdir / "data"
        self.logs = workdir / "logs"
        self.gateway_port = 0
        self._exit = ExitStack()
        self._nats: NatsLaunch | None = None
        self._children: list[Child] = []

    @property
    def gateway_url(self) -> str:
        """Base URL of the gateway."""
        return f"http://127.0.0.1:{self.gateway_port}"

    def start(self, timeout: float = 60.0) -> None:
        """Start every process and wait until the gateway sees the services (stops all on failure)."""
        try:
            self._start_all(timeout)
        except BaseException:
            self.stop()
            raise

    def pids(self) -> dict[str, int | None]:
        """Process ids by name."""
        return {child.name: child.pid for child in self._children}

    def stop(self) -> None:
        """SIGTERM every started process (newest first) and wait for it."""
        self._exit.close()

    def _start_all(self, timeout: float) -> None:
        raise NotImplementedError

    def _start_nats(self) -> str:
        """A JetStream NATS server configured as ``make run``'s (``role_env`` gives each role's credentials); its URL."""
        self._nats = prepare_nats(self.workdir / "nats", free_port())
        self._listening(Child("nats", self._nats.argv, log_file=self._log("nats")), self._nats.port)
        return self._nats.url

    def role_env(self, role: str) -> dict[str, str]:
        """The NATS credentials of ``role`` (after ``_start_nats``)."""
        assert self._nats is not None, "NATS is not started"
        return self._nats.role_env(role)

    def _start_gateway(self, env: Mapping[str, str], timeout: float) -> None:
        self.gateway_port = free_port()
        gateway_env = {**env, **self.role_env("gateway"), "GATEWAY_PORT": str(self.gateway_port)}
        gateway = Child("gateway", [sys.executable, "-m", "gateway"], gateway_env, log_file=self._log("gateway"))
        self._listening(gateway, self.gateway_port, timeout)

    def _log(self, name: str) -> Path:
        return self.logs / f"{name}.log"

    def _spawn(self, child: Child) -> None:
        child.start()
        self._adopt(child)

    def _adopt(self, child: Child) -> None:
        """Own an already started child: stopped with the group."""
        self._children.append(child)
        self._exit.callback(child.stop)

    def start_listening(self, child: Child, port: int) -> None:
        """Start one more process of the group and wait until it listens on ``port``."""
        self._listening(child, port)

    def _listening(self, child: Child, port: int, timeout: float = 20.0) -> None:
        self._spawn(child)
        try:
            wait_for_port(port, timeout=timeout, child=child)
        except (RuntimeError, TimeoutError) as error:
            raise StackFailed(f"{error}\n{self.log_tails()}") from error

    def _wait_replicas(self, expected: Mapping[str, int], timeout: float) -> None:
        """Block until the gateway's ``/health/components`` reports ``expected`` replicas per service."""
        deadline = time.monotonic() + timeout
        seen: dict[str, int] = {}
        while time.monotonic() < deadline:
            seen = service_replicas(self.gateway_port)
            if all(seen.get(name) == count for name, count in expected.items()):
                return
            dead = [f"{c.name} (exit {c.exit_code()})" for c in self._children if not c.alive()]
            if dead:
                raise StackFailed(f"{', '.join(dead)} stopped during start-up\n{self.log_tails()}")
            time.sleep(0.1)
        raise StackFailed(
            f"the gateway saw {seen} replicas, not {dict(expected)}, after {timeout}s\n{self.log_tails()}"
        )

    def log_tails(self) -> str:
        """The last lines of every process log, for an error message."""
        tails = []
        for path in sorted(self.logs.glob("*.log")):
            data = path.read_bytes()[-LOG_TAIL_BYTES:].decode("utf-8", "replace")
            tails.append(f"--- {path.name} ---\n{data}")
        return "\n".join(tails)


class BenchStack(ProcessGroup):
    """NATS, catalog-svc and the gateway wired together, plus the bare server, in ``workdir``."""

    def __init__(self, workdir: Path) -> None:
        super().__init__(workdir)
        self.bare_port = 0

    @property
    def bare_url(self) -> str:
        """Base URL of the bare baseline server."""
        return f"http://127.0.0.1:{self.bare_port}"

    def _start_all(self, timeout: float) -> None:
        nats_url = self._start_nats()
        closed = f"http://127.0.0.1:{free_port()}"
        env = {
            "NATS_URL": nats_url,
            "REGISTRY_DATA_DIR": str(self.data_dir),
            "CATALOG_DATABASE_URL": f"sqlite+aiosqlite:///{database_path(self.data_dir)}",
            "HF_ENDPOINT": f"{closed}/hf",
            "GITHUB_API_URL": f"{closed}/gh",
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "warning",
            "PYTHONUNBUFFERED": "1",
            "UPSTREAM_TIMEOUT": "5",
            "CATALOG_MAX_QUERY_RESULTS": "100000",
            "CATALOG_PAGE_SIZE": "100",
            "TOKEN_MAX_USES": "1000",
            "METRICS_PORT": "0",
            "REGISTRY_ADMIN_NAME": ADMIN_NAME,
            "REGISTRY_ADMIN_PASSWORD": ADMIN_PASSWORD,
        }
        self._spawn(
            Child(
                "catalog",
                [sys.executable, "-m", "catalog"],
                {**env, **self.role_env("catalog")},
                log_file=self._log("catalog"),
            )
        )
        self._start_gateway(env, timeout)
        self.bare_port = free_port()
        bare_argv = [sys.executable, "-m", "bench.bare", "--port", str(self.bare_port)]
        self._listening(Child("bare", bare_argv, repo_pythonpath(), log_file=self._log("bare")), self.bare_port)
        self._wait_replicas({"catalog": 1}, timeout)


def repo_pythonpath() -> dict[str, str]:
    """``PYTHONPATH`` with the repository root first (for ``bench.bare`` and ``tests.mirror``)."""
    return {"PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)}


def service_replicas(port: int) -> dict[str, int]:
    """Replicas per service reported by the gateway's ``/health/components`` (empty when unanswered)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/health/components")
        response = connection.getresponse()
        if response.status != 200:
            return {}
        report: Mapping[str, object] = json.loads(response.read())
    except (OSError, ValueError):
        return {}
    finally:
        connection.close()
    components = report.get("components")
    replicas: dict[str, int] = {}
    for component in components if isinstance(components, list) else []:
        metrics = component.get("metrics") if isinstance(component, dict) else None
        if isinstance(metrics, dict) and "replicas" in metrics:
            replicas[str(component["id"])] = int(metrics["replicas"])
    return replicas
