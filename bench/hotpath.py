"""``python -m bench.hotpath [--quick]``: the hot path of the whole ``make run`` stack under wrk at 64 connections.

Seeds the catalog with 10,000 artifacts (2,000 with ``--quick``), starts ``python -m stack`` exactly as ``make run``
does (its defaults: info logs through the supervisor, SeaweedFS, every service) against the upstream mirror,
registers a few fixture models so their ratings are warm, measures the idle RSS of every process, then runs each
scenario with wrk (2 threads, 64 connections) for 3 rounds of 10 s (1 of 3 s with ``--quick``), interleaved
with a bare aiohttp+uvloop server answering the same GET in the same run. Tokens are rotated every 950 calls
(each allows 1,000). Then GET on make run with one replica and with two behind its one gateway, the two stacks
alternated round by round, and on one replica with two gateways; every stack is measured once its processes are
quiet after the start. Prints one table of throughput, p50, p99 and non-2xx answers with ratios against bare, each
target met or missed, the CPU of every process during each scenario, and what bounds each missed target.
"""

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import aiohttp

from bench import corpus
from bench.cpu import LOAD_GENERATOR, delta, probe_for
from bench.hotpath_report import Replicas, Target, median, relative, report
from bench.idle_rss import format_table, idle_rss, process_tree
from bench.make_run_stack import MakeRunStack
from bench.seed import seed
from bench.servers import ADMIN_NAME, ADMIN_PASSWORD, ProcessGroup, StackFailed, repo_pythonpath
from bench.wrk import Load, WrkMissing, WrkResult, run_wrk
from stack.processes import Child, free_port
from tests.e2e.test_fixture_catalogue import HF

CONNECTIONS, THREADS, BUDGET = 64, 2, 950
FIRST_ROUND_RATE = 15_000  # req/s a scenario's first round provisions tokens for, unless told
# Small models, so that their copies are done before the measurement starts.
RATED = ["sshleifer/tiny-gpt2", "acme-research/digits-mlp", "orchard-compute/orchard-mini"]


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
        one = MakeRunStack(workdir)
        seeded = asyncio.run(seed(one.data_dir, corpus.generate(artifacts, 20240611)))
        started = time.perf_counter()
        one.start(timeout=120)
        try:
            print(f"make run stack up in {time.perf_counter() - started:.1f} s with {artifacts:,} artifacts seeded")
            rated = asyncio.run(_register(one.gateway_url))
            time.sleep(10)
            print(f"\nIdle RSS of the make run stack, per process:\n{format_table(idle_rss(one.stack_pid))}")
            _quiet(one.stack_pid)
            loads = _loads(workdir, seeded.keys, rated)
            results, cpu = _measure(workdir, one, _bare(workdir, one), loads, rounds, seconds)
        finally:
            one.stop()
        # The "one catalog replica against two": two replicas of each service behind make run's one gateway
        # (the gateway, not the catalog, bounds GET: so two must not be slower). make run's default placement then
        # gives the gateway a core of its own (REGISTRY_CPU_PINNING=auto; one replica is left to the kernel).
        expected = max(3 * results["get"].throughput, 3_000)
        replicas, cpu["get2"] = _replicas_alternated(workdir, loads, rounds, seconds, expected)
        # What lifts that bound: make run's one replica of each service, and a second gateway (REGISTRY_GATEWAYS=2).
        gateways, gateways_cpu = _get_again(
            workdir, MakeRunStack(workdir, gateways=2), loads, rounds, seconds, rss="make run with two gateways"
        )
        cpu["getg"] = gateways_cpu["get"]
        targets = [(load.name, target) for load, target in loads]
        return report(results, targets, replicas, rounds, seconds, cpu, gateways)


def _replicas_alternated(
    workdir: Path, loads: list[tuple[Load, Target]], rounds: int, seconds: float, expected: float
) -> tuple[Replicas, dict[str, float]]:
    """GET on make run with one replica and with two behind one gateway, the stacks alternated for ``rounds``
    rounds (``expected`` req/s: the tokens each round provisions), and the CPU of the last two-replica round.

    This machine's speed drifts over minutes: two stacks measured one block after the other compare the drift as
    much as the stacks, so each round runs both, each against the bare server measured just before it."""
    found: dict[int, list[dict[str, WrkResult]]] = {1: [], 2: []}
    cpu: dict[str, float] = {}
    for _ in range(rounds):
        for replicas in (1, 2):
            stack = MakeRunStack(workdir, replicas=replicas, gateways=1)
            measured, used = _get_again(workdir, stack, loads, 1, seconds, expected=expected)
            found[replicas].append(measured)
            if replicas == 2:
                cpu = used["get"]
    ratios = [
        relative(two["get"], two["bare"], one["get"], one["bare"]) for one, two in zip(found[1], found[2], strict=True)
    ]
    one, two = ({name: median([r[name] for r in found[n]]) for name in ("get", "bare")} for n in (1, 2))
    return Replicas(one, two, ratios), cpu


def _get_again(
    workdir: Path,
    stack: MakeRunStack,
    loads: list[tuple[Load, Target]],
    rounds: int,
    seconds: float,
    rss: str | None = None,
    expected: float = FIRST_ROUND_RATE,
) -> tuple[dict[str, WrkResult], dict[str, dict[str, float]]]:
    """The GET scenario (and bare) on ``stack``, over the data the first stack seeded (with the idle RSS of its
    processes first when ``rss`` names the stack)."""
    stack.start(timeout=120)
    try:
        _quiet(stack.stack_pid)
        if rss is not None:
            time.sleep(10)
            print(f"\nIdle RSS of {rss}, per process:\n{format_table(idle_rss(stack.stack_pid))}")
        return _measure(workdir, stack, _bare(workdir, stack), loads[:1], rounds, seconds, expected)
    finally:
        stack.stop()


def _loads(workdir: Path, keys: Sequence[tuple[object, str]], rated: list[str]) -> list[tuple[Load, Target]]:
    gets = _write(workdir / "gets.txt", [f"/artifacts/{getattr(kind, 'value', kind)}/{i}" for kind, i in keys])
    rates = _write(workdir / "rates.txt", [f"/artifact/model/{i}/rate" for i in rated])
    page = '[{"name":"*","types":["model"]}]'  # about 6,000 matches: under the 10,000 a query may match
    return [
        (Load("get", "GET", gets), Target(ratio=0.35, p99_ms=50)),
        (Load("list", "POST", _write(workdir / "list.txt", ["/artifacts?offset=0"]), body=page), Target(ratio=0.10)),
        (Load("regex", "POST", _write(workdir / "regex.txt", ["/artifact/byRegEx"]), new_regex=True),
         Target(p50_ms=100)),
        (Load("rate", "GET", rates), Target(p99_ms=20, no_refusals=True)),
    ]  # fmt: skip


def _measure(
    workdir: Path,
    stack: MakeRunStack,
    bare_url: str,
    loads: list[tuple[Load, Target]],
    rounds: int,
    seconds: float,
    expected: float = FIRST_ROUND_RATE,
) -> tuple[dict[str, WrkResult], dict[str, dict[str, float]]]:
    """Each load for ``rounds`` rounds, after the bare server's GET in each: the medians by name (and "bare"), and
    the CPU seconds each process of the stack used during each load's last round (``expected`` req/s: the tokens
    a first round provisions)."""
    base = stack.gateway_url
    bare_load = Load("bare", "GET", workdir / "gets.txt")
    per_round: dict[str, list[WrkResult]] = {"bare": []}
    cpu: dict[str, dict[str, float]] = {}
    for round_index in range(rounds):
        per_round["bare"].append(_wrk(bare_load, bare_url, workdir, seconds))
        for load, _ in loads:
            # Enough tokens for ``expected`` req/s in the first round, then for 3 times the best rate a round saw, 3,000
            # req/s at least: a first round warming up (a regex index being built) can be several times slower
            # than the next, which then ran out of tokens (403s). Each login is an argon2 check: logging in for
            # rates never reached would load the machine.
            seen = per_round.get(load.name, [])
            rate = max(3 * max(r.throughput for r in seen), 3_000) if seen else expected
            count = int(rate * seconds / BUDGET) + THREADS * 2
            tokens = _write(workdir / f"tokens-{load.name}.txt", asyncio.run(_tokens(base, count)))
            authed = Load(load.name, load.method, load.paths, tokens, load.body, load.new_regex)
            probe = probe_for(_named(process_tree(stack.stack_pid)), others=True)
            before = probe()
            per_round.setdefault(load.name, []).append(_wrk(authed, base, workdir, seconds))
            cpu[load.name] = delta(before, probe())
        print(f"round {round_index + 1}/{rounds} done")
    return {name: median(found) for name, found in per_round.items()}, cpu


def _quiet(root_pid: int, timeout: float = 120.0, share: float = 0.10) -> None:
    """Wait until the processes of ``root_pid``'s tree use less than ``share`` of a core over a second, or
    ``timeout`` passed: a stack just started loads its copies and builds its search index on every replica, and a
    bare server or a scenario measured meanwhile shares the machine with that."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        probe = probe_for(_named(process_tree(root_pid)))
        before = probe()
        time.sleep(1.0)
        used = delta(before, probe())
        used.pop(LOAD_GENERATOR, None)
        if sum(used.values()) < share:
            return


def _named(tree: dict[int, str]) -> dict[str, int | None]:
    named: dict[str, int | None] = {}
    for pid, name in tree.items():
        named[name if name not in named else f"{name} ({pid})"] = pid
    return named


def _wrk(load: Load, url: str, workdir: Path, seconds: float) -> WrkResult:
    return run_wrk(load, url, workdir, seconds=seconds, connections=CONNECTIONS, threads=THREADS, budget=BUDGET)


if __name__ == "__main__":
    sys.exit(main())
