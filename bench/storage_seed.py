"""Fill the storage stack through its API: many registered models, the package the clients download, and one
uploaded file.

Every registration is real (``POST /artifact/{type}``: upstream look-ups at the mirror, then the background
copy into S3); the same small model under many names keeps it affordable, its bytes stored once. The fixtures are
made-up repositories whose filler bytes hash to the checksums they publish (``consistent_filler``): storage-svc
verifies every file and never stores or serves one that differs. The upload holds the package's weights file,
the same bytes, so it adds a package with one stored file (downloaded from S3 itself) and no byte to the bucket.
"""

import asyncio
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bench.load import AUTH_HEADER, TokenPool

MODEL_ID = "orchard-compute/orchard-mini"
PACKAGE_ID = "orchard-compute/orchard-base"
MODEL_URL = f"https://huggingface.co/{MODEL_ID}"
PACKAGE_URL = f"https://huggingface.co/{PACKAGE_ID}"
UPLOAD_FILE = "model.safetensors"  # of PACKAGE_ID: uploaded as a package of its own
RUNNING = frozenset({"queued", "copying"})
SETTLE_POLL = 0.25
INGEST_POLL = 0.05


class SeedFailed(RuntimeError):
    """A registration or a copy did not succeed."""


@dataclass
class Footprint:
    """The files of the registered packages: every byte they name, and each distinct content once."""

    packages: int = 0
    files: int = 0
    logical_bytes: int = 0
    unique: dict[str, int] = field(default_factory=dict)
    unhashed: int = 0

    def add(self, files: list[dict[str, Any]]) -> None:
        """Count one package's files (``GET .../package`` ``files``)."""
        self.packages += 1
        for entry in files:
            size = int(entry.get("size") or 0)
            self.files += 1
            self.logical_bytes += size
            if entry.get("sha256"):
                self.unique[str(entry["sha256"])] = size
            else:
                self.unhashed += 1

    @property
    def unique_bytes(self) -> int:
        """Bytes of the distinct contents (by sha256): what a bucket storing each once holds."""
        return sum(self.unique.values())


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
    """One package registered (or uploaded) and copied until ``ready``."""

    artifact_id: str
    download_url: str
    files: list[dict[str, Any]]
    bytes_total: int
    copied_seconds: float
    ready_seconds: float

    @property
    def mb_per_second(self) -> float:
        """Ingest throughput: package bytes over the seconds from POST to ``ready``."""
        return self.bytes_total / 1e6 / self.ready_seconds if self.ready_seconds > 0 else 0.0


async def register_models(session: aiohttp.ClientSession, base_url: str, tokens: TokenPool, count: int,
                          concurrency: int, timeout: float, footprint: Footprint) -> Seeding:  # fmt: skip
    """Register ``MODEL_URL`` ``count`` times under distinct names, then wait until every copy has ended."""
    await tokens.reserve(concurrency, -(-count // concurrency) + 1)
    names = [f"orchard-mini-{index:04d}" for index in range(count)]
    ids: list[str] = []
    started = time.perf_counter()

    async def worker(slot: int) -> None:
        while names:
            name = names.pop()  # before any await: another worker may take the last name meanwhile
            created = await register(session, base_url, await tokens.token(slot), "model", MODEL_URL, name)
            ids.append(created["metadata"]["id"])

    await asyncio.gather(*(worker(slot) for slot in range(concurrency)))
    registered = time.perf_counter() - started
    states = await _settle(session, base_url, tokens, ids, started + timeout, footprint)
    return Seeding(count, concurrency, registered, time.perf_counter() - started, states)


async def ingest_package(session: aiohttp.ClientSession, base_url: str, tokens: TokenPool, timeout: float) -> Ingest:
    """Register ``PACKAGE_URL`` and poll its package until ``ready`` (anything else fails the run)."""
    started = time.perf_counter()
    created = await register(session, base_url, await tokens.token(0), "model", PACKAGE_URL, None)
    return await _until_ready(session, base_url, tokens, created, started, timeout)


async def upload_weights(session: aiohttp.ClientSession, base_url: str, mirror_url: str, tokens: TokenPool,
                         timeout: float) -> Ingest:  # fmt: skip
    """Upload ``PACKAGE_ID``'s ``UPLOAD_FILE`` (fetched from the mirror) as a model, and poll it until ``ready``."""
    source = f"{mirror_url}/hf/{PACKAGE_ID}/resolve/main/{UPLOAD_FILE}"
    async with session.get(source) as response:
        if response.status != 200:
            raise SeedFailed(f"GET {source} answered {response.status}")
        content = await response.read()
    token = await tokens.token(0)
    started = time.perf_counter()
    slot = await _post(
        session, f"{base_url}/artifact/model/upload", token, {"filename": UPLOAD_FILE, "size": len(content)}
    )
    try:
        async with session.put(str(slot["put_url"]), data=content) as put:
            status, reply = put.status, await put.read()
    except (aiohttp.ClientError, TimeoutError) as error:
        raise SeedFailed(f"PUT of the upload failed: {type(error).__name__}: {error}") from error
    if status != 200:
        raise SeedFailed(f"PUT of the upload answered {status}: {reply[:200]!r}")
    body = {"name": "orchard-base-weights", "filename": UPLOAD_FILE}
    created = await _post(session, f"{base_url}{slot['complete_url']}", token, body)
    return await _until_ready(session, base_url, tokens, created, started, timeout)


async def _until_ready(session: aiohttp.ClientSession, base_url: str, tokens: TokenPool, created: dict[str, Any],
                       started: float, timeout: float) -> Ingest:  # fmt: skip
    """Poll the package of ``created`` until its copy ends; the ``Ingest`` (anything but ``ready`` fails the run)."""
    kind, artifact_id, url = created["metadata"]["type"], created["metadata"]["id"], created["data"]["url"]
    copied: float | None = None
    while True:
        package = await read_package(session, base_url, await tokens.token(0), kind, artifact_id)
        status = package["status"]
        now = time.perf_counter()
        if copied is None and status.get("bytes_total") and status["bytes_done"] == status["bytes_total"]:
            copied = now - started
        if status["state"] not in RUNNING:
            break
        if now - started > timeout:
            raise SeedFailed(f"the copy of {url} did not end within {timeout:.0f} s: {status}")
        await asyncio.sleep(INGEST_POLL)
    if status["state"] != "ready":
        raise SeedFailed(f"the copy of {url} ended {status['state']}: {status.get('message')}")
    return Ingest(
        artifact_id=artifact_id,
        download_url=str(created["data"]["download_url"]),
        files=list(package["files"]),
        bytes_total=int(status["bytes_total"]),
        copied_seconds=copied if copied is not None else now - started,
        ready_seconds=now - started,
    )


async def register(session: aiohttp.ClientSession, base_url: str, token: str, kind: str, url: str,
                   name: str | None) -> dict[str, Any]:  # fmt: skip
    """``POST /artifact/{kind}``; the created artifact (anything but 201 fails the run)."""
    body = {"url": url} if name is None else {"url": url, "name": name}
    return await _post(session, f"{base_url}/artifact/{kind}", token, body)


async def _post(session: aiohttp.ClientSession, url: str, token: str, body: Mapping[str, object]) -> dict[str, Any]:
    """POST ``body`` as JSON; the answer (anything but 201 with a JSON object fails the run)."""
    try:
        async with session.post(url, json=body, headers={AUTH_HEADER: token}) as response:
            status, payload = response.status, await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        raise SeedFailed(f"POST {url} {body} failed: {type(error).__name__}: {error}") from error
    if status != 201 or not isinstance(payload, dict):
        raise SeedFailed(f"POST {url} {body} answered {status}: {payload!r}")
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
                  deadline: float, footprint: Footprint) -> Counter[str]:  # fmt: skip
    """Wait for every package's copy to end, polling the oldest unfinished one (copies run roughly in order);
    each ended package's files go into ``footprint``."""
    states: Counter[str] = Counter()
    pending = list(ids)
    while pending:
        package = await read_package(session, base_url, await tokens.token(0), "model", pending[0])
        status = package["status"]
        if status["state"] not in RUNNING:
            states[status["state"]] += 1
            footprint.add(package["files"])
            pending.pop(0)
            continue
        if time.perf_counter() > deadline:
            raise SeedFailed(f"{len(pending)} of {len(ids)} model copies still running at the deadline: {status}")
        await asyncio.sleep(SETTLE_POLL)
    return states
