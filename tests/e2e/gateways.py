"""More gateway replicas beside a test stack's own, for tests that need two (or one configured differently)."""

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from stack.processes import Child, free_port, wait_for_port
from tests.harness import RegistryStack


@asynccontextmanager
async def extra_gateway(registry: RegistryStack, env: dict[str, str] | None = None) -> AsyncIterator[str]:
    """Start one more gateway on ``registry`` (``env`` overrides its settings); yield its base URL."""
    port = free_port()
    child = Child(
        f"gateway-{port}",
        [sys.executable, "-m", "gateway"],
        {**registry.env("gateway"), "GATEWAY_PORT": str(port), **(env or {})},
        log_file=registry.workdir / "logs" / f"gateway-{port}.log",
    )
    child.start()
    try:
        await asyncio.to_thread(wait_for_port, port, child=child)
        yield f"http://127.0.0.1:{port}"
    finally:
        await asyncio.to_thread(child.stop)
