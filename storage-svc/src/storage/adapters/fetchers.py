"""``Fetcher`` port: lists and streams upstream files through the real Hugging Face and GitHub APIs.

Hugging Face: the file list at a pinned commit comes from ``huggingface_hub`` (``list_repo_tree``, run in a
worker thread) at ``HF_ENDPOINT``; bytes stream from ``/resolve/<commit>/<path>``. GitHub: the repository
archive (``/repos/{owner}/{repo}/tarball/{ref}``) at ``GITHUB_API_URL``. Kaggle needs credentials this
deployment does not hold, which the package states instead of failing silently.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from huggingface_hub import HfApi, hf_hub_url
from huggingface_hub.errors import GatedRepoError, HfHubHTTPError, RepositoryNotFoundError
from huggingface_hub.hf_api import RepoFile

from contracts.artifacts import ArtifactType
from contracts.storage import Part, SourceKind, SourceRef
from storage.domain.files import PlannedFile, part_of
from storage.ports import NeedsCredentials, SourceMissing, SourcePlan, SourceUnavailable

CHUNK = 1 << 20


class UpstreamFetcher:
    """Plans and streams Hugging Face repositories and GitHub archives."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        hf_endpoint: str,
        github_api_url: str,
        hf_token: str | None,
        github_token: str | None,
        timeout: float,
    ) -> None:
        self._session = session
        self._hf_endpoint = hf_endpoint.rstrip("/")
        self._github = github_api_url.rstrip("/")
        self._hf_token = hf_token
        self._github_token = github_token
        self._timeout = timeout
        self._hf = HfApi(endpoint=self._hf_endpoint, token=hf_token or False)

    async def plan(self, source: SourceRef, artifact_type: ArtifactType) -> SourcePlan:
        """The files of ``source`` at a pinned revision."""
        if source.kind is SourceKind.KAGGLE:
            raise NeedsCredentials(
                "Kaggle datasets are recorded with their metadata only: this deployment holds no Kaggle "
                "credentials to fetch the files"
            )
        if source.kind is SourceKind.GITHUB:
            return await self._plan_github(source, artifact_type)
        return await asyncio.to_thread(self._plan_hf, source, artifact_type)

    @asynccontextmanager
    async def open(self, source: SourceRef, revision: str | None, path: str) -> AsyncIterator[AsyncIterator[bytes]]:
        """Stream one planned file in chunks (constant memory)."""
        if source.kind is SourceKind.GITHUB:
            url, headers = (
                f"{self._github}/repos/{source.repo_id}/tarball/{revision or ''}".rstrip("/"),
                self._gh_headers(),
            )
        else:
            repo_type = "dataset" if source.kind is SourceKind.HF_DATASET else "model"
            url = hf_hub_url(source.repo_id, path, repo_type=repo_type, revision=revision, endpoint=self._hf_endpoint)
            headers = {"Authorization": f"Bearer {self._hf_token}"} if self._hf_token else {}
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=self._timeout, sock_read=self._timeout * 4)
        try:
            async with self._session.get(url, headers=headers, timeout=timeout) as response:
                _raise_for_status(response, path)
                yield response.content.iter_chunked(CHUNK)
        except aiohttp.ClientError as error:
            raise SourceUnavailable(f"could not download {path}: {error}") from error

    def _plan_hf(self, source: SourceRef, artifact_type: ArtifactType) -> SourcePlan:
        repo_type = "dataset" if source.kind is SourceKind.HF_DATASET else "model"
        try:
            info = (self._hf.dataset_info if repo_type == "dataset" else self._hf.model_info)(
                source.repo_id, timeout=self._timeout
            )
            revision = info.sha or "main"
            entries = self._hf.list_repo_tree(source.repo_id, repo_type=repo_type, revision=revision, recursive=True)
            planned = [_planned(e, artifact_type) for e in entries if isinstance(e, RepoFile)]
        except GatedRepoError as error:
            raise NeedsCredentials(f"{source.repo_id} is gated on Hugging Face: set HF_TOKEN with access") from error
        except RepositoryNotFoundError as error:
            raise SourceMissing(f"Hugging Face has no {repo_type} {source.repo_id}") from error
        except (HfHubHTTPError, OSError) as error:
            raise SourceUnavailable(f"Hugging Face listing failed for {source.repo_id}: {error}") from error
        return SourcePlan(revision=revision, files=sorted(planned, key=lambda f: f.path))

    async def _plan_github(self, source: SourceRef, artifact_type: ArtifactType) -> SourcePlan:
        url = f"{self._github}/repos/{source.repo_id}"
        try:
            async with self._session.get(
                url, headers=self._gh_headers(), timeout=aiohttp.ClientTimeout(total=self._timeout)
            ) as response:
                _raise_for_status(response, source.repo_id)
                repo = await response.json()
        except aiohttp.ClientError as error:
            raise SourceUnavailable(f"GitHub is unreachable: {error}") from error
        branch = str(repo.get("default_branch") or "main")
        archive = f"{source.repo_id.replace('/', '-')}-{branch}.tar.gz"
        part = Part.DATASETS if artifact_type is ArtifactType.DATASET else Part.CODE
        return SourcePlan(revision=branch, files=[PlannedFile(path=archive, part=part, size=None)])

    def _gh_headers(self) -> dict[str, str]:
        headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
        if self._github_token:
            headers["Authorization"] = f"Bearer {self._github_token}"
        return headers


def _planned(entry: RepoFile, artifact_type: ArtifactType) -> PlannedFile:
    lfs = entry.lfs
    return PlannedFile(
        path=entry.path,
        part=part_of(entry.path, artifact_type),
        size=entry.size,
        upstream_sha256=lfs.sha256 if lfs else None,
        git_oid=None if lfs else entry.blob_id,
    )


def _raise_for_status(response: aiohttp.ClientResponse, what: str) -> None:
    if response.status == 200:
        return
    code = response.headers.get("X-Error-Code", "")
    if code == "GatedRepo":
        raise NeedsCredentials(f"{what} is gated upstream: set HF_TOKEN with access")
    if response.status in (401, 403):
        raise NeedsCredentials(f"upstream refused {what} ({response.status}): credentials needed")
    if response.status == 404:
        raise SourceMissing(f"upstream has no {what}")
    raise SourceUnavailable(f"upstream answered {response.status} for {what}")
