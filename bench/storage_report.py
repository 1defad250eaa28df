"""The storage section of the report: seeding, ingest throughput, what the bucket holds per stored byte, downloads
against the S3 baseline, targets."""

import math
import statistics

from bench.downloads import BASELINE, REGISTRY_FILE, REGISTRY_PACKAGE, DownloadResult
from bench.measure import Target, cpu_shares, find, percentile, ratio, target_lines
from bench.storage_run import StorageOutcome
from bench.storage_seed import MODEL_URL, PACKAGE_URL, UPLOAD_FILE, Footprint

TARGET_RATIO = 0.8
HEADER = (
    f"{'scenario':<46} {'clients':>7} {'downloads':>9} {'errors':>6} {'MB/s':>8} {'p50 s':>7} {'p99 s':>7} {'vs S3':>6}"
)


def print_storage_report(outcome: StorageOutcome) -> None:
    """Print the section to stdout."""
    config = outcome.config
    lines = [*_setup(outcome), "", HEADER, "-" * len(HEADER)]
    baseline = find(outcome.results, BASELINE)
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
        lines.append(f"  CPU, % of one core: {cpu_shares(result.cpu_seconds, result.seconds)}")
        lines += [f"  error: {sample}" for sample in result.error_samples]
    lines += ["", *target_lines(storage_targets(outcome.results))]
    lines.append(
        f"(downloads: {config.clients} concurrent clients, {config.downloads} timed downloads per scenario in "
        f"{config.rounds} alternating round(s) after {config.warmup} untimed; {outcome.logins} logins, untimed)"
    )
    print("\n".join(lines))


def _setup(outcome: StorageOutcome) -> list[str]:
    """The lines above the table: the stack, the seeding, the ingest and upload, the bucket, the downloads."""
    seeding, ingest, upload = outcome.seeding, outcome.ingest, outcome.upload
    states = ", ".join(f"{state} {count}" for state, count in sorted(seeding.states.items()))
    load = ", ".join(f"{value:.2f}" for value in outcome.load_average)
    lineage = "1 lineage-svc, " if outcome.lineage else ""
    return [
        f"Registry storage benchmark ({outcome.mode} run)",
        "stack   : 1 nats-server, 1 SeaweedFS (weed mini), 1 upstream mirror, 1 catalog-svc (SQLite), "
        f"1 storage-svc (SQLite index, byte endpoint), {lineage}1 gateway; up in {outcome.startup_seconds:.1f} s; "
        f"STORAGE_MAX_FILE_BYTES {outcome.max_file_bytes:,}; load average {load} at the end",
        f"seeded  : {seeding.models:,} models (POST /artifact/model of {MODEL_URL} under distinct names, "
        f"{seeding.concurrency} at once) registered in {seeding.register_seconds:.1f} s; "
        f"every copy ended after {seeding.settle_seconds:.1f} s ({states}); "
        f"CPU, % of one core: {cpu_shares(outcome.seeding_cpu, seeding.settle_seconds)}",
        f"ingest  : {PACKAGE_URL} ({len(ingest.files)} files, {ingest.bytes_total:,} bytes): bytes copied after "
        f"{ingest.copied_seconds:.2f} s, ready (every file stored and verified, archive checksums kept) after "
        f"{ingest.ready_seconds:.2f} s -> {ingest.mb_per_second:.1f} MB/s from POST to ready; "
        f"CPU, % of one core: {cpu_shares(outcome.ingest_cpu, ingest.ready_seconds)}",
        f"upload  : its {UPLOAD_FILE} ({upload.bytes_total:,} bytes) as a package of one file: PUT to the presigned "
        f"URL, registered and ready after {upload.ready_seconds:.2f} s (the same bytes: stored once)",
        f"S3 after: {_bucket(outcome.bucket)}; SeaweedFS data on disk {outcome.disk_bytes / 1e9:.2f} GB",
        f"storage a package costs: {storage_cost_line(outcome.bucket, outcome.footprint)}",
        f"download: the package ({PACKAGE_URL}, ?part=all: a tar of {outcome.package_bytes:,} bytes streamed by "
        f"storage-svc's byte endpoint from the blobs), the uploaded file ({outcome.file_bytes:,} bytes, one stored "
        "file: a presigned S3 URL), and that presigned URL asked once and fetched directly (baseline)",
    ]


def storage_cost(bucket: dict[str, tuple[int, int]], footprint: Footprint) -> float:
    """Bytes of every object in the bucket over the unique bytes of the registered packages' files."""
    held = sum(size for _, size in bucket.values())
    return held / footprint.unique_bytes if footprint.unique_bytes else math.nan


def storage_cost_line(bucket: dict[str, tuple[int, int]], footprint: Footprint) -> str:
    """The ratio, with what it divides and what the packages would take stored one by one."""
    held = sum(size for _, size in bucket.values())
    unhashed = f"; {footprint.unhashed} file(s) without sha256 not counted" if footprint.unhashed else ""
    return (
        f"{storage_cost(bucket, footprint):.3f} x ({held:,} bytes in the bucket / {footprint.unique_bytes:,} unique "
        f"bytes of the {footprint.packages:,} registered packages' {footprint.files:,} files, "
        f"{len(footprint.unique):,} distinct contents; stored package by package they would take "
        f"{footprint.logical_bytes / 1e9:,.2f} GB{unhashed})"
    )


def storage_targets(results: list[DownloadResult]) -> list[Target]:
    """Each registry download scenario's throughput >= 0.8 x the presigned S3 baseline."""
    baseline = find(results, BASELINE)
    targets = []
    for name, label in ((REGISTRY_FILE, "one stored file"), (REGISTRY_PACKAGE, "whole package (tar)")):
        registry = find(results, name)
        if baseline is None or registry is None:
            continue
        versus = ratio(registry.mb_per_second, baseline.mb_per_second)
        detail = f"{versus:.3f} x ({registry.mb_per_second:,.0f} vs {baseline.mb_per_second:,.0f} MB/s)"
        targets.append(Target(f"{label}: throughput >= {TARGET_RATIO} x direct S3", versus >= TARGET_RATIO, detail))
    return targets


def _rounds(results: list[DownloadResult]) -> str:
    """MB/s of each round per scenario and each registry scenario's ratio to the baseline per round (the noise)."""
    rates = "; ".join(f"{_short(r)} {', '.join(f'{x:,.0f}' for x in r.round_rates)}" for r in results)
    baseline = find(results, BASELINE)
    ratios = []
    for result in results:
        if baseline is None or result is baseline:
            continue
        per_round = [ratio(a, b) for a, b in zip(result.round_rates, baseline.round_rates, strict=True)]
        shown = ", ".join(f"{ratio:.2f}" for ratio in per_round)
        ratios.append(f"{_short(result)}/baseline {shown} (median {statistics.median(per_round):.2f})")
    return "; ".join([f"MB/s per round: {rates}", *ratios])


def _short(result: DownloadResult) -> str:
    return result.scenario.split(":")[0]


def _bucket(usage: dict[str, tuple[int, int]]) -> str:
    parts = [f"{prefix}/ {objects:,} objects {size / 1e6:,.1f} MB" for prefix, (objects, size) in usage.items()]
    return ", ".join(parts) or "empty"


def _row(result: DownloadResult, baseline: DownloadResult | None) -> str:
    versus = ratio(result.mb_per_second, baseline.mb_per_second) if baseline else math.nan
    return (
        f"{result.scenario:<46} {result.clients:>7} {result.downloads:>9} {result.errors:>6} "
        f"{result.mb_per_second:>8,.0f} {result.percentile(0.5):>7.2f} {result.percentile(0.99):>7.2f} "
        f"{versus:>5.2f}x"
    )
