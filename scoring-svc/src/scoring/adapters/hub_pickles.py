"""``PickleScanner`` port on the Hub: each pickle-based file of a model read at the commit ``model_info`` named, through
HTTP byte ranges on ``HF_ENDPOINT``'s resolve URLs (the endpoint and revision storage-svc copies from), and scanned
statically in a worker thread (``scoring.adapters.pickle_scan``).

Only what the loaders unpickle is fetched (``range_file``): for a zip checkpoint its central directory and its
``.pkl`` members, for a legacy pickle the blocks up to its STOP opcode, at most ``max_bytes`` per file. The first
range follows the resolve URL's redirect (to the CDN, for LFS files); later ranges go straight to where it led, and
the Hub token is sent only to the Hub's own host. The deadline and the reading are ``remote_scan``'s.
"""

from concurrent.futures import Executor
from typing import IO

import aiohttp
import structlog
from yarl import URL

from contracts.scoring import PickleFileScan
from scoring.adapters.pickle_scan import FileRead, scan_file
from scoring.adapters.remote_scan import PickleScanLimits, RangeScanner, RemoteFile, scanned, unscanned
from scoring.domain.pickle_safety import is_pickle_based
from scoring.ports import HubModel
from svckit.upstream import Upstream

__all__ = ["HubPickleScanner", "PickleScanLimits"]


def _whole_file(stream: IO[bytes], path: str, max_bytes: int) -> list[tuple[str, FileRead]]:
    return [("", scan_file(stream, max_bytes))]


class HubPickleScanner:
    """Scans a Hub model's pickle-based files (``executor`` runs the parsing; its size is the parallelism)."""

    def __init__(
        self, session: aiohttp.ClientSession, upstream: Upstream, limits: PickleScanLimits, executor: Executor
    ) -> None:
        self._upstream = upstream
        self._ranges = RangeScanner(session, limits, executor, upstream.timeout)

    def close(self) -> None:
        """Stop every scan under way (at its next range): the service is stopping."""
        self._ranges.close()

    async def scan(self, model: HubModel) -> list[PickleFileScan]:
        """Every pickle-based file's verdict, within the deadline."""
        files = [(path, size) for path, size in model.files if is_pickle_based(path)]
        if not files:
            return []
        if model.commit is None:
            return [unscanned(path, size, "the Hub named no commit to read it at") for path, size in files]
        remote = [
            RemoteFile(path, size, self._upstream.hf_file_url(model.repo_id, path, revision=model.commit),
                       headers=self._headers, source="the Hub")
            for path, size in files
        ]  # fmt: skip
        outcomes = await self._ranges.scan(remote, _whole_file)
        scans = [
            unscanned(path, size, self._ranges.late()) if outcome.late
            else scanned(path, size, outcome.parts[0][1], outcome.fetched)
            for (path, size), outcome in zip(files, outcomes, strict=True)
        ]  # fmt: skip
        structlog.get_logger().info(
            "pickles_scanned", repo_id=model.repo_id, files=len(scans), verdicts=[s.verdict.value for s in scans]
        )
        return scans

    def _headers(self, url: URL) -> dict[str, str]:
        """The Hub token, to the Hub's own host only (never to the CDN it redirects to)."""
        return self._upstream.hf_headers() if url.origin() == URL(self._upstream.hf).origin() else {}
