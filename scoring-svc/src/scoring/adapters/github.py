"""``CodeHost`` port on GitHub's REST API at ``GITHUB_API_URL`` (aiohttp), with retries on transient failures.

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

import aiohttp

from scoring.adapters._retry import Transient, retrying
from scoring.domain.reviewedness import PullRequest
from scoring.ports import ArchiveMissing, SourceUnavailable
from svckit.upstream import Upstream
from svckit.upstream_paths import api_path

REVIEW_STATES = frozenset({"APPROVED", "CHANGES_REQUESTED", "COMMENTED"})


class NotFound(Exception):
    """GitHub answered 404."""


class GitHubCodeHost:
    """Reads repositories through GitHub's REST API."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        upstream: Upstream,
        max_pulls: int = 30,
        max_archive_bytes: int = 256 << 20,
        parallel: int = 8,
    ) -> None:
        self._session = session
        self._upstream = upstream
        self._max_pulls = max_pulls
        self._max_archive_bytes = max_archive_bytes
        self._parallel = asyncio.Semaphore(parallel)
        self._timeout = aiohttp.ClientTimeout(total=upstream.timeout)

    async def repository(self, repo_id: str) -> str | None:
        """The repository's full name, or None when GitHub has no such repository."""
        try:
            repo = await self._json(api_path("repos", repo_id))
        except NotFound:
            return None
        return str(repo.get("full_name") or repo_id)

    async def contributions(self, repo_id: str) -> list[int]:
        """Commit counts of the repository's contributors (anonymous ones included)."""
        people = await self._json(api_path("repos", repo_id, "contributors"), {"per_page": "100", "anon": "1"})
        return [int(person.get("contributions") or 0) for person in people or []]

    async def merged_pulls(self, repo_id: str) -> list[PullRequest]:
        """The most recent merged pull requests with their lines added and whether they were reviewed."""
        params = {"state": "closed", "sort": "updated", "direction": "desc", "per_page": "100"}
        closed = await self._json(api_path("repos", repo_id, "pulls"), params)
        merged = [pr for pr in closed or [] if pr.get("merged_at")][: self._max_pulls]
        return list(await asyncio.gather(*(self._pull(repo_id, pr) for pr in merged)))

    @asynccontextmanager
    async def archive(self, repo_id: str) -> AsyncIterator[Path]:
        """The default branch's tarball in a temporary file, removed on exit."""
        with tempfile.TemporaryDirectory(prefix="scoring-archive-") as folder:
            path = Path(folder) / "archive.tar.gz"
            try:
                await retrying(
                    lambda: self._download(api_path("repos", repo_id, "tarball"), path), f"GitHub tarball of {repo_id}"
                )
            except NotFound as error:
                raise ArchiveMissing(f"GitHub has no tarball of {repo_id} (an empty repository?)") from error
            yield path

    async def _pull(self, repo_id: str, summary: dict[str, Any]) -> PullRequest:
        number = summary["number"]
        try:
            async with self._parallel:
                detail, reviews = await asyncio.gather(
                    self._json(api_path("repos", repo_id, "pulls", str(number))),
                    self._json(api_path("repos", repo_id, "pulls", str(number), "reviews"), {"per_page": "100"}),
                )
        except NotFound:  # gone between the list and the detail: it no longer counts
            return PullRequest(lines_added=0, had_review=False)
        author = (summary.get("user") or {}).get("login")
        reviewed = any(
            review.get("state") in REVIEW_STATES and (review.get("user") or {}).get("login") != author
            for review in reviews or []
        )
        return PullRequest(lines_added=int(detail.get("additions") or 0), had_review=reviewed)

    async def _json(self, path: str, params: dict[str, str] | None = None) -> Any:
        return await retrying(lambda: self._get_json(path, params), f"GitHub {path}")

    async def _get_json(self, path: str, params: dict[str, str] | None) -> Any:
        url = f"{self._upstream.github}{path}"
        try:
            async with self._session.get(
                url, params=params, headers=self._upstream.github_headers(), timeout=self._timeout
            ) as response:
                _check(response, path)
                if response.status == 204:  # GitHub's answer for the contributors of an empty repository
                    return []
                return await response.json()
        except (aiohttp.ClientError, TimeoutError) as error:
            raise Transient(f"GitHub is unreachable: {error}") from error

    async def _download(self, path: str, target: Path) -> None:
        url = f"{self._upstream.github}{path}"
        timeout = aiohttp.ClientTimeout(total=None, sock_read=self._upstream.timeout, connect=self._upstream.timeout)
        size = 0
        try:
            async with self._session.get(url, headers=self._upstream.github_headers(), timeout=timeout) as response:
                _check(response, path)
                with target.open("wb") as sink:
                    async for chunk in response.content.iter_chunked(256 << 10):
                        size += len(chunk)
                        if size > self._max_archive_bytes:
                            raise SourceUnavailable(f"GitHub archive {path} exceeds {self._max_archive_bytes} bytes")
                        sink.write(chunk)
        except (aiohttp.ClientError, TimeoutError) as error:
            raise Transient(f"GitHub is unreachable: {error}") from error


def _check(response: aiohttp.ClientResponse, path: str) -> None:
    if response.status == 404:
        raise NotFound(path)
    limited = response.headers.get("X-RateLimit-Remaining") == "0"
    if response.status >= 500 or response.status == 429 or (response.status == 403 and limited):
        raise Transient(f"GitHub answered {response.status} for {path}")
    if response.status not in (200, 204):
        raise SourceUnavailable(f"GitHub answered {response.status} for {path}")
