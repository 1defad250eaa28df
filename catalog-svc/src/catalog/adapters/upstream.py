"""``Upstream`` port: looks sources up through the real Hugging Face and GitHub APIs.

Hugging Face goes through ``huggingface_hub`` (which is synchronous, so it runs in a worker thread) at
``HF_ENDPOINT``; GitHub through aiohttp at ``GITHUB_API_URL``. Transient failures are retried; a missing
source raises ``UpstreamNotFound``, an unreachable service ``UpstreamUnavailable``.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import aiohttp
import structlog
from huggingface_hub import HfApi, hf_hub_url
from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError

from catalog.domain.sources import Source
from catalog.ports import UpstreamDescription, UpstreamNotFound, UpstreamUnavailable
from contracts.artifacts import ArtifactType
from contracts.storage import SourceKind
from svckit.http import read_capped

T = TypeVar("T")
RETRIES = 2
MAX_README_BYTES = 1 << 20

log = structlog.get_logger()


class Transient(Exception):
    """A failure worth retrying (connection error, 5xx, 429)."""


class HttpUpstream:
    """Hugging Face and GitHub look-ups with timeouts and retries."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        hf_endpoint: str,
        github_api_url: str,
        hf_token: str | None = None,
        github_token: str | None = None,
        timeout: float = 15.0,
    ) -> None:
        self._session = session
        self._hf_endpoint = hf_endpoint.rstrip("/")
        self._github = github_api_url.rstrip("/")
        self._hf_token = hf_token
        self._github_token = github_token
        self._timeout = timeout
        self._hf = HfApi(endpoint=self._hf_endpoint, token=hf_token or False)

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
            info = await asyncio.to_thread(fetch, source.repo_id, timeout=self._timeout)
        except RepositoryNotFoundError as error:
            raise UpstreamNotFound(f"Hugging Face has no {repo_type} named {source.repo_id!r}") from error
        except HfHubHTTPError as error:
            status = error.response.status_code if error.response is not None else 0
            if status >= 500 or status == 429:
                raise Transient(f"Hugging Face answered {status}") from error
            raise UpstreamUnavailable(f"Hugging Face answered {status} for {source.repo_id!r}") from error
        except OSError as error:
            raise Transient(f"Hugging Face is unreachable: {error}") from error
        except Exception as error:
            if _is_network_error(error):
                raise Transient(f"Hugging Face is unreachable: {error}") from error
            raise
        url = hf_hub_url(source.repo_id, "README.md", repo_type=repo_type, endpoint=self._hf_endpoint)
        headers = {"Authorization": f"Bearer {self._hf_token}"} if self._hf_token else {}
        readme = await self._get_text(url, headers)
        return UpstreamDescription(readme=readme, revision=getattr(info, "sha", None))

    async def _describe_github(self, source: Source) -> UpstreamDescription:
        headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
        if self._github_token:
            headers["Authorization"] = f"Bearer {self._github_token}"
        url = f"{self._github}/repos/{source.repo_id}"
        async with self._session.get(url, headers=headers, timeout=self._client_timeout()) as response:
            if response.status == 404:
                raise UpstreamNotFound(f"GitHub has no repository {source.repo_id!r}")
            _raise_for_transient(response, "GitHub")
            if response.status != 200:
                raise UpstreamUnavailable(f"GitHub answered {response.status} for {source.repo_id!r}")
            repo = await response.json()
        raw = {**headers, "Accept": "application/vnd.github.raw"}
        readme = ""
        if source.subpath:
            readme = await self._get_text(f"{url}/readme/{source.subpath}", raw)
        if not readme:
            readme = await self._get_text(f"{url}/readme", raw)
        return UpstreamDescription(readme=readme, revision=str(repo.get("default_branch") or "") or None)

    async def _get_text(self, url: str, headers: dict[str, str]) -> str:
        """The body of ``url`` as text, or "" when the file does not exist or is not readable."""
        async with self._session.get(url, headers=headers, timeout=self._client_timeout()) as response:
            _raise_for_transient(response, "upstream")
            if response.status != 200:
                return ""
            body = await read_capped(response, MAX_README_BYTES)
        return body.decode("utf-8", "replace")

    def _client_timeout(self) -> aiohttp.ClientTimeout:
        return aiohttp.ClientTimeout(total=self._timeout)


def _raise_for_transient(response: aiohttp.ClientResponse, who: str) -> None:
    if response.status >= 500 or response.status == 429:
        raise Transient(f"{who} answered {response.status}")


def _is_network_error(error: Exception) -> bool:
    name = type(error).__name__
    return any(word in name for word in ("Connect", "Timeout", "Network", "Transport"))


async def _retrying(attempt: Callable[[], Awaitable[T]], source: Source) -> T:
    delay = 0.2
    for number in range(RETRIES + 1):
        try:
            return await attempt()
        except (Transient, aiohttp.ClientError, TimeoutError) as error:
            if number == RETRIES:
                raise UpstreamUnavailable(f"could not reach the source of {source.repo_id!r}: {error}") from error
            log.warning("upstream_retry", repo=source.repo_id, attempt=number + 1, error=str(error))
            await asyncio.sleep(delay)
            delay *= 3
    raise AssertionError("unreachable")
