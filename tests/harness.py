"""Real processes for the tests: NATS, the upstream mirror, catalog-svc replicas and the gateway.

Nothing here is faked: every server is the one production runs, started on free ports, with its output
in a log file under the test's temporary directory (printed when a start-up fails).
"""

import json
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from stack.natsd import NatsLaunch, prepare_nats
from stack.processes import Child, free_port, nats_server_binary, stop_together, wait_for_port
from stack.seaweed import SeaweedS3, start_seaweed
from svckit.connection import BusAuth

REPO = Path(__file__).resolve().parent.parent


def start_nats(workdir: Path) -> tuple[Child, NatsLaunch]:
    """A JetStream NATS server on a free port, configured as ``make run``'s: one user per role, no anonymous."""
    launch = prepare_nats(workdir / "nats", free_port())
    child = Child("nats", launch.argv, log_file=workdir / "logs" / "nats.log")
    _start_listening(child, launch.port)
    return child, launch


def start_open_nats(workdir: Path) -> tuple[Child, str]:
    """A NATS server that lets anyone in, for the transport's own tests (their subjects belong to no role)."""
    port = free_port()
    argv = [nats_server_binary(), "-a", "127.0.0.1", "-p", str(port)]
    child = Child("nats", argv, log_file=workdir / "logs" / "nats.log")
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
    nats: NatsLaunch
    mirror_url: str
    s3: SeaweedS3
    database_url: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    catalogs: list[Child] = field(default_factory=list)
    storages: list[Child] = field(default_factory=list)
    lineages: list[Child] = field(default_factory=list)
    scorings: list[Child] = field(default_factory=list)
    webhooks: list[Child] = field(default_factory=list)
    gateway: Child | None = None
    gateway_port: int = 0
    ui: Child | None = None
    ui_port: int = 0

    @property
    def base_url(self) -> str:
        """The gateway's base URL."""
        return f"http://127.0.0.1:{self.gateway_port}"

    @property
    def nats_url(self) -> str:
        """The NATS server's URL (connecting needs a role's credentials: ``nats.role_env``)."""
        return self.nats.url

    def bus_auth(self, role: str) -> BusAuth:
        """NATS credentials of ``role``, for a test that speaks on the bus as that role."""
        return BusAuth(user=role, password=self.nats.passwords[role])

    def env(self, role: str | None = None) -> dict[str, str]:
        """Environment of this stack's processes; a process of ``role`` gets that role's NATS credentials."""
        env = {
            "NATS_URL": self.nats_url,
            **(self.nats.role_env(role) if role else {}),
            "REGISTRY_DATA_DIR": str(self.workdir / "data"),
            "HF_ENDPOINT": f"{self.mirror_url}/hf",
            "GITHUB_API_URL": f"{self.mirror_url}/gh",
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "debug",
            "PYTHONUNBUFFERED": "1",
            "UPSTREAM_TIMEOUT": "5",
            # A deployment calls GitHub with a token (60 anonymous calls an hour would not last a day).
            "GITHUB_TOKEN": "ghp_registry_tests",
            "S3_ENDPOINT_URL": self.s3.endpoint_url,
            "S3_ACCESS_KEY_ID": self.s3.access_key,
            "S3_SECRET_ACCESS_KEY": self.s3.secret_key,
            "S3_REGION": self.s3.region,
            "S3_BUCKET": self.s3.bucket,
            # Real upstream weights are gigabytes; the tests copy what fits (see STORAGE_MAX_FILE_BYTES).
            "STORAGE_MAX_FILE_BYTES": str(8 << 20),
            "STORAGE_ACK_WAIT": "3",
            # Every storage replica signs and accepts the same download links.
            "STORAGE_LINK_KEY": "registry-tests-link-key",
            # Mirror filler bytes differ from the published checksums: retry them quickly, then mark them failed.
            "STORAGE_RETRY_SECONDS": "0.05",
            # The storage and lineage suites ingest unlicensed test models (sshleifer/tiny-gpt2) that the default
            # quality gate refuses; tests/e2e/test_quality_gate.py runs a stack of its own with the default gate.
            "SCORING_GATE": "false",
            # Test receivers listen on loopback; retries are quick so a retried delivery is seen in seconds.
            "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "loopback",
            "WEBHOOK_RETRY_BASE_SECONDS": "0.3",
            "WEBHOOK_RETRY_MAX_SECONDS": "2",
            "WEBHOOK_MAX_ATTEMPTS": "6",
            "WEBHOOK_DISABLE_AFTER": "5",
            "WEBHOOK_POLL_SECONDS": "0.2",
            "WEBHOOK_OWNER_WAIT_SECONDS": "10",
            **self.extra_env,
        }
        if self.database_url:
            env["CATALOG_DATABASE_URL"] = self.database_url
            env["STORAGE_DATABASE_URL"] = self.database_url
            env["LINEAGE_DATABASE_URL"] = self.database_url
            env["SCORING_DATABASE_URL"] = self.database_url
            env["WEBHOOK_DATABASE_URL"] = self.database_url
        return env

    def start(self) -> "RegistryStack":
        """Start one catalog and one storage replica and the gateway; wait until the gateway sees them."""
        self.add_catalog()
        self.add_storage()
        self.lineages.append(self._service("lineage", 0))
        self.add_scoring()
        self.webhooks.append(self._service("webhooks", 0))
        self.gateway_port = free_port()
        self.gateway = Child(
            "gateway",
            [sys.executable, "-m", "gateway"],
            {**self.env("gateway"), "GATEWAY_PORT": str(self.gateway_port)},
            log_file=self.workdir / "logs" / "gateway.log",
        )
        self.gateway.start()
        self.wait_ready(replicas=1)
        return self

    @property
    def ui_url(self) -> str:
        """The web UI's base URL (after ``start_ui``)."""
        return f"http://127.0.0.1:{self.ui_port}"

    def start_ui(self) -> Child:
        """Start the web UI (``python -m ui``) against this stack's gateway; wait until it listens."""
        if self.ui is None:
            self.ui_port = free_port()
            env = {**self.env(), "UI_PORT": str(self.ui_port), "REGISTRY_URL": self.base_url}
            self.ui = Child("ui", [sys.executable, "-m", "ui"], env, log_file=self.workdir / "logs" / "ui.log")
            _start_listening(self.ui, self.ui_port)
        return self.ui

    def add_catalog(self) -> Child:
        """Start one more catalog-svc replica."""
        index = len(self.catalogs)
        child = Child(
            f"catalog-{index}",
            [sys.executable, "-m", "catalog"],
            self.env("catalog"),
            log_file=self.workdir / "logs" / f"catalog-{index}.log",
        )
        child.start()
        self.catalogs.append(child)
        return child

    def _service(self, module: str, index: int, extra_env: dict[str, str] | None = None) -> Child:
        child = Child(
            f"{module}-{index}",
            [sys.executable, "-m", module],
            {**self.env(module), **(extra_env or {})},
            log_file=self.workdir / "logs" / f"{module}-{index}.log",
        )
        child.start()
        return child

    def add_storage(self, extra_env: dict[str, str] | None = None) -> Child:
        """Start one more storage-svc replica (``extra_env`` overrides settings for it alone)."""
        index = len(self.storages)
        child = Child(
            f"storage-{index}",
            [sys.executable, "-m", "storage"],
            {**self.env("storage"), **(extra_env or {})},
            log_file=self.workdir / "logs" / f"storage-{index}.log",
        )
        child.start()
        self.storages.append(child)
        return child

    def add_scoring(self, extra_env: dict[str, str] | None = None) -> Child:
        """Start one more scoring-svc replica (``extra_env`` overrides settings for it alone)."""
        child = self._service("scoring", len(self.scorings), extra_env)
        self.scorings.append(child)
        return child

    def live_catalogs(self) -> list[Child]:
        """Catalog replicas still running."""
        return [c for c in self.catalogs if c.alive()]

    def wait_ready(self, replicas: int, timeout: float = 30.0, service: str = "catalog") -> None:
        """Block until ``/health/components`` reports ``replicas`` replicas of ``service`` (and storage is up)."""
        deadline = time.monotonic() + timeout
        seen: dict[str, int] = {}
        while time.monotonic() < deadline:
            seen = self._replicas()
            others = all(seen.get(name, 0) >= 1 for name in ("storage", "lineage", "scoring", "webhooks"))
            if seen.get(service) == replicas and others:
                return
            time.sleep(0.1)
        raise TimeoutError(f"expected {replicas} {service} replicas, saw {seen}; logs in {self.workdir / 'logs'}")

    def stop(self) -> None:
        """Stop the UI and the gateway together, then every service replica together."""
        stop_together([child for child in (self.ui, self.gateway) if child is not None])
        stop_together(self.catalogs + self.storages + self.lineages + self.scorings + self.webhooks)

    def _replicas(self) -> dict[str, int]:
        try:
            with urllib.request.urlopen(f"{self.base_url}/health/components", timeout=2) as response:
                report = json.load(response)
        except OSError:
            return {}
        return {c["id"]: int(c["metrics"]["replicas"]) for c in report["components"] if "replicas" in c["metrics"]}


@contextmanager
def running_registry(
    root: Path, mirror_url: str, *, database_url: str | None = None, extra_env: dict[str, str] | None = None
) -> Iterator[RegistryStack]:
    """A whole registry under ``root`` (its own NATS and SeaweedFS), stopped on exit."""
    nats, launch = start_nats(root)
    seaweed, s3 = start_seaweed(root / "seaweed", f"registry-{root.name}", log_file=root / "logs" / "seaweed.log")
    stack = RegistryStack(root, launch, mirror_url, s3, database_url=database_url, extra_env=extra_env or {})
    try:
        yield stack.start()
    finally:
        stack.stop()
        stop_together([seaweed, nats])
    assert_no_bus_violations(root / "logs" / "nats.log")


def assert_no_bus_violations(log: Path) -> None:
    """Fail when the NATS server refused one of our own processes: the bus permissions miss a subject it needs."""
    refused = [line for line in log.read_text(errors="replace").splitlines() if "Violation" in line]
    assert not refused, f"the bus refused our own processes ({log}):\n" + "\n".join(refused[:10])
