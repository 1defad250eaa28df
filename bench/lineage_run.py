"""``python -m bench.lineage_run [--quick]``: lineage and cost-with-dependencies latency on a deep graph.

Seeds a 10,000-node graph 20 levels deep into lineage-svc's store (and the matching packages into
storage-svc's index), starts NATS, catalog-svc (tokens), storage-svc (sizes), lineage-svc and the gateway,
then times ``GET /artifact/model/{id}/lineage`` and ``GET /artifact/model/{id}/cost?dependency=true``.
"""

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from bench.lineage_seed import plan, seed
from stack.natsd import prepare_nats
from stack.processes import Child, free_port, wait_for_port
from tests.api import ADMIN, ADMIN_PASSWORD

TARGET_P99_MS = 50.0


def _start(workdir: Path) -> tuple[list[Child], str]:
    nats, gateway_port = prepare_nats(workdir / "nats", free_port()), free_port()
    env = {
        "NATS_URL": nats.url, "REGISTRY_DATA_DIR": str(workdir), "LOG_LEVEL": "warning",
        "LOG_FORMAT": "json", "S3_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}", "GATEWAY_PORT": str(gateway_port),
    }  # fmt: skip
    children = [Child("nats", nats.argv, log_file=workdir / "nats.log")]
    children[0].start()
    wait_for_port(nats.port, child=children[0])
    for module in ("catalog", "storage", "lineage", "gateway"):
        child_env = {**env, **nats.role_env(module)}
        child = Child(module, [sys.executable, "-m", module], child_env, log_file=workdir / f"{module}.log")
        child.start()
        children.append(child)
    wait_for_port(gateway_port, timeout=60, child=children[-1])
    return children, f"http://127.0.0.1:{gateway_port}"


async def _token(session: aiohttp.ClientSession, base: str) -> str:
    body = {"user": {"name": ADMIN, "is_admin": True}, "secret": {"password": ADMIN_PASSWORD}}
    for _ in range(100):
        async with session.put(f"{base}/authenticate", json=body) as response:
            if response.status == 200:
                return str(await response.json())
        await asyncio.sleep(0.2)
    raise RuntimeError("could not log in")


async def _measure(session: aiohttp.ClientSession, urls: list[str], token: str, workers: int) -> list[float]:
    queue = list(urls)
    latencies: list[float] = []

    async def worker() -> None:
        while queue:
            url = queue.pop()
            started = time.perf_counter()
            async with session.get(url, headers={"X-Authorization": token}) as response:
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"{url} answered {response.status}")
            latencies.append(time.perf_counter() - started)

    await asyncio.gather(*(worker() for _ in range(workers)))
    return latencies


def _line(label: str, latencies: list[float]) -> str:
    ordered = sorted(latencies)
    p50 = 1000 * statistics.median(ordered)
    p99 = 1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    verdict = "met " if p99 < TARGET_P99_MS else "MISS"
    return f"  {label:<44} n={len(ordered):>4}  p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  [{verdict}] p99 < {TARGET_P99_MS:.0f} ms"


async def _run(quick: bool) -> None:
    graph, links = plan(1000 if quick else 10_000, 20)
    with tempfile.TemporaryDirectory(prefix="lineage-bench-") as raw:
        workdir = Path(raw)
        started = time.perf_counter()
        await seed(workdir, graph, links)
        print(f"seeded {graph.size:,} nodes, {len(links):,} edges, 20 levels in {time.perf_counter() - started:.1f} s")
        children, base = _start(workdir)
        try:
            async with aiohttp.ClientSession() as session:
                token = await _token(session, base)
                rng = random.Random(7)
                middle = [rng.choice(graph.levels[rng.randrange(5, 15)]) for _ in range(100 if quick else 400)]
                leaves = [rng.choice(graph.levels[-1]) for _ in range(50 if quick else 200)]
                lineage = [f"{base}/artifact/model/{i}/lineage" for i in middle]
                cost = [f"{base}/artifact/model/{i}/cost?dependency=true" for i in leaves]
                await _measure(session, lineage[:20], token, 4)
                print("lineage-svc on a deep graph (1 gateway, 1 lineage-svc, SQLite):")
                for label, urls, workers in (
                    ("GET lineage (mid-level node), 1 client", lineage, 1),
                    ("GET lineage (mid-level node), 8 clients", lineage, 8),
                    ("GET cost?dependency=true (leaf), 1 client", cost, 1),
                    ("GET cost?dependency=true (leaf), 8 clients", cost, 8),
                ):
                    fresh = await _token(session, base)  # a token serves 1,000 calls
                    print(_line(label, await _measure(session, urls, fresh, workers)))
        finally:
            for child in reversed(children):
                child.stop()


def main() -> None:
    """Parse ``--quick`` and run."""
    parser = argparse.ArgumentParser(prog="python -m bench.lineage_run")
    parser.add_argument("--quick", action="store_true", help="1,000 nodes instead of 10,000")
    asyncio.run(_run(parser.parse_args().quick))


if __name__ == "__main__":
    main()
