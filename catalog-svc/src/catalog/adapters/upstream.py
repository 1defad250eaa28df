"""``Upstream`` port: looks sources up through the real Hugging Face and GitHub APIs.

Hugging Face goes through ``huggingface_hub`` (which is synchronous, so it runs in a worker thread) at
``HF_ENDPOINT``; GitHub through aiohttp at ``GITHUB_API_URL``. Transient failures are retried; a missing
source raises ``UpstreamNotFound``, an unreachable service ``UpstreamUnavailable``.
"""

import asyncio
from collections.abc import Awaitable, Callable
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar

import aiohttp
import structlog
from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError

from catalog.domain.sources import Source
from catalog.ports import UpstreamDescription, UpstreamNotFound, UpstreamUnavailable
from contracts.artifacts import ArtifactType
from contracts.storage import SourceKind
from svckit.http import read_capped
from svckit.upstream import (
    HUB_UNREACHABLE,
    TRANSIENT,
    Upstream,
    UpstreamTransient,
    check_transient,
    hub_status,
    is_transient,
    retrying,
)
from svckit.upstream_paths import api_path

if TYPE_CHECKING:
    from huggingface_hub import HfApi

T = TypeVar("T")
MAX_README_BYTES = 1 << 20

log = structlog.get_logger()


class HttpUpstream:
    """Hugging Face and GitHub look-ups with timeouts and retries."""

    def __init__(self, session: aiohttp.ClientSession, upstream: Upstream) -> None:
        self._session = session
        self._upstream = upstream

    @cached_property
    def _hf(self) -> "HfApi":
        """The Hub client, created at the first Hub look-up (``Upstream.hf_api``)."""
        return self._upstream.hf_api()

    async def describe(self, source: Source, artifact_type: ArtifactType) -> UpstreamDescription:
        """Confirm the source exists upstream and fetch its README/card text."""
        if source.kind is SourceKind.KAGGLE:
            return UpstreamDescription(readme="", verified=False)
        if source.kind is SourceKind.GITHUB:
            return await _retrying(lambda: self._describe_github(source), source)
        return await _retrying(lambda: self._describe_hf(source), source)

    async def _describe_hf(self, source: Source) -> UpstreamDescription:
        repo_type = "dataset" if source.kind is SourceKind.HF_DATASET else "model"
        fetch = self._hf.dataset_info if repo_type == "dataset" else self._hf.model_info
        try:
            info = await asyncio.to_thread(fetch, source.repo_id, timeout=self._upstream.timeout)
        except RepositoryNotFoundError as error:
            raise UpstreamNotFound(f"Hugging Face has no {repo_type} named {source.repo_id!r}") from error
        except HfHubHTTPError as error:
            status = hub_status(error)
            if is_transient(status):
                raise UpstreamTransient(f"Hugging Face answered {status}") from error
            raise UpstreamUnavailable(f"Hugging Face answered {status} for {source.repo_id!r}") from error
        except HUB_UNREACHABLE as error:
            raise UpstreamTransient(f"Hugging Face is unreachable: {error}") from error
        url = self._upstream.hf_file_url(source.repo_id, "README.md", repo_type=repo_type)
        readme = await self._get_text(url, self._upstream.hf_headers())
        return UpstreamDescription(readme=readme, revision=getattr(info, "sha", None))

    async def _describe_github(self, source: Source) -> UpstreamDescription:
        headers = self._upstream.github_headers()
        url = self._upstream.github + api_path("repos", source.repo_id)
        async with self._session.get(url, headers=headers, timeout=self._client_timeout()) as response:
            if response.status == 404:
                raise UpstreamNotFound(f"GitHub has no repository {source.repo_id!r}")
            check_transient(response.status, "GitHub")
            if response.status != 200:
                raise UpstreamUnavailable(f"GitHub answered {response.status} for {source.repo_id!r}")
            repo = await response.json()
        raw = self._upstream.github_headers(accept="application/vnd.github.raw")
        readme = ""
        if source.subpath:
            readme = await self._get_text(url + api_path("readme", *source.subpath.split("/")), raw)
        if not readme:
            readme = await self._get_text(f"{url}/readme", raw)
        return UpstreamDescription(readme=readme, revision=str(repo.get("default_branch") or "") or None)

    async def _get_text(self, url: str, headers: dict[str, str]) -> str:
        """The body of ``url`` as text, or "" when the file does not exist or is not readable."""
        async with self._session.get(url, headers=headers, timeout=self._client_timeout()) as response:
            check_transient(response.status, "upstream")
            if response.status != 200:
                return ""
            body = await read_capped(response, MAX_README_BYTES)
        return body.decode("utf-8", "replace")

    def _client_timeout(self) -> aiohttp.ClientTimeout:
        return aiohttp.ClientTimeout(total=self._upstream.timeout)


async def _retrying(attempt: Callable[[], Awaitable[T]], source: Source) -> T:
    """``attempt`` under the one upstream retry policy; ``UpstreamUnavailable`` once it gives up."""
    try:
        return await retrying(attempt, f"source {source.repo_id}")
    except TRANSIENT as error:
        raise UpstreamUnavailable(f"could not reach the source of {source.repo_id!r}: {error}") from error
