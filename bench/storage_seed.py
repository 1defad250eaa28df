"""Fill the storage stack through its API: many registered models, then the one package the clients download.

Every registration is real (``POST /artifact/{type}``: upstream look-ups at the mirror, then the background
copy into S3); the same small model under many names keeps it affordable, its bytes stored once.
"""

import asyncio
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import aiohttp

from bench.load import AUTH_HEADER, TokenPool

MODEL_URL = "https://huggingface.co/ybelkada/opt-350m-lora"
DATASET_URL = "https://huggingface.co/datasets/stanfordnlp/imdb"
RUNNING = frozenset({"queued", "copying"})
SETTLE_POLL = 0.25
INGEST_POLL = 0.05


class SeedFailed(RuntimeError):
    """A registration or a copy did not succeed."""


@dataclass(frozen=True)
class Seeding:
    """How registering the models went."""

    models: int
    concurrency: int
    register_seconds: float
    settle_seconds: float
    states: Counter[str]


@dataclass(frozen=True)
class Ingest:
    """The downloaded package: its registration and the copy until ``ready``."""

    artifact_id: str
    download_url: str
    files: int
    bytes_total: int
    copied_seconds: float
    ready_seconds: float

    @property
    def mb_per_second(self) -> float:
        """Ingest throughput: package bytes over the seconds from POST to ``ready``."""
        return self.bytes_total / 1e6 / self.ready_seconds if self.ready_seconds > 0 else 0.0


async def register_models(session: aiohttp.ClientSession, base_url: str, tokens: TokenPool, count: int,
                          concurrency: int, timeout: float) -> Seeding:  # fmt: skip
    """Register ``MODEL_URL`` ``count`` times under distinct names, then wait until every copy has ended."""
    await tokens.reserve(concurrency, -(-count // concurrency) + 1)
    names = [f"opt-350m-lora-{index:04d}" for index in range(count)]
    ids: list[str] = []
    started = time.perf_counter()

    async def worker(slot: int) -> None:
        while names:
            name = names.pop()  # before any await: another worker may take the last name meanwhile
            created = await register(session, base_url, await tokens.token(slot), "model", MODEL_URL, name)
            ids.append(created["metadata"]["id"])

    await asyncio.gather(*(worker(slot) for slot in range(concurrency)))
    registered = time.perf_counter() - started
    states = await _settle(session, base_url, tokens, ids, started + timeout)
    return Seeding(count, concurrency, registered, time.perf_counter() - started, states)


async def ingest_dataset(session: aiohttp.ClientSession, base_url: str, tokens: TokenPool, timeout: float) -> Ingest:
    """Register ``DATASET_URL`` and poll its package until ``ready`` (anything else fails the run)."""
    started = time.perf_counter()
    created = await register(session, base_url, await tokens.token(0), "dataset", DATASET_URL, None)
    artifact_id = created["metadata"]["id"]
    copied: float | None = None
    while True:
        package = await read_package(session, base_url, await tokens.token(0), "dataset", artifact_id)
        status = package["status"]
        now = time.perf_counter()
        if copied is None and status.get("bytes_total") and status["bytes_done"] == status["bytes_total"]:
            copied = now - started
        if status["state"] not in RUNNING:
            break
        if now - started > timeout:
            raise SeedFailed(f"the copy of {DATASET_URL} did not end within {timeout:.0f} s: {status}")
        await asyncio.sleep(INGEST_POLL)
    if status["state"] != "ready":
        raise SeedFailed(f"the copy of {DATASET_URL} ended {status['state']}: {status.get('message')}")
    return Ingest(
        artifact_id=artifact_id,
        download_url=str(created["data"]["download_url"]),
        files=int(status["files_total"]),
        bytes_total=int(status["bytes_total"]),
        copied_seconds=copied if copied is not None else now - started,
        ready_seconds=now - started,
    )


async def register(session: aiohttp.ClientSession, base_url: str, token: str, kind: str, url: str,
                   name: str | None) -> dict[str, Any]:  # fmt: skip
    """``POST /artifact/{kind}``; the created artifact (anything but 201 fails the run)."""
    body = {"url": url} if name is None else {"url": url, "name": name}
    try:
        async with session.post(f"{base_url}/artifact/{kind}", json=body, headers={AUTH_HEADER: token}) as response:
            status, payload = response.status, await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        raise SeedFailed(f"POST /artifact/{kind} {body} failed: {type(error).__name__}: {error}") from error
    if status != 201 or not isinstance(payload, dict):
        raise SeedFailed(f"POST /artifact/{kind} {body} answered {status}: {payload!r}")
    return payload


async def read_package(session: aiohttp.ClientSession, base_url: str, token: str, kind: str,
                       artifact_id: str) -> dict[str, Any]:  # fmt: skip
    """``GET /artifacts/{kind}/{id}/package``."""
    url = f"{base_url}/artifacts/{kind}/{artifact_id}/package"
    try:
        async with session.get(url, headers={AUTH_HEADER: token}) as response:
            status, payload = response.status, await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        raise SeedFailed(f"GET {url} failed: {type(error).__name__}: {error}") from error
    if status != 200 or not isinstance(payload, dict):
        raise SeedFailed(f"GET {url} answered {status}: {payload!r}")
    return payload


async def _settle(session: aiohttp.ClientSession, base_url: str, tokens: TokenPool, ids: list[str],
                  deadline: float) -> Counter[str]:  # fmt: skip
    """Wait for every package's copy to end, polling the oldest unfinished one (copies run roughly in order)."""
    states: Counter[str] = Counter()
    pending = list(ids)
    while pending:
        status = (await read_package(session, base_url, await tokens.token(0), "model", pending[0]))["status"]
        if status["state"] not in RUNNING:
            states[status["state"]] += 1
            pending.pop(0)
            continue
        if time.perf_counter() > deadline:
            raise SeedFailed(f"{len(pending)} of {len(ids)} model copies still running at the deadline: {status}")
        await asyncio.sleep(SETTLE_POLL)
    return states
