"""``python -m stack`` (``make run``): NATS and SeaweedFS (unless configured), every service, the gateway, the UI.

One terminal, every line prefixed by its process; Ctrl-C or SIGTERM stops everything cleanly; a process
that crashes is restarted. State lives under ``REGISTRY_DATA_DIR`` (default ``./var``).

``python -m stack --cluster`` (``make run-cluster``) runs the production topology instead: see ``stack.cluster``.
"""

import json
import os
import signal
import sys
import threading
from pathlib import Path

from stack.capacity import default_capacity
from stack.cpus import CpuPlan, plan
from stack.natsd import prepare_nats
from stack.ports import PortClaim, taken
from stack.private import persistent_secret
from stack.processes import Child, stdout_sink, wait_for_port
from stack.seaweed import prepare_seaweed, wait_seaweed_ready
from stack.supervisor import EDGE, INFRA, Supervisor

DEFAULT_NATS_PORT = 14222
DEFAULT_S3_PORT = 18333
DEFAULT_BUCKET = "registry-artifacts"
DEFAULT_STORAGE_HTTP_PORT = 8082
# Services started by ``make run``: (process name, module, default metrics port).
SERVICES = [
    ("catalog-svc", "catalog", 9101),
    ("storage-svc", "storage", 9102),
    ("lineage-svc", "lineage", 9103),
    ("scoring-svc", "scoring", 9104),
    ("webhook-svc", "webhooks", 9105),
]
# The services ``make run`` runs in one process by default (``service_processes``).
TOGETHER = ("catalog", "storage", "lineage", "webhooks")


def port_claims(cluster: bool = False) -> list[PortClaim]:
    """Every port this stack will listen on, as the environment chooses them."""
    claims = [
        PortClaim(int(os.environ.get("GATEWAY_PORT", "8080")), "the gateway", "GATEWAY_PORT"),
        PortClaim(int(os.environ.get("UI_PORT", "8081")), "the web UI", "UI_PORT"),
        PortClaim(
            int(os.environ.get("STORAGE_HTTP_PORT", DEFAULT_STORAGE_HTTP_PORT)),
            "storage-svc downloads",
            "STORAGE_HTTP_PORT",
        ),
    ]
    for name, module, metrics_port in SERVICES:
        variable = f"{module.upper()}_METRICS_PORT"
        claims.append(PortClaim(int(os.environ.get(variable, metrics_port)), f"{name} metrics", variable))
    if not os.environ.get("NATS_URL"):
        nats_port = int(os.environ.get("REGISTRY_NATS_PORT", DEFAULT_NATS_PORT))
        if cluster:
            from stack.cluster import nats_claims

            claims += nats_claims(nats_port)
        else:
            claims.append(PortClaim(nats_port, "the NATS server", "REGISTRY_NATS_PORT"))
    if not os.environ.get("S3_ENDPOINT_URL"):
        s3_port = int(os.environ.get("REGISTRY_S3_PORT", DEFAULT_S3_PORT))
        claims.append(PortClaim(s3_port, "SeaweedFS S3", "REGISTRY_S3_PORT"))
    return claims


def main() -> None:
    """Start the stack and supervise it until a signal arrives (exit 2 at once when a port it needs is taken)."""
    cluster = "--cluster" in sys.argv[1:]
    if cluster:
        os.environ.setdefault("REGISTRY_REPLICAS", "2")
    replicas()  # a bad REGISTRY_REPLICAS, REGISTRY_GATEWAYS or REGISTRY_SERVICE_PROCESSES stops the start at once
    gateways()
    service_processes(cluster)
    cpus = placement()
    busy = taken(port_claims(cluster))
    if busy:
        for claim in busy:
            stdout_sink(f"{'stack':<12}| cannot start: {claim.explain()}")
        sys.exit(2)
    data_dir = Path(os.environ.get("REGISTRY_DATA_DIR", "var")).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {"REGISTRY_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
    # A local receiver (http://127.0.0.1:...) may be a webhook target here; deployments allow nothing by default.
    env["WEBHOOK_ALLOW_PRIVATE_NETWORKS"] = os.environ.get("WEBHOOK_ALLOW_PRIVATE_NETWORKS", "loopback")
    roles: dict[str, dict[str, str]] = {}
    supervisor = Supervisor(stdout_sink)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    if cpus is not None:  # every child inherits these cores; each gateway is then moved to its own
        os.sched_setaffinity(0, cpus.rest)
        stdout_sink(
            f"{'stack':<12}| each gateway on a core of its own ({', '.join(str(min(own)) for own in cpus.gateways)}), "
            f"every other process on {', '.join(map(str, sorted(cpus.rest)))} (REGISTRY_CPU_PINNING)"
        )
    try:
        env["NATS_URL"], roles = _cluster_nats(supervisor, data_dir) if cluster else _nats(supervisor, data_dir)
        if cluster:
            from stack.cluster import database_env

            env.update(database_env(), STORAGE_STREAM_REPLICAS="3", WEBHOOK_STREAM_REPLICAS="3")
        env.update(_object_storage(supervisor, data_dir))
        shared = service_processes(cluster) == "shared"
        for replica in range(1, replicas() + 1):
            together: dict[str, dict[str, str]] = {}
            for name, module, metrics_port in SERVICES:
                own = {**roles.get(module, {}), **_replica_ports(module, metrics_port, replica)}
                if module == "storage":
                    own = {**_downloads(data_dir), **own}
                if shared and module in TOGETHER:
                    together[module] = own
                    continue
                label = name if replica == 1 else f"{name}-{replica}"
                supervisor.start(Child(label, [sys.executable, "-m", module], {**env, **own}))
            if together:  # one process for these (svckit.together): their libraries are held once
                label = "services" if replica == 1 else f"services-{replica}"
                shared_env = {**env, "REGISTRY_TOGETHER": json.dumps(together)}
                supervisor.start(Child(label, [sys.executable, "-m", "svckit.together"], shared_env))
        gateway_port = os.environ.get("GATEWAY_PORT", "8080")
        ui_port = os.environ.get("UI_PORT", "8081")
        gateway_env = {
            **env,
            **roles.get("gateway", {}),
            "GATEWAY_PORT": gateway_port,
            "GATEWAY_UI_URL": os.environ.get("GATEWAY_UI_URL", f"http://127.0.0.1:{ui_port}/"),
        }
        if gateways() > 1:  # gateways on one port (SO_REUSEPORT): the kernel spreads the connections
            gateway_env["GATEWAY_REUSE_PORT"] = "true"
            for replica in range(gateways(), 1, -1):
                argv = [sys.executable, "-m", "gateway"]
                supervisor.start(Child(f"gateway-{replica}", argv, gateway_env, cpus=_own(cpus, replica)), EDGE)
        supervisor.start(Child("gateway", [sys.executable, "-m", "gateway"], gateway_env, cpus=_own(cpus, 1)), EDGE)
        ui_env = {**env, "UI_PORT": ui_port, "REGISTRY_URL": f"http://127.0.0.1:{gateway_port}"}
        supervisor.start(Child("ui", [sys.executable, "-m", "ui"], ui_env), EDGE)
        stdout_sink(
            f"{'stack':<12}| open http://127.0.0.1:{gateway_port} in a browser (the web UI, on port {ui_port}); "
            f"the API is at that address, its docs at /docs; Ctrl-C stops"
        )
        if not os.environ.get("REGISTRY_ADMIN_PASSWORD"):
            stdout_sink(
                f"{'stack':<12}| the administrator has the spec's published default password (clients of the "
                "contract log in with it): keep this stack on this machine, or set REGISTRY_ADMIN_PASSWORD"
            )
        supervisor.run(stop)
    finally:
        supervisor.stop_all()


def service_processes(cluster: bool) -> str:
    """``shared`` (``make run``'s default): catalog-, storage-, lineage- and webhook-svc in one process, scoring-svc
    (sandboxes, asyncio's own loop) in its own; ``separate``: a process per service (``make run-cluster``'s default,
    as deployments run them). ``REGISTRY_SERVICE_PROCESSES`` chooses."""
    raw = os.environ.get("REGISTRY_SERVICE_PROCESSES", "separate" if cluster else "shared")
    if raw not in ("shared", "separate"):
        stdout_sink(f"{'stack':<12}| cannot start: REGISTRY_SERVICE_PROCESSES must be shared or separate (got {raw!r})")
        sys.exit(2)
    return raw


def replicas() -> int:
    """How many replicas of each service to run (``REGISTRY_REPLICAS``, 1 to 8; default 1)."""
    raw = os.environ.get("REGISTRY_REPLICAS", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= 8:
        stdout_sink(f"{'stack':<12}| cannot start: REGISTRY_REPLICAS must be a number from 1 to 8 (got {raw!r})")
        sys.exit(2)
    return int(raw)


def gateways() -> int:
    """How many gateways to run on the gateway port (``REGISTRY_GATEWAYS``, 1 to 8; default: one per replica). One
    gateway process uses one core at most: a second one lifts the read throughput on a machine with cores to spare,
    for about 60 MB more memory."""
    raw = os.environ.get("REGISTRY_GATEWAYS", str(replicas()))
    if not raw.isdigit() or not 1 <= int(raw) <= 8:
        stdout_sink(f"{'stack':<12}| cannot start: REGISTRY_GATEWAYS must be a number from 1 to 8 (got {raw!r})")
        sys.exit(2)
    return int(raw)


def placement() -> CpuPlan | None:
    """Where the gateways and the other processes run (``REGISTRY_CPU_PINNING``: ``auto``, ``gateways`` or
    ``off``; see ``stack.cpus``), on the cores this process may use; None: where the kernel puts them."""
    mode = os.environ.get("REGISTRY_CPU_PINNING", "auto")
    if not hasattr(os, "sched_setaffinity"):  # not Linux
        mode = "off" if mode == "auto" else mode
        if mode != "off":
            stdout_sink(f"{'stack':<12}| cannot start: REGISTRY_CPU_PINNING={mode} needs Linux (use auto or off)")
            sys.exit(2)
        return None
    try:
        return plan(os.sched_getaffinity(0), gateways(), replicas(), mode)
    except ValueError as refused:
        stdout_sink(f"{'stack':<12}| cannot start: REGISTRY_CPU_PINNING {refused}")
        sys.exit(2)


def _own(cpus: CpuPlan | None, gateway: int) -> frozenset[int] | None:
    return cpus.gateways[gateway - 1] if cpus is not None else None


def _replica_ports(module: str, metrics_port: int, replica: int) -> dict[str, str]:
    """The first replica of a service listens on the configured ports; the others on free ones (logged by each)."""
    if replica == 1:
        return {"METRICS_PORT": os.environ.get(f"{module.upper()}_METRICS_PORT", str(metrics_port))}
    extra = {"METRICS_PORT": "0"}
    if module == "storage":
        extra["STORAGE_HTTP_PORT"] = "0"  # its download links name the port it bound
    return extra


def _nats(supervisor: Supervisor, data_dir: Path) -> tuple[str, dict[str, dict[str, str]]]:
    """``NATS_URL`` if set (each process then reads its own ``NATS_USER``/``NATS_PASSWORD`` from the environment),
    else a JetStream NATS server of our own on 127.0.0.1 and every role's credentials for it."""
    if os.environ.get("NATS_URL"):
        return os.environ["NATS_URL"], {}
    port = int(os.environ.get("REGISTRY_NATS_PORT", DEFAULT_NATS_PORT))
    launch = prepare_nats(data_dir / "nats", port)
    child = Child("nats", launch.argv)
    supervisor.start(child, INFRA)
    wait_for_port(port, child=child)
    return launch.url, {role: launch.role_env(role) for role in launch.passwords}


def _cluster_nats(supervisor: Supervisor, data_dir: Path) -> tuple[str, dict[str, dict[str, str]]]:
    """``NATS_URL`` if set, else a three-node NATS cluster of our own and every role's credentials for it."""
    if os.environ.get("NATS_URL"):
        return os.environ["NATS_URL"], {}
    from stack.cluster import start_nats_cluster

    port = int(os.environ.get("REGISTRY_NATS_PORT", DEFAULT_NATS_PORT))
    nodes = start_nats_cluster(supervisor, data_dir / "nats-cluster", port)
    return nodes.url, {role: nodes.role_env(role) for role in nodes.nodes[0].passwords}


def _downloads(data_dir: Path) -> dict[str, str]:
    """storage-svc's byte endpoint (streamed downloads) on a fixed port, its link key generated once."""
    return {
        "STORAGE_HTTP_PORT": os.environ.get("STORAGE_HTTP_PORT", str(DEFAULT_STORAGE_HTTP_PORT)),
        "STORAGE_LINK_KEY": os.environ.get("STORAGE_LINK_KEY") or persistent_secret(data_dir / "storage" / "link-key"),
    }


def _object_storage(supervisor: Supervisor, data_dir: Path) -> dict[str, str]:
    """S3 settings for storage-svc: ``S3_ENDPOINT_URL`` if set, else a SeaweedFS of our own (auth on)."""
    if os.environ.get("S3_ENDPOINT_URL"):
        return {}
    bucket = os.environ.get("S3_BUCKET", DEFAULT_BUCKET)
    port = int(os.environ.get("REGISTRY_S3_PORT", DEFAULT_S3_PORT))
    launch = prepare_seaweed(data_dir / "seaweed", bucket, s3_port=port)
    child = Child("seaweed", launch.argv, launch.env)
    supervisor.start(child, INFRA)
    wait_seaweed_ready(launch.s3, timeout=60, child=child)
    capacity = os.environ.get("STORAGE_CAPACITY_BYTES")  # storage-svc checks it
    if not capacity:  # an ingest past it answers 507 before the disk fills
        capacity = str(default_capacity(data_dir / "seaweed"))
        stdout_sink(f"{'stack':<12}| storage capacity {int(capacity) / 1e9:.1f} GB (STORAGE_CAPACITY_BYTES)")
    return {
        "STORAGE_CAPACITY_BYTES": capacity,
        "S3_ENDPOINT_URL": launch.s3.endpoint_url,
        "S3_ACCESS_KEY_ID": launch.s3.access_key,
        "S3_SECRET_ACCESS_KEY": launch.s3.secret_key,
        "S3_REGION": launch.s3.region,
        "S3_BUCKET": bucket,
    }


if __name__ == "__main__":
    main()
