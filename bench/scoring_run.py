"""``python -m bench.scoring_run [--quick]``: the rating's cost, cold and warm.

Starts the whole stack against the upstream mirror (gate off, so every fixture model is stored), then prints:

1. cold rating of each fixture model at ingest: the registration's wall time and every metric's latency;
2. the metrics of one model computed sequentially vs concurrently, in this process, with the real adapters
   against a second mirror that waits ``LATENCY_MS`` before each answer like a WAN round trip to the real services
   (ratio = sequential / concurrent wall time; each source fetched once in both);
3. warm ``GET /artifact/model/{id}/rate`` at 64 clients against ``GET /health`` on the same gateway as the
   baseline (no authentication, no NATS hop): throughput, p50, p99 (target p99 < 20 ms) and their ratios.
"""

import argparse
import asyncio
import random
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp

from bench.load import Call, Result, Scenario, TokenPool, run_scenario
from bench.servers import repo_pythonpath
from bench.storage_stack import StorageStack
from contracts.lineage import NodeParents
from contracts.scoring import RateModel
from contracts.storage import SourceKind, SourceRef
from scoring.adapters.code_archive import inspect_archive
from scoring.adapters.github import GitHubCodeHost
from scoring.adapters.hub import HfHub
from scoring.adapters.model_copy import HubModelCopy
from scoring.adapters.sandbox import SubprocessSandbox, detect_isolation
from scoring.evidence.metrics import INDEPENDENT
from scoring.evidence.sources import Evidence, Sources
from stack.processes import Child, free_port
from svckit.logging import configure_logging
from svckit.upstream import Upstream
from svckit.upstream_client import UpstreamClient, open_upstream
from tests.e2e.test_fixture_catalogue import HF, MODELS

TARGET_P99_MS = 20.0
LATENCY_MS = 50
CLIENTS = 64
METRICS = [*INDEPENDENT, "tree_score", "net_score"]
CONCURRENCY_MODELS = ["google-bert/bert-base-uncased", "openai/whisper-tiny", "vikhyatk/moondream2"]


class NoRelatives:
    """The in-process measurement rates outside the registry: no lineage, no stored package."""

    async def of(self, artifact_id: str) -> NodeParents | None:
        return None


class NoPackage:
    async def of(self, artifact_id: str) -> int | None:
        return None


async def _cold(session: aiohttp.ClientSession, base: str, token: str) -> list[str]:
    print("1. Cold rating at ingest (POST /artifact/model, then the stored latencies; seconds):")
    short = {"dataset_and_code_score": "data+code", "performance_claims": "claims", "reproducibility": "repro"}
    header = "".join(f"{short.get(m, m)[:9]:>10}" for m in METRICS)
    print(f"  {'model':<44}{'ingest':>8}{header}")
    ids = []
    for repo in MODELS:
        started = time.perf_counter()
        async with session.post(
            f"{base}/artifact/model", json={"url": f"{HF}/{repo}"}, headers={"X-Authorization": token}
        ) as reply:
            body = await reply.json()
            if reply.status != 201:
                raise RuntimeError(f"{repo}: {reply.status} {body}")
        wall = time.perf_counter() - started
        ids.append(body["metadata"]["id"])
        async with session.get(f"{base}/artifact/model/{ids[-1]}/rate", headers={"X-Authorization": token}) as reply:
            rating: dict[str, Any] = await reply.json()
        cells = "".join(f"{rating[f'{m}_latency']:>10.3f}" for m in METRICS)
        print(f"  {repo:<44}{wall:>8.2f}{cells}   net {rating['net_score']:.3f}")
    return ids


def _no_cpu() -> dict[str, float]:
    return {}


def _sources(client: UpstreamClient, sandbox: SubprocessSandbox) -> Sources:
    return Sources(
        hub=HfHub(client),
        code=GitHubCodeHost(client),
        relatives=NoRelatives(),
        package_bytes=NoPackage(),
        sandbox=sandbox,
        inspect=inspect_archive,
        model_copy=HubModelCopy(client, 512 << 20),
    )


async def _metrics_once(sources: Sources, repo: str, concurrent: bool) -> float:
    source = SourceRef(kind=SourceKind.HF_MODEL, repo_id=repo)
    evidence = Evidence(RateModel(artifact_id="1", name=repo.split("/")[1], source=source), sources)
    started = time.perf_counter()
    if concurrent:
        await asyncio.gather(*(fn(evidence) for fn in INDEPENDENT.values()))
    else:
        for fn in INDEPENDENT.values():
            await fn(evidence)
    evidence.close()
    return time.perf_counter() - started


async def _concurrency(mirror: str, rounds: int) -> None:
    print(
        f"\n2. One model's metrics, sequential vs concurrent (in process, real adapters, mirror with {LATENCY_MS} ms"
        f" per answer; best of {rounds}):"
    )
    sandbox = SubprocessSandbox()
    sandbox = replace(sandbox, isolation=await detect_isolation(sandbox))
    upstream = Upstream(f"{mirror}/hf", f"{mirror}/gh", github_token="ghp_registry_bench")
    async with open_upstream(upstream) as client:
        sources = _sources(client, sandbox)
        for repo in CONCURRENCY_MODELS:
            sequential = min([await _metrics_once(sources, repo, False) for _ in range(rounds)])
            concurrent = min([await _metrics_once(sources, repo, True) for _ in range(rounds)])
            ratio = sequential / concurrent if concurrent else float("nan")
            print(f"  {repo:<44} sequential {sequential:6.3f} s  concurrent {concurrent:6.3f} s  ratio {ratio:5.2f}x")


def _slow_mirror(stack: StorageStack) -> str:
    """A second mirror answering after ``LATENCY_MS``; stopped with the stack."""
    port = free_port()
    argv = [sys.executable, "-m", "tests.mirror", "--port", str(port), "--latency-ms", str(LATENCY_MS)]
    stack.start_listening(Child("slow-mirror", argv, repo_pythonpath(), log_file=stack.logs / "slow-mirror.log"), port)
    return f"http://127.0.0.1:{port}"


def _line(result: Result) -> str:
    p99 = result.percentile_ms(0.99)
    return (
        f"{result.throughput:8.0f} req/s  p50 {result.percentile_ms(0.5):6.1f} ms  p99 {p99:6.1f} ms"
        f"  errors {result.errors}"
    )


async def _warm(session: aiohttp.ClientSession, base: str, ids: list[str], requests: int) -> int:
    print(f"\n3. Warm reads at {CLIENTS} clients ({requests} requests each, after {requests // 5} untimed):")

    def rate(rng: random.Random) -> Call:
        return Call("GET", f"{base}/artifact/model/{rng.choice(ids)}/rate")

    def health(rng: random.Random) -> Call:
        return Call("GET", f"{base}/health")

    tokens = TokenPool(session, base, budget=900)
    baseline = await run_scenario(
        session, Scenario("health", health, requests, requests // 5, CLIENTS, authenticated=False), None, 1, _no_cpu
    )
    rated = await run_scenario(session, Scenario("rate", rate, requests, requests // 5, CLIENTS), tokens, 2, _no_cpu)
    verdict = "met " if rated.percentile_ms(0.99) < TARGET_P99_MS else "MISS"
    print(f"  GET /health (baseline)          {_line(baseline)}")
    print(f"  GET /artifact/model/{{id}}/rate   {_line(rated)}  [{verdict}] p99 < {TARGET_P99_MS:.0f} ms")
    print(
        f"  ratio rate/baseline: throughput {rated.throughput / baseline.throughput:.2f}x, "
        f"p99 {rated.percentile_ms(0.99) / baseline.percentile_ms(0.99):.2f}x"
    )
    for sample in (baseline.error_samples + rated.error_samples)[:3]:
        print(f"  error: {sample}")
    return baseline.errors + rated.errors


async def _run(quick: bool) -> int:
    with tempfile.TemporaryDirectory(prefix="scoring-bench-") as raw:
        stack = StorageStack(Path(raw))
        stack.start()
        try:
            async with aiohttp.ClientSession() as session:
                tokens = TokenPool(session, stack.gateway_url, budget=900)
                ids = await _cold(session, stack.gateway_url, await tokens.token(0))
                await _concurrency(_slow_mirror(stack), 2 if quick else 5)
                return await _warm(session, stack.gateway_url, ids, 600 if quick else 3000)
        finally:
            stack.stop()


def main() -> None:
    """Parse ``--quick``, run, exit 1 when requests failed."""
    parser = argparse.ArgumentParser(prog="python -m bench.scoring_run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer rounds and requests")
    configure_logging("bench", log_format="json", level="warning")
    errors = asyncio.run(_run(parser.parse_args().quick))
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
