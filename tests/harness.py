"""Real processes for the tests: NATS, the upstream mirror, catalog-svc replicas and the gateway.

Nothing here is faked: every server is the one production runs, started on free ports, with its output
in a log file under the test's temporary directory (printed when a start-up fails).
"""

import json
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from stack.processes import Child, free_port, nats_argv, wait_for_port

REPO = Path(__file__).resolve().parent.parent


def start_nats(workdir: Path) -> tuple[Child, str]:
    """A JetStream NATS server on a free port."""
    port = free_port()
    child = Child("nats", nats_argv(port, workdir / "nats"), log_file=workdir / "logs" / "nats.log")
    _start_listening(child, port)
    return child, f"nats://127.0.0.1:{port}"


def start_mirror(workdir: Path) -> tuple[Child, str]:
    """The Hugging Face / GitHub API mirror serving the recorded fixtures."""
    port = free_port()
    child = Child(
        "mirror",
        [sys.executable, "-m", "tests.mirror", "--host", "127.0.0.1", "--port", str(port)],
        {"PYTHONPATH": str(REPO)},
        log_file=workdir / "logs" / "mirror.log",
    )
    _start_listening(child, port)
    return child, f"http://127.0.0.1:{port}"


def _start_listening(child: Child, port: int) -> None:
    child.start()
    try:
        wait_for_port(port, child=child)
    except Exception:
        child.stop()
        raise


@dataclass
class RegistryStack:
    """catalog-svc replicas and one gateway, wired to a NATS server, a mirror and a database."""

    workdir: Path
    nats_url: str
    mirror_url: str
    database_url: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    catalogs: list[Child] = field(default_factory=list)
    gateway: Child | None = None
    gateway_port: int = 0

    @property
    def base_url(self) -> str:
        """The gateway's base URL."""
        return f"http://127.0.0.1:{self.gateway_port}"

    def env(self) -> dict[str, str]:
        """Environment shared by every process of this stack."""
        env = {
            "NATS_URL": self.nats_url,
            "REGISTRY_DATA_DIR": str(self.workdir / "data"),
            "HF_ENDPOINT": f"{self.mirror_url}/hf",
            "GITHUB_API_URL": f"{self.mirror_url}/gh",
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "debug",
            "PYTHONUNBUFFERED": "1",
            "UPSTREAM_TIMEOUT": "5",
            # A deployment calls GitHub with a token (60 anonymous calls an hour would not last a day).
            "GITHUB_TOKEN": "ghp_registry_tests",
            **self.extra_env,
        }
        if self.database_url:
            env["CATALOG_DATABASE_URL"] = self.database_url
        return env

    def start(self) -> "RegistryStack":
        """Start one catalog replica and the gateway; wait until the gateway sees the catalog."""
        self.add_catalog()
        self.gateway_port = free_port()
        self.gateway = Child(
            "gateway",
            [sys.executable, "-m", "gateway"],
            {**self.env(), "GATEWAY_PORT": str(self.gateway_port)},
            log_file=self.workdir / "logs" / "gateway.log",
        )
        self.gateway.start()
        self.wait_ready(replicas=1)
        return self

    def add_catalog(self) -> Child:
        """Start one more catalog-svc replica."""
        index = len(self.catalogs)
        child = Child(
            f"catalog-{index}",
            [sys.executable, "-m", "catalog"],
            self.env(),
            log_file=self.workdir / "logs" / f"catalog-{index}.log",
        )
        child.start()
        self.catalogs.append(child)
        return child

    def live_catalogs(self) -> list[Child]:
        """Catalog replicas still running."""
        return [c for c in self.catalogs if c.alive()]

    def wait_ready(self, replicas: int, timeout: float = 30.0) -> None:
        """Block until ``/health/components`` reports ``replicas`` catalog replicas."""
        deadline = time.monotonic() + timeout
        seen = -1
        while time.monotonic() < deadline:
            seen = self._catalog_replicas()
            if seen == replicas:
                return
            time.sleep(0.1)
        raise TimeoutError(f"expected {replicas} catalog replicas, saw {seen}; logs in {self.workdir / 'logs'}")

    def stop(self) -> None:
        """Stop the gateway and every catalog replica."""
        if self.gateway is not None:
            self.gateway.stop()
        for child in self.catalogs:
            child.stop()

    def _catalog_replicas(self) -> int:
        try:
            with urllib.request.urlopen(f"{self.base_url}/health/components", timeout=2) as response:
                report = json.load(response)
        except OSError:
            return -1
        for component in report["components"]:
            if component["id"] == "catalog":
                return int(component["metrics"]["replicas"])
        return -1
