"""``StoredPickleScanner`` port on the registry's own bucket: the files of an uploaded model's package, read through
the presigned ranged-read links storage-svc hands out (``storage.package.range_links``) and scanned statically in
worker threads (``package_scan``: a pickle-based file itself, or the pickle-based members of an uploaded archive).

What is scanned is what is served: the scan first waits (up to half its deadline) for the upload's copy to store
the file at its content address, an immutable blob. Only a copy slower than that wait (a large upload) is scanned
at its upload object, and the report says so. That object's presigned PUT URL stays valid for an hour, so its link
carries the condition storage recorded at registration (``RangeLink.headers``, sent with each range): bytes PUT
again since answer 412 and are reported unscanned, and the copy, conditional on the same version, never stores
them. An
upload whose copy finishes during the scan loses its upload object (the copy removes it once the blob is stored): a
file that could not be read is scanned once more through fresh links, which then lead to the blob.

Only what the loaders unpickle is fetched, at most ``max_bytes`` per file, within the scan's deadline
(``remote_scan``).
"""

import asyncio
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from typing import Protocol, TypeVar

import aiohttp
import structlog
from yarl import URL

from contracts import subjects
from contracts.base import Contract
from contracts.errors import ServiceFailure
from contracts.scoring import PickleFileScan
from contracts.storage import RangeLink, RangeLinks, RangeLinksQuery
from scoring.adapters.package_scan import cannot_hold_pickles, may_hold_pickles, scan_package
from scoring.adapters.remote_scan import Outcome, PickleScanLimits, RangeScanner, RemoteFile, scanned, unscanned
from scoring.ports import SourceUnavailable

R = TypeVar("R", bound=Contract)


class StorageCalls(Protocol):
    """How the links are asked of storage-svc: a ``svckit.transport.ServiceClient`` (or a test's fake storage)."""

    async def call(self, subject: str, request: Contract, reply: type[R], *, timeout: float | None = None) -> R: ...


SOURCE = "the registry's storage"
_POLL_SECONDS = 0.25
UNCOPIED = "read at its upload object: its copy into the registry had not finished"
CHANGED = "412 means its upload object was written again after registration: those bytes are never stored or served"


class StoredPickleScanner:
    """Scans the pickle-based contents of a package's files in the bucket (``executor`` runs the parsing)."""

    def __init__(
        self,
        client: StorageCalls,
        session: aiohttp.ClientSession,
        limits: PickleScanLimits,
        executor: Executor,
        timeout: float,
    ) -> None:
        self._client = client
        self._ranges = RangeScanner(session, limits, executor, timeout)

    def close(self) -> None:
        """Stop every scan under way (at its next range): the service is stopping."""
        self._ranges.close()

    async def scan(self, artifact_id: str) -> list[PickleFileScan]:
        """Every pickle-based file's (or archive member's) verdict, within the one deadline of the wait for the copy
        and both passes."""
        deadline = time.monotonic() + self._ranges.limits.seconds
        links = await self._stored_links(artifact_id, deadline - self._ranges.limits.seconds / 2)
        readable = [link for link in links if link.url is not None]
        outcomes = dict(zip((link.path for link in readable), await self._scan(readable, deadline), strict=True))
        read_through = {link.path: link for link in links}  # the link each file's outcome was read through
        again = [link.path for link in readable if outcomes[link.path].unreadable]
        if again:  # an upload's object went with its finished copy: fresh links lead to the stored blob
            fresh = [link for link in await self._links(artifact_id) if link.path in again and link.url is not None]
            outcomes |= dict(zip((link.path for link in fresh), await self._scan(fresh, deadline), strict=True))
            read_through |= {link.path: link for link in fresh}
        scans = [scan for link in links for scan in self._scans(read_through[link.path], outcomes.get(link.path))]
        structlog.get_logger().info(
            "stored_pickles_scanned", artifact_id=artifact_id, files=len(scans), verdicts=[s.verdict for s in scans]
        )
        return scans

    async def _stored_links(self, artifact_id: str, wait_until: float) -> list[RangeLink]:
        """The links once every readable file that could hold pickles is a stored blob, or at ``wait_until`` (half
        the scan's deadline: an upload of safetensors and JSON alone is not held up by its copy)."""
        links = await self._links(artifact_id)
        while any(_uncopied_pickles(link) for link in links) and time.monotonic() < wait_until:
            await asyncio.sleep(_POLL_SECONDS)
            links = await self._links(artifact_id)
        return links

    async def _scan(self, links: list[RangeLink], deadline: float) -> list[Outcome]:
        files = [RemoteFile(link.path, link.size, link.url or "", _condition(link), SOURCE) for link in links]
        return await self._ranges.scan(files, scan_package, seconds=deadline - time.monotonic())

    async def _links(self, artifact_id: str) -> list[RangeLink]:
        try:
            query = RangeLinksQuery(artifact_id=artifact_id)
            return (await self._client.call(subjects.PACKAGE_RANGE_LINKS, query, RangeLinks)).files
        except (ServiceFailure, TimeoutError) as error:
            raise SourceUnavailable(f"storage-svc handed out no links to the package's files: {error}") from error

    def _scans(self, link: RangeLink, outcome: Outcome | None) -> list[PickleFileScan]:
        if outcome is None:
            if not may_hold_pickles(link.path):
                return []
            return [unscanned(link.path, link.size, f"its bytes could not be read: {link.note}")]
        if outcome.late:
            return [unscanned(link.path, link.size, self._ranges.late())]
        scans = [
            scanned(link.path, link.size, read, outcome.fetched) if not member
            else scanned(f"{link.path}/{member}", None, read, outcome.fetched, archive=link.path)
            for member, read in outcome.parts
        ]  # fmt: skip
        if link.stored:
            return scans
        why = CHANGED if outcome.changed else UNCOPIED
        return [scan.model_copy(update={"detail": f"{scan.detail} ({why})"}) for scan in scans]


def _condition(link: RangeLink) -> Callable[[URL], Mapping[str, str]]:
    """The headers each range request through ``link`` sends: its condition, when it has one."""
    return lambda url: link.headers


def _uncopied_pickles(link: RangeLink) -> bool:
    """Whether ``link`` leads to an upload object (not yet a stored blob) of a file that could hold pickles: every
    file but those of a format that cannot (``cannot_hold_pickles``), since archives are known by their bytes too."""
    return link.url is not None and not link.stored and not cannot_hold_pickles(link.path)
