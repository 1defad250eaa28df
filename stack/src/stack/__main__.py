"""``python -m stack`` (``make run``): NATS (unless ``NATS_URL`` is set), every service, the gateway.

One terminal, every line prefixed by its process; Ctrl-C or SIGTERM stops everything cleanly; a process
that crashes is restarted. State lives under ``REGISTRY_DATA_DIR`` (default ``./var``).
"""

import os
import signal
import sys
import threading
from pathlib import Path

from stack.processes import Child, _stdout_sink, nats_argv, wait_for_port
from stack.supervisor import Supervisor

DEFAULT_NATS_PORT = 14222
# Services started by ``make run``: (process name, module, default metrics port).
SERVICES = [("catalog-svc", "catalog", 9101)]


def main() -> None:
    """Start the stack and supervise it until a signal arrives."""
    data_dir = Path(os.environ.get("REGISTRY_DATA_DIR", "var")).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {"REGISTRY_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
    supervisor = Supervisor(_stdout_sink)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())

    nats_url = os.environ.get("NATS_URL")
    if not nats_url:
        port = int(os.environ.get("REGISTRY_NATS_PORT", DEFAULT_NATS_PORT))
        supervisor.start(Child("nats", nats_argv(port, data_dir / "nats")))
        wait_for_port(port)
        nats_url = f"nats://127.0.0.1:{port}"
    env["NATS_URL"] = nats_url

    for name, module, metrics_port in SERVICES:
        port_var = f"{module.upper()}_METRICS_PORT"
        child_env = {**env, "METRICS_PORT": os.environ.get(port_var, str(metrics_port))}
        supervisor.start(Child(name, [sys.executable, "-m", module], child_env))
    gateway_port = os.environ.get("GATEWAY_PORT", "8080")
    supervisor.start(Child("gateway", [sys.executable, "-m", "gateway"], {**env, "GATEWAY_PORT": gateway_port}))
    _stdout_sink(f"{'stack':<12}| registry on http://127.0.0.1:{gateway_port} (docs at /docs); Ctrl-C stops")
    try:
        supervisor.run(stop)
    finally:
        supervisor.stop_all()


if __name__ == "__main__":
    main()
