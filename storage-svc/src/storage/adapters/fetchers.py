"""``Fetcher`` port: lists and streams upstream files through the real Hugging Face and GitHub APIs.

Hugging Face: the file list at a pinned commit comes from ``huggingface_hub`` (``list_repo_tree``, run in a
worker thread) at ``HF_ENDPOINT``; bytes stream from ``/resolve/<commit>/<path>``. GitHub: the repository
archive (``/repos/{owner}/{repo}/tarball/{ref}``) at ``GITHUB_API_URL``. Kaggle needs credentials this
deployment does not hold, which the package states instead of failing silently.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cached_property
from typing import TYPE_CHECKING

import aiohttp
import structlog
from huggingface_hub.errors import GatedRepoError, HfHubHTTPError, RepositoryNotFoundError

from contracts.artifacts import ArtifactType
from contracts.storage import Part, SourceKind, SourceRef
from storage.domain.files import PlannedFile, part_of
from storage.ports import NeedsCredentials, SourceMissing, SourcePlan, SourceUnavailable
from svckit.upstream import (
    TRANSIENT,
    Upstream,
    UpstreamTransient,
    check_transient,
    hub_status,
    retrying,
    transient_hub_error,
)
from svckit.upstream_paths import BadUpstreamUrl, api_path, safe_segment

if TYPE_CHECKING:
    from huggingface_hub import HfApi
    from huggingface_hub.hf_api import RepoFile

CHUNK = 1 << 20

log = structlog.get_logger()


class UpstreamFetcher:
    """Plans and streams Hugging Face repositories and GitHub archives."""

    def __init__(self, session: aiohttp.ClientSession, upstream: Upstream) -> None:
        self._session = session
        self._upstream = upstream

    @cached_property
    def _hf(self) -> "HfApi":
        """The Hub client, created at the first Hub look-up (``Upstream.hf_api``)."""
        return self._upstream.hf_api()

    async def plan(self, source: SourceRef, artifact_type: ArtifactType) -> SourcePlan:
        """The files of ``source`` at a pinned revision."""
        if source.kind is SourceKind.KAGGLE:
            raise NeedsCredentials(
                "Kaggle datasets are recorded with their metadata only: this deployment holds no Kaggle "
                "credentials to fetch the files"
            )
        try:
            if source.kind is SourceKind.GITHUB:
                return await retrying(lambda: self._plan_github(source, artifact_type), f"listing {source.repo_id}")
            return await retrying(
                lambda: asyncio.to_thread(self._plan_hf, source, artifact_type), f"listing {source.repo_id}"
            )
        except TRANSIENT as error:
            raise SourceUnavailable(f"the upstream of {source.repo_id} cannot be reached: {error}") from error

    @asynccontextmanager
    async def open(self, source: SourceRef, revision: str | None, path: str) -> AsyncIterator[AsyncIterator[bytes]]:
        """Stream one planned file in chunks (constant memory)."""
        if source.kind is SourceKind.GITHUB:
            url, headers = (
                self._upstream.github + api_path("repos", source.repo_id, "tarball", *([revision] if revision else [])),
                self._upstream.github_headers(),
            )
        else:
            repo_type = "dataset" if source.kind is SourceKind.HF_DATASET else "model"
            url = self._upstream.hf_file_url(source.repo_id, path, repo_type=repo_type, revision=revision)
            headers = self._upstream.hf_headers()
        timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=self._upstream.timeout, sock_read=self._upstream.timeout * 4
        )
        try:
            async with self._session.get(url, headers=headers, timeout=timeout) as response:
                _raise_for_status(response, path)
                yield response.content.iter_chunked(CHUNK)
        except aiohttp.ClientError as error:
            raise SourceUnavailable(f"could not download {path}: {error}") from error

    def _plan_hf(self, source: SourceRef, artifact_type: ArtifactType) -> SourcePlan:
        from huggingface_hub.hf_api import RepoFile

        repo_type = "dataset" if source.kind is SourceKind.HF_DATASET else "model"
        try:
            info = (self._hf.dataset_info if repo_type == "dataset" else self._hf.model_info)(
                source.repo_id, timeout=self._upstream.timeout
            )
            revision = info.sha or "main"
            entries = self._hf.list_repo_tree(source.repo_id, repo_type=repo_type, revision=revision, recursive=True)
            planned = [_planned(e, artifact_type) for e in entries if isinstance(e, RepoFile) and _safe_path(e.path)]
        except GatedRepoError as error:
            raise NeedsCredentials(f"{source.repo_id} is gated on Hugging Face: set HF_TOKEN with access") from error
        except RepositoryNotFoundError as error:
            raise SourceMissing(f"Hugging Face has no {repo_type} {source.repo_id}") from error
        except HfHubHTTPError as error:
            if transient_hub_error(error):
                raise UpstreamTransient(f"Hugging Face answered {hub_status(error)}") from error
            raise SourceUnavailable(f"Hugging Face listing failed for {source.repo_id}: {error}") from error
        return SourcePlan(revision=revision, files=sorted(planned, key=lambda f: f.path))

    async def _plan_github(self, source: SourceRef, artifact_type: ArtifactType) -> SourcePlan:
        url = f"{self._upstream.github}/repos/{source.repo_id}"
        async with self._session.get(
            url,
            headers=self._upstream.github_headers(),
            timeout=aiohttp.ClientTimeout(total=self._upstream.timeout),
        ) as response:
            check_transient(response.status, "GitHub")
            _raise_for_status(response, source.repo_id)
            repo = await response.json()
        branch = str(repo.get("default_branch") or "main")
        archive = f"{source.repo_id.replace('/', '-')}-{branch}.tar.gz"
        part = Part.DATASETS if artifact_type is ArtifactType.DATASET else Part.CODE
        # GitHub publishes no archive size; the repository's ``size`` (KiB) stands for it until the archive is stored.
        estimate = int(repo["size"]) * 1024 if isinstance(repo.get("size"), int) else None
        return SourcePlan(revision=branch, files=[PlannedFile(path=archive, part=part, size=None, estimate=estimate)])


def _safe_path(path: str) -> bool:
    """Whether every segment of an upstream file path is a plain name (no ``..``: it becomes a tar member name)."""
    try:
        for segment in path.split("/"):
            safe_segment(segment)
    except BadUpstreamUrl:
        log.warning("upstream_path_refused", path=path)
        return False
    return True


def _planned(entry: "RepoFile", artifact_type: ArtifactType) -> PlannedFile:
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
