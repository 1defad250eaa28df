"""The storage section of the report: seeding, ingest throughput, downloads against the S3 baseline, targets."""

import math
import statistics

from bench.cpu import OTHERS
from bench.downloads import BASELINE, REGISTRY, DownloadResult, percentile
from bench.report import MIN_CPU_WINDOW, Target
from bench.storage_run import StorageOutcome
from bench.storage_seed import DATASET_URL, MODEL_URL

TARGET_RATIO = 0.8
HEADER = (
    f"{'scenario':<46} {'clients':>7} {'downloads':>9} {'errors':>6} {'MB/s':>8} {'p50 s':>7} {'p99 s':>7} {'vs S3':>6}"
)


def print_storage_report(outcome: StorageOutcome) -> None:
    """Print the section to stdout."""
    config, seeding, ingest = outcome.config, outcome.seeding, outcome.ingest
    states = ", ".join(f"{state} {count}" for state, count in sorted(seeding.states.items()))
    load = ", ".join(f"{value:.2f}" for value in outcome.load_average)
    lineage = "1 lineage-svc, " if outcome.lineage else ""
    lines = [
        f"Registry storage benchmark ({outcome.mode} run)",
        "stack   : 1 nats-server, 1 SeaweedFS (weed mini), 1 upstream mirror, 1 catalog-svc (SQLite), "
        f"1 storage-svc (SQLite index), {lineage}1 gateway; up in {outcome.startup_seconds:.1f} s; "
        f"STORAGE_MAX_FILE_BYTES {outcome.max_file_bytes:,}; load average {load} at the end",
        f"seeded  : {seeding.models:,} models (POST /artifact/model of {MODEL_URL} under distinct names, "
        f"{seeding.concurrency} at once) registered in {seeding.register_seconds:.1f} s; "
        f"every copy ended after {seeding.settle_seconds:.1f} s ({states}); "
        f"CPU, % of one core: {_shares(outcome.seeding_cpu, seeding.settle_seconds)}",
        f"ingest  : {DATASET_URL} ({ingest.files} files, {ingest.bytes_total:,} bytes): bytes copied after "
        f"{ingest.copied_seconds:.2f} s, ready (archives built) after {ingest.ready_seconds:.2f} s "
        f"-> {ingest.mb_per_second:.1f} MB/s from POST to ready; "
        f"CPU, % of one core: {_shares(outcome.ingest_cpu, ingest.ready_seconds)}",
        f"S3 after: {_bucket(outcome.bucket)}; SeaweedFS data on disk {outcome.disk_bytes / 1e9:.2f} GB",
        f"download: the whole package (?part=all, a tar of {outcome.package_bytes:,} bytes), "
        f"{config.clients} concurrent clients, {config.downloads} timed downloads per scenario in "
        f"{config.rounds} alternating round(s) after {config.warmup} untimed; {outcome.logins} logins (untimed)",
        "",
        HEADER,
        "-" * len(HEADER),
    ]
    baseline = _find(outcome.results, BASELINE)
    lines += [_row(result, baseline) for result in outcome.results]
    lines += ["", _rounds(outcome.results), ""]
    for result in outcome.results:
        codes = ", ".join(f"{name}: {count}" for name, count in sorted(result.statuses.items()))
        lines.append(
            f"{result.scenario}: {result.seconds:.2f} s, {result.bytes_read / 1e9:.2f} GB; {codes}; "
            f"{result.verified} bodies hashed and equal to X-Content-SHA256"
        )
        if result.link_latencies:
            p50, p99 = (1000 * percentile(result.link_latencies, f) for f in (0.5, 0.99))
            lines.append(f"  GET /download -> 302 (part of each download's time): p50 {p50:.1f} ms, p99 {p99:.1f} ms")
        lines.append(f"  CPU, % of one core: {_shares(result.cpu_seconds, result.seconds)}")
        lines += [f"  error: {sample}" for sample in result.error_samples]
    lines += ["", "targets:"]
    lines += [f"  [{'met ' if t.met else 'MISS'}] {t.label}: {t.detail}" for t in storage_targets(outcome.results)]
    print("\n".join(lines))


def storage_targets(results: list[DownloadResult]) -> list[Target]:
    """Registry download throughput >= 0.8 x the presigned S3 baseline."""
    baseline, registry = _find(results, BASELINE), _find(results, REGISTRY)
    if baseline is None or registry is None:
        return []
    ratio = registry.mb_per_second / baseline.mb_per_second if baseline.mb_per_second else math.nan
    detail = f"{ratio:.3f} x ({registry.mb_per_second:,.0f} vs {baseline.mb_per_second:,.0f} MB/s)"
    return [Target(f"download throughput >= {TARGET_RATIO} x direct S3", ratio >= TARGET_RATIO, detail)]


def _rounds(results: list[DownloadResult]) -> str:
    """MB/s of each round per scenario and the registry/baseline ratio of each round (the machine's noise)."""
    rates = "; ".join(f"{r.scenario.split(' ')[0]} {', '.join(f'{x:,.0f}' for x in r.round_rates)}" for r in results)
    baseline, registry = _find(results, BASELINE), _find(results, REGISTRY)
    if baseline is None or registry is None:
        return f"MB/s per round: {rates}"
    ratios = [a / b if b else math.nan for a, b in zip(registry.round_rates, baseline.round_rates, strict=True)]
    shown = ", ".join(f"{ratio:.2f}" for ratio in ratios)
    return f"MB/s per round: {rates}; registry/baseline per round: {shown} (median {statistics.median(ratios):.2f})"


def _bucket(usage: dict[str, tuple[int, int]]) -> str:
    parts = [f"{prefix}/ {objects:,} objects {size / 1e6:,.1f} MB" for prefix, (objects, size) in usage.items()]
    return ", ".join(parts) or "empty"


def _shares(cpu_seconds: dict[str, float], seconds: float) -> str:
    """Each process's CPU over ``seconds`` (busiest first, the rest of the machine last), skipping those under 1%."""
    if seconds < MIN_CPU_WINDOW or not cpu_seconds:
        return f"n/a (under {MIN_CPU_WINDOW} s: too short for 10 ms CPU ticks)"
    shares = sorted(cpu_seconds.items(), key=lambda item: (item[0] == OTHERS, -item[1]))
    return ", ".join(f"{name} {100 * used / seconds:.0f}%" for name, used in shares if used / seconds >= 0.01)


def _find(results: list[DownloadResult], name: str) -> DownloadResult | None:
    return next((r for r in results if r.scenario == name), None)


def _row(result: DownloadResult, baseline: DownloadResult | None) -> str:
    ratio = result.mb_per_second / baseline.mb_per_second if baseline and baseline.mb_per_second else math.nan
    return (
        f"{result.scenario:<46} {result.clients:>7} {result.downloads:>9} {result.errors:>6} "
        f"{result.mb_per_second:>8,.0f} {result.percentile(0.5):>7.2f} {result.percentile(0.99):>7.2f} "
        f"{ratio:>5.2f}x"
    )
