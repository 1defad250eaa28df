"""Concurrent downloads: through the registry (``GET /download/{id}``, then the URL it redirects to: presigned S3
for one stored file, storage-svc's byte endpoint for a package's tar) or straight from a presigned S3 URL (the
baseline).

Bodies are streamed and counted, never kept; in a verifying phase each client hashes its first download in
full and checks it against ``X-Content-SHA256``. A download's time runs from its first request to its last byte;
tokens are renewed before each phase (``TokenPool.reserve``), so no login happens on that clock.
"""

import asyncio
import hashlib
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import aiohttp

from bench.cpu import Probe, delta
from bench.load import AUTH_HEADER, TokenPool
from bench.measure import keep_sample, percentile, spend

CHUNK = 1 << 20

BASELINE = "baseline: presigned S3 URL only (1 blob)"
REGISTRY_FILE = "registry, 1 stored file: 302 + presigned S3"
REGISTRY_PACKAGE = "registry, package: 302 + storage-svc tar"


class DownloadError(Exception):
    """One download did not succeed (status, size or checksum)."""


@dataclass(frozen=True)
class Expected:
    """What every download must return: its size and sha256."""

    size: int
    sha256: str


@dataclass
class DownloadResult:
    """Timed downloads of one scenario (summed over its rounds)."""

    scenario: str
    clients: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    link_latencies: list[float] = field(default_factory=list)
    round_rates: list[float] = field(default_factory=list)
    bytes_read: int = 0
    verified: int = 0
    errors: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)
    cpu_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def downloads(self) -> int:
        """Timed downloads attempted."""
        return len(self.latencies)

    @property
    def mb_per_second(self) -> float:
        """Aggregate throughput over the timed phases, in MB (10^6 bytes) per second."""
        return self.bytes_read / 1e6 / self.seconds if self.seconds > 0 else 0.0

    def percentile(self, fraction: float) -> float:
        """Nearest-rank percentile of the download times, in seconds."""
        return percentile(self.latencies, fraction)


@dataclass(frozen=True)
class Fetched:
    """One finished download: bytes read, and how long the registry took to answer its 302 (if asked)."""

    size: int
    link_seconds: float | None = None


# One download by client ``slot``; ``verify`` asks for the sha256 check.
Fetch = Callable[[int, bool], Awaitable[Fetched]]


async def run_downloads(
    fetch: Fetch, count: int, clients: int, result: DownloadResult, probe: Probe, *, verify: bool = True
) -> None:
    """``count`` downloads by ``clients`` concurrent clients, added to ``result`` (time, bytes, CPU).

    With ``verify`` each client hashes its first successful download in full.
    """
    unchecked = set(range(clients)) if verify else set()  # clients whose first good download is still to come

    async def one(slot: int) -> None:
        check = slot in unchecked
        started = time.perf_counter()
        try:
            fetched = await fetch(slot, check)
            result.bytes_read += fetched.size  # not ``+= await``: that adds to a value read before the await
            if fetched.link_seconds is not None:
                result.link_latencies.append(fetched.link_seconds)
            result.verified += check
            result.statuses["ok"] += 1
            unchecked.discard(slot)
        except (DownloadError, aiohttp.ClientError, TimeoutError) as error:
            result.errors += 1
            result.statuses[type(error).__name__] += 1
            keep_sample(result.error_samples, f"{type(error).__name__}: {error}")
        result.latencies.append(time.perf_counter() - started)

    cpu_before, bytes_before = probe(), result.bytes_read
    started = time.perf_counter()
    await spend(count, clients, one)
    seconds = time.perf_counter() - started
    result.seconds += seconds
    result.round_rates.append((result.bytes_read - bytes_before) / 1e6 / seconds if seconds > 0 else 0.0)
    for name, seconds in delta(cpu_before, probe()).items():
        result.cpu_seconds[name] = result.cpu_seconds.get(name, 0.0) + seconds


def baseline_fetch(session: aiohttp.ClientSession, url: str, expected: Expected) -> Fetch:
    """Downloads of one presigned URL, taken from the registry before the timed part."""

    async def fetch(_slot: int, verify: bool) -> Fetched:
        return Fetched(await read_body(session, url, expected, verify))

    return fetch


def registry_fetch(session: aiohttp.ClientSession, download_url: str, tokens: TokenPool) -> Fetch:
    """Downloads through the registry: its 302 (with the client's token from ``tokens``), then the URL it names."""

    async def fetch(slot: int, verify: bool) -> Fetched:
        token = await tokens.token(slot)
        started = time.perf_counter()
        location, expected = await resolve(session, download_url, token)
        link_seconds = time.perf_counter() - started
        return Fetched(await read_body(session, location, expected, verify), link_seconds)

    return fetch


async def resolve(session: aiohttp.ClientSession, download_url: str, token: str) -> tuple[str, Expected]:
    """``GET /download/{id}`` without following: the ``Location`` and what it must serve."""
    async with session.get(download_url, headers={AUTH_HEADER: token}, allow_redirects=False) as response:
        body = await response.read()
        if response.status != 302:
            raise DownloadError(f"GET {download_url} -> {response.status}: {body[:200]!r}")
        headers = response.headers
        try:
            expected = Expected(int(headers["X-Content-Length"]), headers["X-Content-SHA256"])
            return headers["Location"], expected
        except (KeyError, ValueError) as error:
            raise DownloadError(f"GET {download_url}: 302 without {error}") from error


async def read_body(session: aiohttp.ClientSession, url: str, expected: Expected, verify: bool) -> int:
    """Stream ``url``'s body, counting (and with ``verify`` hashing) it; the number of bytes read."""
    digest = hashlib.sha256() if verify else None
    size = 0
    async with session.get(url) as response:
        if response.status != 200:
            raise DownloadError(f"GET {_where(url)} -> {response.status}: {(await response.read())[:200]!r}")
        async for chunk in response.content.iter_chunked(CHUNK):
            size += len(chunk)
            if digest is not None:
                # hashlib releases the GIL on large updates: hash on another core while the loop reads on.
                await asyncio.to_thread(digest.update, chunk)
    if size != expected.size:
        raise DownloadError(f"GET {_where(url)} returned {size:,} bytes, not {expected.size:,}")
    if digest is not None and digest.hexdigest() != expected.sha256:
        raise DownloadError(f"sha256 {digest.hexdigest()} is not X-Content-SHA256 {expected.sha256}")
    return size


def _where(url: str) -> str:
    """``url`` without its query (a signature)."""
    return url.split("?", 1)[0]
