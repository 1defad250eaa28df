"""``CodeHost`` port on GitHub's REST API at ``GITHUB_API_URL``, through the shared upstream client
(``svckit.upstream_client``: its retries, and its status mapping, in which a rate-limited 403 is transient).

What it reads: the repository (exists or not), contributors' commit counts (first page of 100, GitHub's order),
the most recent merged pull requests (up to ``max_pulls``; each one's ``additions`` from the single-PR endpoint and
whether someone other than its author reviewed it), and the default branch's tarball, streamed to a temporary file
with a size cap. A rate-limited answer (403/429 with ``X-RateLimit-Remaining: 0``) counts as transient.
"""

import asyncio
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from scoring.domain.reviewedness import PullRequest
from scoring.ports import ArchiveMissing, SourceUnavailable
from svckit.upstream import UpstreamError, UpstreamMissing
from svckit.upstream_client import UpstreamClient

REVIEW_STATES = frozenset({"APPROVED", "CHANGES_REQUESTED", "COMMENTED"})


class GitHubCodeHost:
    """Reads repositories through GitHub's REST API."""

    def __init__(
        self, client: UpstreamClient, max_pulls: int = 30, max_archive_bytes: int = 256 << 20, parallel: int = 8
    ) -> None:
        self._client = client
        self._max_pulls = max_pulls
        self._max_archive_bytes = max_archive_bytes
        self._parallel = asyncio.Semaphore(parallel)

    async def repository(self, repo_id: str) -> str | None:
        """The repository's full name, or None when GitHub has no such repository."""
        try:
            repo = await self._json("repos", repo_id)
        except UpstreamMissing:
            return None
        return str(repo.get("full_name") or repo_id)

    async def contributions(self, repo_id: str) -> list[int]:
        """Commit counts of the repository's contributors (anonymous ones included)."""
        people = await self._json("repos", repo_id, "contributors", params={"per_page": "100", "anon": "1"})
        return [int(person.get("contributions") or 0) for person in people or []]

    async def merged_pulls(self, repo_id: str) -> list[PullRequest]:
        """The most recent merged pull requests with their lines added and whether they were reviewed."""
        params = {"state": "closed", "sort": "updated", "direction": "desc", "per_page": "100"}
        closed = await self._json("repos", repo_id, "pulls", params=params)
        merged = [pr for pr in closed or [] if pr.get("merged_at")][: self._max_pulls]
        return list(await asyncio.gather(*(self._pull(repo_id, pr) for pr in merged)))

    @asynccontextmanager
    async def archive(self, repo_id: str) -> AsyncIterator[Path]:
        """The default branch's tarball in a temporary file, removed on exit."""
        with tempfile.TemporaryDirectory(prefix="scoring-archive-") as folder:
            path = Path(folder) / "archive.tar.gz"
            try:
                await self._client.retried(lambda: self._download(repo_id, path), f"GitHub tarball of {repo_id}")
            except UpstreamMissing as error:
                raise ArchiveMissing(f"GitHub has no tarball of {repo_id} (an empty repository?)") from error
            except UpstreamError as error:
                raise SourceUnavailable(str(error)) from error
            yield path

    async def _pull(self, repo_id: str, summary: dict[str, Any]) -> PullRequest:
        number = summary["number"]
        try:
            async with self._parallel:
                detail, reviews = await asyncio.gather(
                    self._json("repos", repo_id, "pulls", str(number)),
                    self._json("repos", repo_id, "pulls", str(number), "reviews", params={"per_page": "100"}),
                )
        except UpstreamMissing:  # gone between the list and the detail: it no longer counts
            return PullRequest(lines_added=0, had_review=False)
        author = (summary.get("user") or {}).get("login")
        reviewed = any(
            review.get("state") in REVIEW_STATES and (review.get("user") or {}).get("login") != author
            for review in reviews or []
        )
        return PullRequest(lines_added=int(detail.get("additions") or 0), had_review=reviewed)

    async def _json(self, *segments: str, params: dict[str, str] | None = None) -> Any:
        """GitHub's JSON answer (None for a 204); ``UpstreamMissing`` for a 404, ``SourceUnavailable`` otherwise."""
        try:
            return await self._client.github_json(*segments, params=params)
        except UpstreamMissing:
            raise
        except UpstreamError as error:
            raise SourceUnavailable(str(error)) from error

    async def _download(self, repo_id: str, target: Path) -> None:
        size = 0
        async with self._client.github_stream("repos", repo_id, "tarball") as chunks:
            with target.open("wb") as sink:
                async for chunk in chunks:
                    size += len(chunk)
                    if size > self._max_archive_bytes:
                        raise SourceUnavailable(f"GitHub archive of {repo_id} exceeds {self._max_archive_bytes} bytes")
                    sink.write(chunk)
