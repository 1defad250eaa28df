"""More gateway replicas beside a test stack's own, for tests that need two (or one configured differently)."""

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from stack.processes import Child, free_port, wait_for_port
from tests.harness import RegistryStack


@dataclass(frozen=True)
class Replica:
    """A running extra gateway: its base URL and its log file."""

    url: str
    log: Path


@asynccontextmanager
async def extra_gateway(registry: RegistryStack, env: dict[str, str] | None = None) -> AsyncIterator[Replica]:
    """Start one more gateway on ``registry`` (``env`` overrides its settings); stop it on exit."""
    port = free_port()
    log = registry.workdir / "logs" / f"gateway-{port}.log"
    child = Child(
        f"gateway-{port}",
        [sys.executable, "-m", "gateway"],
        {**registry.env("gateway"), "GATEWAY_PORT": str(port), **(env or {})},
        log_file=log,
    )
    child.start()
    try:
        await asyncio.to_thread(wait_for_port, port, child=child)
        yield Replica(f"http://127.0.0.1:{port}", log)
    finally:
        await asyncio.to_thread(child.stop)
