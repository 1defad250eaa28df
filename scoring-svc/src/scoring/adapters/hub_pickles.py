"""``PickleScanner`` port on the Hub: each pickle-based file of a model read at the commit ``model_info`` named, through
HTTP byte ranges on ``HF_ENDPOINT``'s resolve URLs (the endpoint and revision storage-svc copies from), and scanned
statically in a worker thread (``scoring.adapters.pickle_scan``).

Only what the loaders unpickle is fetched (``range_file``): for a zip checkpoint its central directory and its
``.pkl`` members, for a legacy pickle the blocks up to its STOP opcode, at most ``max_bytes`` per file. The first
range follows the resolve URL's redirect (to the CDN, for LFS files); later ranges go straight to where it led, and
the Hub token is sent only to the Hub's own host. The worker threads block on ranges fetched by this event loop.

The scan has a deadline (``seconds``): files not finished by then are ``unscanned`` ("not scanned within ..."), and
their threads stop at their next range. A file that cannot be read (the Hub refuses it, fails after retries, or
ignores ranges) is ``unscanned`` with the reason; only its bytes, never the rating, are lost.
"""

import asyncio
import io
import threading
import time
from concurrent.futures import Executor
from dataclasses import dataclass

import aiohttp
import structlog
from yarl import URL

from contracts.scoring import PickleFileScan, PickleVerdict
from scoring.adapters._retry import Transient, retrying
from scoring.adapters.pickle_scan import FileRead, scan_file
from scoring.adapters.range_file import DEFAULT_BLOCK, RangeFile, RangeReadError
from scoring.domain.pickle_safety import imports_of, is_pickle_based, judge, printable
from scoring.ports import HubModel, SourceUnavailable
from svckit.http import read_capped
from svckit.upstream import Upstream


@dataclass(frozen=True)
class PickleScanLimits:
    """Bytes fetched per file, the whole scan's deadline, and the range block size."""

    max_bytes: int = 64 << 20
    seconds: float = 30.0
    block: int = DEFAULT_BLOCK


_POLL_SECONDS = 0.25
_BUFFER = 64 << 10


class _Stopped(RangeReadError):
    """The scan's deadline passed, or the service is stopping: the worker thread stops at its next range."""


class _Remote:
    """Ranges of one file, fetched on ``loop`` for a worker thread."""

    def __init__(
        self, session: aiohttp.ClientSession, upstream: Upstream, url: str, loop: asyncio.AbstractEventLoop
    ) -> None:
        self._session = session
        self._upstream = upstream
        self._url = URL(url)
        self._loop = loop
        self._timeout = aiohttp.ClientTimeout(total=upstream.timeout)
        self.stop = threading.Event()

    def fetch(self, start: int, end: int) -> bytes:
        """Bytes ``[start, end)``, from a worker thread (blocks until this loop fetched them, or ``stop``)."""
        if self.stop.is_set():
            raise _Stopped("the scan was stopped")
        try:
            future = asyncio.run_coroutine_threadsafe(self._fetch(start, end), self._loop)
        except RuntimeError as error:  # the loop is closed: the service is stopping
            raise _Stopped("the scan was stopped") from error
        deadline = time.monotonic() + self._upstream.timeout * 4  # retries included
        while True:
            try:
                return future.result(timeout=_POLL_SECONDS)
            except SourceUnavailable as error:
                raise RangeReadError(str(error)) from error
            except TimeoutError as error:
                if self.stop.is_set() or time.monotonic() > deadline:
                    future.cancel()
                    raise RangeReadError("the Hub did not answer in time") from error

    async def _fetch(self, start: int, end: int) -> bytes:
        return await retrying(lambda: self._get(start, end), "Hugging Face file range")

    async def _get(self, start: int, end: int) -> bytes:
        headers = {"Range": f"bytes={start}-{end - 1}"}
        if self._url.origin() == URL(self._upstream.hf).origin():
            headers |= self._upstream.hf_headers()
        try:
            async with self._session.get(self._url, headers=headers, timeout=self._timeout) as response:
                if response.status >= 500 or response.status == 429:
                    raise Transient(f"Hugging Face answered {response.status}")
                if response.status == 200:
                    raise SourceUnavailable("the server does not serve byte ranges")
                if response.status != 206:
                    raise SourceUnavailable(f"the Hub answered {response.status}")
                body = await read_capped(response, end - start)
                self._url = response.url  # after the redirect: the next ranges skip it
        except (aiohttp.ClientError, TimeoutError) as error:
            raise Transient(f"Hugging Face is unreachable: {error}") from error
        return body


class HubPickleScanner:
    """Scans a Hub model's pickle-based files (``executor`` runs the parsing; its size is the parallelism)."""

    def __init__(
        self, session: aiohttp.ClientSession, upstream: Upstream, limits: PickleScanLimits, executor: Executor
    ) -> None:
        self._session = session
        self._upstream = upstream
        self._limits = limits
        self._executor = executor
        self._live: set[_Remote] = set()

    def close(self) -> None:
        """Stop every scan under way (at its next range): the service is stopping."""
        for remote in list(self._live):
            remote.stop.set()

    async def scan(self, model: HubModel) -> list[PickleFileScan]:
        """Every pickle-based file's verdict, within the deadline."""
        files = [(path, size) for path, size in model.files if is_pickle_based(path)]
        if not files:
            return []
        if model.commit is None:
            return [_unscanned(path, size, "the Hub named no commit to read it at") for path, size in files]
        remotes = [self._remote(model, path) for path, _ in files]
        self._live.update(remotes)
        tasks = [
            asyncio.ensure_future(self._one(remote, size)) for remote, (_, size) in zip(remotes, files, strict=True)
        ]
        done: set[asyncio.Future[tuple[FileRead, int]]] = set()
        try:
            done, _ = await asyncio.wait(tasks, timeout=self._limits.seconds)
        finally:  # past the deadline, or cancelled with the rating: threads stop at their next range
            for remote, task in zip(remotes, tasks, strict=True):
                if not task.done():
                    remote.stop.set()
                    task.cancel()
            self._live.difference_update(remotes)
        late = f"not scanned within the scan's {self._limits.seconds:g} s"
        scans = [
            _scanned(path, size, *task.result()) if task in done else _unscanned(path, size, late)
            for (path, size), task in zip(files, tasks, strict=True)
        ]
        structlog.get_logger().info(
            "pickles_scanned", repo_id=model.repo_id, files=len(scans), verdicts=[s.verdict.value for s in scans]
        )
        return scans

    def _remote(self, model: HubModel, path: str) -> _Remote:
        url = self._upstream.hf_file_url(model.repo_id, path, revision=model.commit)
        return _Remote(self._session, self._upstream, url, asyncio.get_running_loop())

    async def _one(self, remote: _Remote, size: int | None) -> tuple[FileRead, int]:
        """Scan one file in a worker thread; what was read and how many bytes were fetched."""
        if size is None:
            return FileRead((), "the Hub published no size for it"), 0
        file = RangeFile(remote.fetch, size, budget=self._limits.max_bytes, block=self._limits.block)
        started = time.perf_counter()
        loop = asyncio.get_running_loop()
        try:
            buffered = io.BufferedReader(file, _BUFFER)  # pickletools reads opcode by opcode
            read = await loop.run_in_executor(self._executor, scan_file, buffered, self._limits.max_bytes)
        except RangeReadError as error:
            read = FileRead((), f"could not be read: {printable(str(error))}")
        except Exception as error:  # a scanner bug must not fail the rating: the file stays unscanned, and says so
            structlog.get_logger().exception("pickle_scan_failed")
            read = FileRead((), f"the scan failed ({type(error).__name__})")
        structlog.get_logger().debug(
            "pickle_file_scanned", requests=file.requests, fetched=file.fetched, seconds=time.perf_counter() - started
        )
        return read, file.fetched


def _scanned(path: str, size: int | None, read: FileRead, fetched: int) -> PickleFileScan:
    verdict, detail = judge(read.reads, read.problem)
    return PickleFileScan(
        path=printable(path),
        verdict=PickleVerdict(verdict),
        detail=detail,
        dangerous_imports=imports_of(read.reads, "dangerous"),
        other_imports=imports_of(read.reads, "other"),
        pickles=[printable(r.name) for r in read.reads],
        size=size,
        bytes_read=fetched,
    )


def _unscanned(path: str, size: int | None, reason: str) -> PickleFileScan:
    return PickleFileScan(path=printable(path), verdict=PickleVerdict.UNSCANNED, detail=reason, size=size)
