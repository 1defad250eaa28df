"""The printed report: machine info, the results table with ratios to the baseline, and the targets."""

import math
import os
import platform
from dataclasses import dataclass

import aiohttp

from bench.load import Result
from bench.measure import Target, cpu_shares, find, ratio, target_lines
from bench.scenarios import BARE, GET, REGEX, REGEX_COLD, REGEX_COLD_SERIAL, REGEX_SERIAL

HEADER = f"{'scenario':<34} {'workers':>7} {'requests':>8} {'errors':>6} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'vs bare':>8}"


@dataclass(frozen=True)
class RunInfo:
    """Context printed above the table."""

    mode: str
    artifacts: int
    readme_bytes: int
    database_bytes: int
    seed_seconds: float
    startup_seconds: float
    logins: int


def print_report(info: RunInfo, results: list[Result]) -> None:
    """Print everything to stdout."""
    lines = [
        f"Registry backbone benchmark ({info.mode} run)",
        f"machine : {os.cpu_count()} CPUs, {platform.platform()}, "
        f"{platform.python_implementation()} {platform.python_version()}, aiohttp {aiohttp.__version__}",
        "stack   : 1 nats-server, 1 catalog-svc (SQLite), 1 gateway, bare aiohttp baseline; "
        "load generator in this process (same machine)",
        f"seeded  : {info.artifacts:,} artifacts, {info.readme_bytes / 1e6:.1f} MB of README text, "
        f"in {info.seed_seconds:.1f} s (database file {info.database_bytes / 1e6:.1f} MB); "
        f"stack up in {info.startup_seconds:.1f} s; {info.logins} logins (PUT /authenticate, untimed)",
        "",
        HEADER,
        "-" * len(HEADER),
    ]
    baseline = find(results, BARE)
    lines += [_row(result, baseline) for result in results]
    lines.append("")
    for result in results:
        codes = ", ".join(f"{'exc' if code == 0 else code}: {n}" for code, n in sorted(result.statuses.items()))
        lines.append(f"{result.scenario}: {result.seconds:.2f} s; status {codes}")
        lines.append(f"  CPU, % of one core: {cpu_shares(result.cpu_seconds, result.seconds)}")
        lines += [f"  error: {sample}" for sample in result.error_samples]
    lines += ["", *target_lines(targets(results))]
    print("\n".join(lines))


def targets(results: list[Result]) -> list[Target]:
    """GET throughput >= 0.5 x bare, GET p99 < 50 ms, regex p50 < 100 ms (loaded and unloaded)."""
    bare, get = find(results, BARE), find(results, GET)
    regexes = [find(results, name) for name in (REGEX, REGEX_SERIAL, REGEX_COLD, REGEX_COLD_SERIAL)]
    out: list[Target] = []
    if bare and get:
        versus = ratio(get.throughput, bare.throughput)
        detail = f"{versus:.2f} x ({get.throughput:,.0f} vs {bare.throughput:,.0f} req/s)"
        out.append(Target("GET throughput >= 0.5 x bare", versus >= 0.5, detail))
    if get:
        p99 = get.percentile_ms(0.99)
        out.append(Target("GET p99 < 50 ms", p99 < 50, f"{p99:.1f} ms"))
    for result in regexes:
        if result:
            p50 = result.percentile_ms(0.5)
            label = f"regex p50 < 100 ms ({result.scenario.removeprefix('POST /artifact/byRegEx').strip(', ') or '64 workers'})"
            out.append(Target(label, p50 < 100, f"{p50:.1f} ms"))
    return out


def _row(result: Result, baseline: Result | None) -> str:
    versus = ratio(result.throughput, baseline.throughput) if baseline else math.nan
    return (
        f"{result.scenario:<34} {result.workers:>7} {result.requests:>8} {result.errors:>6} "
        f"{result.throughput:>9,.1f} {result.percentile_ms(0.5):>9.1f} {result.percentile_ms(0.99):>9.1f} "
        f"{versus:>7.2f}x"
    )
