"""One benchmark run: seed, start the stack, drive every scenario, stop everything."""

import asyncio
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bench import corpus, scenarios
from bench.config import BenchConfig
from bench.cpu import Probe, probe_for
from bench.load import Result, Scenario, TokenPool, run_scenario
from bench.report import RunInfo
from bench.seed import seed
from bench.servers import BenchStack

REQUEST_TIMEOUT = 60.0


@dataclass(frozen=True)
class Outcome:
    """Everything the report needs."""

    info: RunInfo
    results: list[Result]


def run(config: BenchConfig, mode: str) -> Outcome:
    """Run the whole benchmark in a temporary directory, removed afterwards with every process stopped."""
    with tempfile.TemporaryDirectory(prefix="registry-bench-") as tmp:
        workdir = Path(tmp)
        stack = BenchStack(workdir)
        started = time.perf_counter()
        seeded = asyncio.run(seed(stack.data_dir, corpus.generate(config.artifacts, config.seed)))
        seed_seconds = time.perf_counter() - started
        started = time.perf_counter()
        stack.start()
        try:
            startup_seconds = time.perf_counter() - started
            built = scenarios.build(config, seeded.keys, stack.gateway_url, stack.bare_url)
            probe = probe_for(stack.pids())
            results, logins = asyncio.run(_drive(built, stack.gateway_url, config, probe))
        finally:
            stack.stop()
        info = RunInfo(
            mode=mode,
            artifacts=config.artifacts,
            readme_bytes=seeded.readme_bytes,
            database_bytes=_size(seeded.database),
            seed_seconds=seed_seconds,
            startup_seconds=startup_seconds,
            logins=logins,
        )
        return Outcome(info, results)


async def _drive(
    built: list[Scenario], gateway_url: str, config: BenchConfig, probe: Probe
) -> tuple[list[Result], int]:
    connector = aiohttp.TCPConnector(limit=0, limit_per_host=config.workers)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        tokens = TokenPool(session, gateway_url, config.token_budget)
        results = []
        for index, scenario in enumerate(built):
            results.append(await run_scenario(session, scenario, tokens, config.seed + 10 * index, probe))
        return results, tokens.logins


def _size(database: Path) -> int:
    return sum(p.stat().st_size for p in database.parent.glob(database.name + "*") if p.is_file())
