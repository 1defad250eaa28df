"""The hot path benchmark's table: each scenario's throughput, latency and refusals against bare, and its target."""

import os
import statistics
from dataclasses import dataclass

from bench.cpu import OTHERS
from bench.wrk import WrkResult


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


def median(results: list[WrkResult]) -> WrkResult:
    """One result for several rounds: all requests over all seconds, median p50 and p99, every refusal."""
    return WrkResult(
        requests=sum(r.requests for r in results),
        seconds=sum(r.seconds for r in results),
        non_2xx=sum(r.non_2xx for r in results),
        socket_errors=sum(r.socket_errors for r in results),
        p50_ms=statistics.median(r.p50_ms for r in results),
        p99_ms=statistics.median(r.p99_ms for r in results),
    )


@dataclass(frozen=True)
class Replicas:
    """GET on ``make run`` with one replica of each service and with two behind one gateway, the two stacks
    alternated round by round: each stack's results over its rounds ("get", and "bare" measured just before each
    round) and each round's ratio (two against its bare, over one against its)."""

    one: dict[str, WrkResult]
    two: dict[str, WrkResult]
    ratios: list[float]

    @property
    def versus(self) -> float:
        """Two replicas against one: the median of the rounds' ratios."""
        return statistics.median(self.ratios)


LABELS = {
    "bare": "bare aiohttp+uvloop GET",
    "get": "GET /artifacts/{type}/{id}",
    "get1": "GET /artifacts/{type}/{id}, 1 replica",
    "list": "POST /artifacts (page of 100)",
    "regex": "POST /artifact/byRegEx (new)",
    "rate": "GET /artifact/model/{id}/rate",
    "get2": "GET /artifacts/{type}/{id}, 2 replicas",  # of each service, behind one gateway
    "getg": "GET /artifacts/{type}/{id}, 2 gateways",
}


def report(
    results: dict[str, WrkResult],
    targets: list[tuple[str, Target]],
    replicas: Replicas,
    rounds: int,
    seconds: float,
    cpu: dict[str, dict[str, float]],
    gateways: dict[str, WrkResult] | None = None,
) -> int:
    """Print the table (and GET again on two replicas of each service behind one gateway, and on one replica with two
    gateways), then what bounds each scenario, and plainly which targets are missed and why; 1 when any request
    failed."""
    bare = results["bare"]
    print(f"\nwrk -t2 -c64, {rounds} round(s) of {seconds:.0f} s; tokens rotated every 950 calls")
    print(f"{'scenario':<42}{'req/s':>9}{'x bare':>8}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>9}  target")
    print(_row("bare", bare, bare, "baseline"))
    failed = 0
    missed_by: dict[str, list[str]] = {}
    for name, target in targets:
        missed = target.misses(results[name], bare)
        if missed:
            missed_by[name] = missed
        print(
            _row(
                name,
                results[name],
                bare,
                f"{target.describe()}: " + (f"MISSED {', '.join(missed)}" if missed else "met"),
            )
        )
    # This machine's speed drifts over minutes (bare swings by a quarter from run to run): the one- and two-replica
    # stacks are alternated round by round, and each round weighs each stack against the bare server measured just
    # before it.
    versus = replicas.versus
    verdict = "not slower: met" if versus >= 0.95 else "MISSED (slower)"
    each = ", ".join(f"{ratio:.2f}" for ratio in replicas.ratios)
    print(_row("bare", replicas.one["bare"], replicas.one["bare"], "baseline (one replica, alternated)"))
    print(_row("get1", replicas.one["get"], replicas.one["bare"], "alternated with two replicas, round by round"))
    print(_row("bare", replicas.two["bare"], replicas.two["bare"], "baseline (two replicas, alternated)"))
    print(_row("get2", replicas.two["get"], replicas.two["bare"], f"{versus:.2f}x one replica: {verdict}"))
    print(f"{'':<42}(the median of {len(replicas.ratios)} rounds, each against its bare: {each})")
    if versus < 0.95:
        missed_by["get2"] = ["not slower than one replica"]
    if gateways is not None:  # what lifts the one-gateway bound, for ~60 MB more (not make run's default)
        get_target = dict(targets).get("get")
        more = gateways["get"]
        missed = get_target.misses(more, gateways["bare"]) if get_target is not None else []
        verdict = f"{relative(more, gateways['bare'], results['get'], bare):.2f}x one gateway; GET target " + (
            f"MISSED {', '.join(missed)}" if missed else "met"
        )
        print(_row("bare", gateways["bare"], gateways["bare"], "baseline (stack with two gateways)"))
        print(_row("getg", more, gateways["bare"], verdict))
    print_bounds(cpu, seconds, missed_by)
    alternated = [*replicas.one.values(), *replicas.two.values()]
    for result in [*results.values(), *alternated, *(gateways or {}).values()]:
        failed += result.non_2xx + result.socket_errors
    return 1 if failed else 0


def print_bounds(cpu: dict[str, dict[str, float]], seconds: float, missed_by: dict[str, list[str]]) -> None:
    """What bounds each scenario (the share of one core each process used in its last round, the busiest first;
    wrk and the kernel's loopback work are in the rest of the machine), then each missed target in words."""
    cores = os.cpu_count() or 1
    print(f"\nCPU during each scenario's last round, in % of one core ({cores} cores in all); the busiest bounds it:")
    for name, spent in cpu.items():
        print(f"  {name:<6} {', '.join(f'{who} {share:.0f}%' for share, who in _shares(spent, seconds)[:4])}; "
              f"rest of the machine (wrk, kernel) {100 * spent.get(OTHERS, 0.0) / seconds:.0f}%")  # fmt: skip
    if not missed_by:
        print("\nEvery target is met.")
        return
    print("\nMissed, and what bounds each:")
    for name, missed in missed_by.items():
        used = cpu.get(name)
        if not used:
            print(f"  {LABELS[name]}: missed {', '.join(missed)}.")
            continue
        share, who = _shares(used, seconds)[0]
        machine = 100 * sum(used.values()) / seconds / cores
        single = " (one process uses one core at most)" if share >= 80 else ""
        saturated = "saturated" if machine >= 90 else "not saturated"
        print(f"  {LABELS[name]}: missed {', '.join(missed)}. Bound by {who} at {share:.0f}% of a core{single}; "
              f"the machine's {cores} cores were {machine:.0f}% busy ({saturated}).")  # fmt: skip


def relative(result: WrkResult, its_bare: WrkResult, other: WrkResult, other_bare: WrkResult) -> float:
    """``result``'s ratio to its own bare over ``other``'s ratio to its own."""
    return (result.throughput / its_bare.throughput) / (other.throughput / other_bare.throughput)


def _shares(used: dict[str, float], seconds: float) -> list[tuple[float, str]]:
    shares = sorted(((100 * s / seconds, who) for who, s in used.items() if who != OTHERS), reverse=True)
    return [(share, who) for share, who in shares if share >= 1]


def _row(name: str, result: WrkResult, bare: WrkResult, verdict: str) -> str:
    return (
        f"{LABELS[name]:<42}{result.throughput:>9,.0f}{result.throughput / bare.throughput:>8.2f}"
        f"{result.p50_ms:>9.1f}{result.p99_ms:>9.1f}{result.non_2xx + result.socket_errors:>9}  {verdict}"
    )
