"""One storage benchmark run: start the stack, register models, ingest a package, upload a file, measure what
the bucket holds, download (the package, the file, the file straight from S3), stop everything."""

import asyncio
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bench.config import StorageConfig
from bench.cpu import Probe, delta, probe_for
from bench.downloads import (
    BASELINE,
    REGISTRY_FILE,
    REGISTRY_PACKAGE,
    DownloadError,
    DownloadResult,
    Expected,
    Fetch,
    baseline_fetch,
    registry_fetch,
    resolve,
    run_downloads,
)
from bench.load import TokenPool
from bench.storage_seed import (
    Footprint,
    Ingest,
    SeedFailed,
    Seeding,
    ingest_package,
    register_models,
    upload_weights,
)
from bench.storage_stack import MAX_FILE_BYTES, StorageStack

REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=600, sock_connect=10, sock_read=60)
INGEST_TIMEOUT = 300.0


@dataclass(frozen=True)
class StorageOutcome:
    """Everything the storage report needs."""

    mode: str
    config: StorageConfig
    startup_seconds: float
    load_average: tuple[float, float, float]
    seeding: Seeding
    ingest: Ingest
    upload: Ingest
    package_bytes: int
    file_bytes: int
    logins: int
    results: list[DownloadResult]
    seeding_cpu: dict[str, float]
    ingest_cpu: dict[str, float]
    bucket: dict[str, tuple[int, int]]
    footprint: Footprint
    disk_bytes: int
    lineage: bool
    max_file_bytes: int = MAX_FILE_BYTES


def run_storage(config: StorageConfig, mode: str) -> StorageOutcome:
    """Run the storage benchmark in a temporary directory, removed afterwards with every process stopped."""
    with tempfile.TemporaryDirectory(prefix="registry-bench-storage-") as tmp:
        stack = StorageStack(Path(tmp))
        started = time.perf_counter()
        stack.start()
        try:
            startup = time.perf_counter() - started
            return asyncio.run(_drive(stack, config, mode, startup))
        finally:
            stack.stop()


async def _drive(stack: StorageStack, config: StorageConfig, mode: str, startup: float) -> StorageOutcome:
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, timeout=REQUEST_TIMEOUT) as session:
        tokens = TokenPool(session, stack.gateway_url, config.token_budget)
        probe = probe_for(stack.pids(), others=True)
        await tokens.reserve(config.register_concurrency, config.token_budget)  # logins outside the CPU window
        footprint = Footprint()
        before = probe()
        seeding = await register_models(
            session, stack.gateway_url, tokens, config.models, config.register_concurrency, config.settle_timeout,
            footprint,
        )  # fmt: skip
        seeded = probe()
        ingest = await ingest_package(session, stack.gateway_url, tokens, INGEST_TIMEOUT)
        ingested = probe()
        upload = await upload_weights(session, stack.gateway_url, stack.mirror_url, tokens, INGEST_TIMEOUT)
        footprint.add(ingest.files)
        footprint.add(upload.files)
        bucket = await asyncio.to_thread(stack.bucket_usage)
        disk_bytes = await asyncio.to_thread(stack.disk_bytes)
        token = await tokens.token(0)
        file_location, file_expected = await _link(session, upload, token, stack.s3.endpoint_url)
        _, package_expected = await _link(session, ingest, token, stack.byte_url)
        fetches: dict[str, Fetch] = {
            BASELINE: baseline_fetch(session, file_location, file_expected),
            REGISTRY_FILE: registry_fetch(session, upload.download_url, tokens),
            REGISTRY_PACKAGE: registry_fetch(session, ingest.download_url, tokens),
        }
        results = await _downloads(fetches, config, tokens, probe)
        return StorageOutcome(
            mode=mode,
            config=config,
            startup_seconds=startup,
            load_average=os.getloadavg(),
            seeding=seeding,
            ingest=ingest,
            upload=upload,
            package_bytes=package_expected.size,
            file_bytes=file_expected.size,
            logins=tokens.logins,
            results=results,
            seeding_cpu=delta(before, seeded),
            ingest_cpu=delta(seeded, ingested),
            bucket=bucket,
            footprint=footprint,
            disk_bytes=disk_bytes,
            lineage="lineage" in stack.pids(),
        )


async def _link(session: aiohttp.ClientSession, ingest: Ingest, token: str, served_by: str) -> tuple[str, Expected]:
    """Where ``GET /download/{id}`` of ``ingest`` redirects, checked to be on ``served_by``, and what it serves."""
    try:
        location, expected = await resolve(session, ingest.download_url, token)
    except (DownloadError, aiohttp.ClientError, TimeoutError) as error:
        raise SeedFailed(f"no download link for {ingest.download_url}: {error}") from error
    if not location.startswith(f"{served_by.rstrip('/')}/"):
        raise SeedFailed(f"{ingest.download_url} redirects to {location.split('?')[0]}, not to {served_by}")
    return location, expected


async def _downloads(
    fetches: dict[str, Fetch], config: StorageConfig, tokens: TokenPool, probe: Probe
) -> list[DownloadResult]:
    """Warm up each scenario, then alternate them ``config.rounds`` times (shared-machine drift hits both).

    Every client checks the sha256 of its first download in the first round. Before each phase every
    client's token is renewed unless it has as many uses left as the phase has downloads, so no login
    happens inside a timed phase (while a phase holds at most 1,000 downloads).
    """
    results = {name: DownloadResult(name, config.clients) for name in fetches}
    per_round = _split(config.downloads, config.rounds)
    for name, fetch in fetches.items():
        await tokens.reserve(config.clients, config.warmup)
        warm = DownloadResult(name, 0)
        await run_downloads(fetch, config.warmup, min(config.warmup, config.clients), warm, probe, verify=False)
    for index, count in enumerate(per_round):
        for name, fetch in fetches.items():
            await tokens.reserve(config.clients, count)
            await run_downloads(fetch, count, config.clients, results[name], probe, verify=index == 0)
    return list(results.values())


def _split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, max(parts, 1))
    return [base + (1 if index < extra else 0) for index in range(max(parts, 1))]
