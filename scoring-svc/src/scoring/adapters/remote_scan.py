"""Scanning remote files through HTTP byte ranges, shared by the Hub's files (``hub_pickles``) and the registry's
own bucket (``stored_pickles``): each file becomes a ``RangeFile`` whose ranges this event loop fetches for a worker
thread that parses it (``pickle_scan``, ``package_scan``); nothing is unpickled.

The scan has a deadline (``seconds``): files not finished by then are ``unscanned`` ("not scanned within ..."), and
their threads stop at their next range. A file that cannot be read (the server refuses it, fails after retries, or
ignores ranges) is ``unscanned`` with the reason; only its bytes, never the rating, are lost.
"""

import asyncio
import io
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import IO

import aiohttp
import structlog
from yarl import URL

from contracts.scoring import PickleFileScan, PickleVerdict
from scoring.adapters._retry import Transient, retrying
from scoring.adapters.pickle_scan import FileRead
from scoring.adapters.range_file import DEFAULT_BLOCK, RangeFile, RangeReadError
from scoring.domain.pickle_safety import imports_of, judge, printable
from scoring.ports import SourceUnavailable
from svckit.http import read_capped


@dataclass(frozen=True)
class PickleScanLimits:
    """Bytes fetched per file, the whole scan's deadline, and the range block size."""

    max_bytes: int = 64 << 20
    seconds: float = 30.0
    block: int = DEFAULT_BLOCK


_POLL_SECONDS = 0.25
_BUFFER = 64 << 10

# What a worker thread does with one file (its stream, its path, the byte cap): its scanned pickle-based parts, each
# named ("" for the file itself, else the archive member).
Scan = Callable[[IO[bytes], str, int], list[tuple[str, FileRead]]]


def _no_headers(url: URL) -> Mapping[str, str]:
    return {}


@dataclass(frozen=True)
class RemoteFile:
    """One file to scan: its path, size, where its bytes are, and the headers a range request to ``url`` carries
    (the Hub token goes to the Hub's host only)."""

    path: str
    size: int | None
    url: str
    headers: Callable[[URL], Mapping[str, str]] = field(default=_no_headers)
    source: str = "the server"  # who serves it, as messages name it ("the Hub")


@dataclass(frozen=True)
class Outcome:
    """One file's scan: its parts, the bytes fetched, and whether it was unreadable or not done in time."""

    parts: list[tuple[str, FileRead]]
    fetched: int = 0
    unreadable: bool = False
    late: bool = False
    changed: bool = False  # unreadable because the object changed since its link was pinned (412)


class ObjectChanged(SourceUnavailable):
    """The object answered 412: it was written again since the condition its link carries."""


class _Changed(RangeReadError):
    """``ObjectChanged``, as the worker thread sees it."""


class _Stopped(RangeReadError):
    """The scan's deadline passed, or the service is stopping: the worker thread stops at its next range."""


class _Remote:
    """Ranges of one file, fetched on ``loop`` for a worker thread."""

    def __init__(
        self, session: aiohttp.ClientSession, file: RemoteFile, timeout: float, loop: asyncio.AbstractEventLoop
    ) -> None:
        self._session = session
        self._file = file
        self._url = URL(file.url, encoded=True)
        self._loop = loop
        self._seconds = timeout
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self.stop = threading.Event()

    def fetch(self, start: int, end: int) -> bytes:
        """Bytes ``[start, end)``, from a worker thread (blocks until this loop fetched them, or ``stop``)."""
        if self.stop.is_set():
            raise _Stopped("the scan was stopped")
        try:
            future = asyncio.run_coroutine_threadsafe(self._fetch(start, end), self._loop)
        except RuntimeError as error:  # the loop is closed: the service is stopping
            raise _Stopped("the scan was stopped") from error
        deadline = time.monotonic() + self._seconds * 4  # retries included
        while True:
            try:
                return future.result(timeout=_POLL_SECONDS)
            except ObjectChanged as error:
                raise _Changed(str(error)) from error
            except SourceUnavailable as error:
                raise RangeReadError(str(error)) from error
            except TimeoutError as error:
                if self.stop.is_set() or time.monotonic() > deadline:
                    future.cancel()
                    raise RangeReadError(f"{self._file.source} did not answer in time") from error

    async def _fetch(self, start: int, end: int) -> bytes:
        return await retrying(lambda: self._get(start, end), "file range")

    async def _get(self, start: int, end: int) -> bytes:
        headers = {"Range": f"bytes={start}-{end - 1}", **self._file.headers(self._url)}
        try:
            async with self._session.get(self._url, headers=headers, timeout=self._timeout) as response:
                if response.status >= 500 or response.status == 429:
                    raise Transient(f"{self._file.source} answered {response.status}")
                if response.status == 200:
                    raise SourceUnavailable(f"{self._file.source} does not serve byte ranges")
                if response.status == 412:
                    raise ObjectChanged(f"{self._file.source} answered 412: the object changed since it was pinned")
                if response.status != 206:
                    raise SourceUnavailable(f"{self._file.source} answered {response.status}")
                body = await read_capped(response, end - start)
                self._url = response.url  # after a redirect: the next ranges skip it
        except (aiohttp.ClientError, TimeoutError) as error:
            raise Transient(f"{self._file.source} is unreachable: {error}") from error
        return body


class RangeScanner:
    """Scans remote files in worker threads (``executor``; its size is the parallelism), within the deadline."""

    def __init__(
        self, session: aiohttp.ClientSession, limits: PickleScanLimits, executor: Executor, timeout: float
    ) -> None:
        self._session = session
        self.limits = limits
        self._executor = executor
        self._timeout = timeout
        self._live: set[_Remote] = set()

    def close(self) -> None:
        """Stop every scan under way (at its next range): the service is stopping."""
        for remote in list(self._live):
            remote.stop.set()

    async def scan(self, files: Sequence[RemoteFile], scan: Scan, seconds: float | None = None) -> list[Outcome]:
        """Each file's outcome, in order; files not done within ``seconds`` (``limits.seconds`` unless given: what
        is left of a caller's deadline) are ``late``."""
        loop = asyncio.get_running_loop()
        remotes = [_Remote(self._session, file, self._timeout, loop) for file in files]
        self._live.update(remotes)
        tasks = [
            asyncio.ensure_future(self._one(remote, file, scan)) for remote, file in zip(remotes, files, strict=True)
        ]
        done: set[asyncio.Future[Outcome]] = set()
        try:
            if tasks:
                budget = self.limits.seconds if seconds is None else max(0.0, seconds)
                done, _ = await asyncio.wait(tasks, timeout=budget)
        finally:  # past the deadline, or cancelled with the rating: threads stop at their next range
            for remote, task in zip(remotes, tasks, strict=True):
                if not task.done():
                    remote.stop.set()
                    task.cancel()
            self._live.difference_update(remotes)
        return [task.result() if task in done else Outcome([], late=True) for task in tasks]

    async def _one(self, remote: _Remote, target: RemoteFile, scan: Scan) -> Outcome:
        """Scan one file in a worker thread."""
        if target.size is None:
            return Outcome([("", FileRead((), f"{target.source} published no size for it"))])
        file = RangeFile(remote.fetch, target.size, budget=self.limits.max_bytes, block=self.limits.block)
        started = time.perf_counter()
        loop = asyncio.get_running_loop()
        unreadable = changed = False
        try:
            buffered = io.BufferedReader(file, _BUFFER)  # pickletools reads opcode by opcode
            parts = await loop.run_in_executor(self._executor, scan, buffered, target.path, self.limits.max_bytes)
        except RangeReadError as error:
            parts, unreadable = [("", FileRead((), f"could not be read: {printable(str(error))}"))], True
            changed = isinstance(error, _Changed)
        except Exception as error:  # a scanner bug must not fail the rating: the file stays unscanned, and says so
            structlog.get_logger().exception("pickle_scan_failed")
            parts = [("", FileRead((), f"the scan failed ({type(error).__name__})"))]
        structlog.get_logger().debug(
            "pickle_file_scanned", requests=file.requests, fetched=file.fetched, seconds=time.perf_counter() - started
        )
        return Outcome(parts, file.fetched, unreadable=unreadable, changed=changed)

    def late(self) -> str:
        """The detail of a file not scanned within the deadline."""
        return f"not scanned within the scan's {self.limits.seconds:g} s"


def scanned(path: str, size: int | None, read: FileRead, fetched: int, archive: str | None = None) -> PickleFileScan:
    """The contract entry of one scanned file (or archive member: ``archive`` names the file holding it)."""
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
        archive=None if archive is None else printable(archive),
    )


def unscanned(path: str, size: int | None, reason: str) -> PickleFileScan:
    """The contract entry of a file that was not scanned, with the reason."""
    return PickleFileScan(path=printable(path), verdict=PickleVerdict.UNSCANNED, detail=reason, size=size)
