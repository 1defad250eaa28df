"""``python -m bench.hotpath [--quick]``: the hot path of the whole ``make run`` stack under wrk at 64 connections.

Seeds the catalog with 10,000 artifacts (2,000 with ``--quick``), starts ``python -m stack`` exactly as ``make run``
does (its defaults: info logs through the supervisor, SeaweedFS, every service) against the upstream mirror,
registers a few fixture models so their ratings are warm, measures the idle RSS of every process, then runs each
scenario with wrk (2 threads, 64 connections) for 3 rounds of 10 s (1 of 3 s with ``--quick``), interleaved
with a bare aiohttp+uvloop server answering the same GET in the same run. Tokens are rotated every 950 calls
(each allows 1,000). Prints one table of throughput, p50, p99 and non-2xx answers with ratios against bare, and
each target met or missed.
"""

import argparse
import asyncio
import http.client
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bench import corpus
from bench.idle_rss import format_table, idle_rss
from bench.seed import seed
from bench.servers import ADMIN_NAME, ADMIN_PASSWORD, ProcessGroup, StackFailed, repo_pythonpath
from bench.wrk import Load, WrkMissing, WrkResult, run_wrk
from stack.processes import Child, free_port
from tests.e2e.test_fixture_catalogue import HF

CONNECTIONS, THREADS, BUDGET = 64, 2, 950
# Small models, so that their copies are done before the measurement starts.
RATED = ["sshleifer/tiny-gpt2", "acme-research/digits-mlp", "orchard-compute/orchard-mini"]
SERVICES = ("catalog", "storage", "lineage", "scoring")
STACK_PORTS = (
    "GATEWAY_PORT", "UI_PORT", "STORAGE_HTTP_PORT", "REGISTRY_NATS_PORT", "REGISTRY_S3_PORT",
    "CATALOG_METRICS_PORT", "STORAGE_METRICS_PORT", "LINEAGE_METRICS_PORT", "SCORING_METRICS_PORT",
)  # fmt: skip


@dataclass(frozen=True)
class Target:
    """What a scenario must reach: a ratio of bare's throughput, a p50 and a p99 bound, no refusals."""

    ratio: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    no_refusals: bool = False

    def misses(self, result: WrkResult, bare: WrkResult) -> list[str]:
        """What of the target ``result`` misses (empty: met)."""
        missed = []
        if self.ratio is not None and result.throughput < self.ratio * bare.throughput:
            missed.append(f"≥{self.ratio:.2f}x bare")
        if self.p50_ms is not None and result.p50_ms >= self.p50_ms:
            missed.append(f"p50<{self.p50_ms:.0f} ms")
        if self.p99_ms is not None and result.p99_ms >= self.p99_ms:
            missed.append(f"p99<{self.p99_ms:.0f} ms")
        if self.no_refusals and (result.non_2xx or result.socket_errors):
            missed.append("0 non-2xx")
        return missed

    def describe(self) -> str:
        """The target in words."""
        parts = [f"≥{self.ratio:.2f}x" if self.ratio else "", f"p50<{self.p50_ms:.0f}" if self.p50_ms else ""]
        parts += [f"p99<{self.p99_ms:.0f}" if self.p99_ms else "", "0 non-2xx" if self.no_refusals else ""]
        return " ".join(p for p in parts if p) or "-"


class MakeRunStack(ProcessGroup):
    """The upstream mirror and ``python -m stack`` (what ``make run`` runs) on free ports."""

    def __init__(self, workdir: Path) -> None:
        super().__init__(workdir)
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
        }
        stack = Child("stack", [sys.executable, "-m", "stack"], env, log_file=self._log("stack"))
        self._listening(stack, self.gateway_port, timeout)
        self._exit.callback(stack.stop, 90.0)  # the supervisor stops its children one by one: let it finish
        self.stack_pid = stack.pid or 0
        self._wait_replicas(dict.fromkeys(SERVICES, 1), timeout)


async def _login(session: aiohttp.ClientSession, base: str) -> str:
    body = {"user": {"name": ADMIN_NAME, "is_admin": True}, "secret": {"password": ADMIN_PASSWORD}}
    async with session.put(f"{base}/authenticate", json=body) as reply:
        token = await reply.json(content_type=None)
        if reply.status != 200 or not isinstance(token, str):
            raise StackFailed(f"PUT /authenticate answered {reply.status}: {token!r}")
        return token


async def _tokens(base: str, count: int) -> list[str]:
    async with aiohttp.ClientSession() as session:
        gate = asyncio.Semaphore(8)

        async def one() -> str:
            async with gate:
                return await _login(session, base)

        return list(await asyncio.gather(*(one() for _ in range(count))))


async def _register(base: str) -> list[str]:
    """Register the rated fixture models (their ratings are then warm); their ids."""
    async with aiohttp.ClientSession() as session:
        token = await _login(session, base)
        ids = []
        for repo in RATED:
            async with session.post(
                f"{base}/artifact/model", json={"url": f"{HF}/{repo}"}, headers={"X-Authorization": token}
            ) as reply:
                body = await reply.json(content_type=None)
                if reply.status == 201:
                    ids.append(body["metadata"]["id"])
        if not ids:
            raise StackFailed("no fixture model could be registered for the /rate scenario")
        for artifact_id in ids:  # their copies end before anything is measured
            await _settled(session, f"{base}/artifacts/model/{artifact_id}/package", token)
        return ids


async def _settled(session: aiohttp.ClientSession, url: str, token: str, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async with session.get(url, headers={"X-Authorization": token}) as reply:
            body = await reply.json(content_type=None)
        if reply.status != 200 or body["status"]["state"] not in ("queued", "copying"):
            return
        await asyncio.sleep(0.5)


def _write(path: Path, lines: Sequence[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def _bare(workdir: Path, group: ProcessGroup) -> str:
    port = free_port()
    argv = [sys.executable, "-m", "bench.bare", "--port", str(port)]
    group.start_listening(Child("bare", argv, repo_pythonpath(), log_file=workdir / "logs" / "bare.log"), port)
    return f"http://127.0.0.1:{port}"


def _health(port: int) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/health")
        return connection.getresponse().status
    finally:
        connection.close()


def _median(results: list[WrkResult]) -> WrkResult:
    """One result for several rounds: all requests over all seconds, median p50 and p99, every refusal."""
    return WrkResult(
        requests=sum(r.requests for r in results),
        seconds=sum(r.seconds for r in results),
        non_2xx=sum(r.non_2xx for r in results),
        socket_errors=sum(r.socket_errors for r in results),
        p50_ms=statistics.median(r.p50_ms for r in results),
        p99_ms=statistics.median(r.p99_ms for r in results),
    )


def main(argv: list[str] | None = None) -> int:
    """Run and print; 0 when every request succeeded, 1 when some failed, 2 when the stack did not start."""
    parser = argparse.ArgumentParser(prog="python -m bench.hotpath", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="2,000 artifacts, one round of 3 s per scenario")
    args = parser.parse_args(argv)
    artifacts, rounds, seconds = (2000, 1, 3.0) if args.quick else (10_000, 3, 10.0)
    try:
        return _run(artifacts, rounds, seconds)
    except StackFailed as failure:
        sys.stderr.write(f"bench.hotpath: the stack failed to start: {failure}\n")
        return 2
    except WrkMissing as missing:
        sys.stderr.write(f"bench.hotpath: {missing}\n")
        return 2


def _run(artifacts: int, rounds: int, seconds: float) -> int:
    with tempfile.TemporaryDirectory(prefix="registry-hotpath-") as raw:
        workdir = Path(raw)
        stack = MakeRunStack(workdir)
        seeded = asyncio.run(seed(stack.data_dir, corpus.generate(artifacts, 20240611)))
        started = time.perf_counter()
        stack.start(timeout=120)
        try:
            print(f"make run stack up in {time.perf_counter() - started:.1f} s with {artifacts:,} artifacts seeded")
            rated = asyncio.run(_register(stack.gateway_url))
            time.sleep(10)
            print(f"\nIdle RSS of the make run stack, per process:\n{format_table(idle_rss(stack.stack_pid))}")
            bare_url = _bare(workdir, stack)
            return _measure(workdir, stack.gateway_url, bare_url, seeded.keys, rated, rounds, seconds)
        finally:
            stack.stop()


def _measure(
    workdir: Path,
    base: str,
    bare_url: str,
    keys: Sequence[tuple[object, str]],
    rated: list[str],
    rounds: int,
    seconds: float,
) -> int:
    gets = _write(workdir / "gets.txt", [f"/artifacts/{getattr(kind, 'value', kind)}/{i}" for kind, i in keys])
    rates = _write(workdir / "rates.txt", [f"/artifact/model/{i}/rate" for i in rated])
    loads: list[tuple[Load, str, Target]] = [
        (Load("get", "GET", gets), base, Target(ratio=0.35, p99_ms=50)),
        (Load("list", "POST", _write(workdir / "list.txt", ["/artifacts?offset=0"]), body='[{"name":"*","types":["model"]}]'), base,
         Target(ratio=0.10)),
        (Load("regex", "POST", _write(workdir / "regex.txt", ["/artifact/byRegEx"]), new_regex=True), base,
         Target(p50_ms=100)),
        (Load("rate", "GET", rates), base, Target(p99_ms=20, no_refusals=True)),
    ]  # fmt: skip
    bare_load = Load("bare", "GET", gets)
    per_round: dict[str, list[WrkResult]] = {"bare": []}
    for round_index in range(rounds):
        per_round["bare"].append(_wrk(bare_load, bare_url, workdir, seconds))
        for load, url, _ in loads:
            # Enough tokens for 15,000 req/s in the first round, then for 1.5 times the rate the last round saw
            # (each login is an argon2 check: logging in for rates never reached would load the machine).
            seen = per_round.get(load.name, [])
            rate = 1.5 * seen[-1].throughput if seen else 15_000
            count = int(rate * seconds / BUDGET) + THREADS * 2
            tokens = _write(workdir / f"tokens-{load.name}.txt", asyncio.run(_tokens(base, count)))
            authed = Load(load.name, load.method, load.paths, tokens, load.body, load.new_regex)
            per_round.setdefault(load.name, []).append(_wrk(authed, url, workdir, seconds))
        print(f"round {round_index + 1}/{rounds} done")
    results = {name: _median(found) for name, found in per_round.items()}
    return _report(results, [(load.name, target) for load, _, target in loads], rounds, seconds)


def _wrk(load: Load, url: str, workdir: Path, seconds: float) -> WrkResult:
    return run_wrk(load, url, workdir, seconds=seconds, connections=CONNECTIONS, threads=THREADS, budget=BUDGET)


LABELS = {
    "bare": "bare aiohttp+uvloop GET",
    "get": "GET /artifacts/{type}/{id}",
    "list": "POST /artifacts (page of 100)",
    "regex": "POST /artifact/byRegEx (new)",
    "rate": "GET /artifact/model/{id}/rate",
}


def _report(results: dict[str, WrkResult], targets: list[tuple[str, Target]], rounds: int, seconds: float) -> int:
    bare = results["bare"]
    print(f"\nwrk -t{THREADS} -c{CONNECTIONS}, {rounds} round(s) of {seconds:.0f} s; tokens rotated every {BUDGET}")
    print(f"{'scenario':<32}{'req/s':>9}{'x bare':>8}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>9}  target")
    row: Callable[[str, WrkResult, str], str] = lambda name, r, verdict: (  # noqa: E731
        f"{LABELS[name]:<32}{r.throughput:>9,.0f}{r.throughput / bare.throughput:>8.2f}{r.p50_ms:>9.1f}"
        f"{r.p99_ms:>9.1f}{r.non_2xx + r.socket_errors:>9}  {verdict}"
    )
    print(row("bare", bare, "baseline"))
    failed = bare.non_2xx + bare.socket_errors
    for name, target in targets:
        result = results[name]
        missed = target.misses(result, bare)
        print(row(name, result, f"{target.describe()}: " + (f"MISSED {', '.join(missed)}" if missed else "met")))
        failed += result.non_2xx + result.socket_errors
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
