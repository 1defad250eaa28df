"""``python -m stack`` (what ``make run`` runs) and the upstream mirror, on free ports, for the benchmarks."""

import sys
from pathlib import Path

from bench.servers import ADMIN_NAME, ADMIN_PASSWORD, ProcessGroup, repo_pythonpath
from stack.processes import Child, free_port

SERVICES = ("catalog", "storage", "lineage", "scoring", "webhooks")
STACK_PORTS = (
    "GATEWAY_PORT", "UI_PORT", "STORAGE_HTTP_PORT", "REGISTRY_NATS_PORT", "REGISTRY_S3_PORT",
    "CATALOG_METRICS_PORT", "STORAGE_METRICS_PORT", "LINEAGE_METRICS_PORT", "SCORING_METRICS_PORT",
    "WEBHOOKS_METRICS_PORT",
)  # fmt: skip


class MakeRunStack(ProcessGroup):
    """The upstream mirror and ``python -m stack`` (what ``make run`` runs) on free ports, with ``replicas`` of each
    service (``REGISTRY_REPLICAS``) and ``gateways`` gateways (``REGISTRY_GATEWAYS``; one per replica by default)."""

    def __init__(self, workdir: Path, replicas: int = 1, gateways: int | None = None) -> None:
        super().__init__(workdir)
        self.replicas = replicas
        self.gateways = gateways if gateways is not None else replicas
        self.stack_pid = 0

    def _start_all(self, timeout: float) -> None:
        mirror_port = free_port()
        mirror_argv = [sys.executable, "-m", "tests.mirror", "--host", "127.0.0.1", "--port", str(mirror_port)]
        self._listening(Child("mirror", mirror_argv, repo_pythonpath(), log_file=self._log("mirror")), mirror_port)
        ports = {name: str(free_port()) for name in STACK_PORTS}
        self.gateway_port = int(ports["GATEWAY_PORT"])
        env = {
            **ports,
            "REGISTRY_DATA_DIR": str(self.data_dir),
            "HF_ENDPOINT": f"http://127.0.0.1:{mirror_port}/hf",
            "GITHUB_API_URL": f"http://127.0.0.1:{mirror_port}/gh",
            "GITHUB_TOKEN": "ghp_registry_bench",
            "REGISTRY_ADMIN_NAME": ADMIN_NAME,
            "REGISTRY_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "REGISTRY_REPLICAS": str(self.replicas),
            "REGISTRY_GATEWAYS": str(self.gateways),
        }
        stack = Child("stack", [sys.executable, "-m", "stack"], env, log_file=self._log("stack"))
        self._listening(stack, self.gateway_port, timeout)
        self._exit.callback(stack.stop, 90.0)  # the supervisor stops its children one by one: let it finish
        self.stack_pid = stack.pid or 0
        self._wait_replicas(dict.fromkeys(SERVICES, self.replicas), timeout)
