"""``Fetcher`` port on the shared upstream client (``svckit.upstream_client``): lists and streams upstream files.

Hugging Face: the file list at a pinned commit (the listing at the commit the model's info names); bytes stream from
``/resolve/<commit>/<path>``. GitHub: the repository archive (``/repos/{owner}/{repo}/tarball/{ref}``). Kaggle needs
credentials this deployment does not hold, which the package states instead of failing silently.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from contracts.artifacts import ArtifactType
from contracts.storage import Part, SourceKind, SourceRef
from storage.domain.files import PlannedFile, part_of
from storage.ports import NeedsCredentials, SourceMissing, SourcePlan, SourceUnavailable
from svckit.upstream import UpstreamDenied, UpstreamDown, UpstreamError, UpstreamMissing, UpstreamTransient
from svckit.upstream_client import HubKind, UpstreamClient

if TYPE_CHECKING:
    from huggingface_hub.hf_api import RepoFile


class UpstreamFetcher:
    """Plans and streams Hugging Face repositories and GitHub archives."""

    def __init__(self, client: UpstreamClient) -> None:
        self._client = client

    async def plan(self, source: SourceRef, artifact_type: ArtifactType) -> SourcePlan:
        """The files of ``source`` at a pinned revision."""
        if source.kind is SourceKind.KAGGLE:
            raise NeedsCredentials(
                "Kaggle datasets are recorded with their metadata only: this deployment holds no Kaggle "
                "credentials to fetch the files"
            )
        try:
            if source.kind is SourceKind.GITHUB:
                return await self._plan_github(source, artifact_type)
            return await self._plan_hf(source, artifact_type)
        except UpstreamError as error:
            raise _failure(error, source.repo_id) from error

    @asynccontextmanager
    async def open(self, source: SourceRef, revision: str | None, path: str) -> AsyncIterator[AsyncIterator[bytes]]:
        """Stream one planned file in chunks (constant memory)."""
        if source.kind is SourceKind.GITHUB:
            stream = self._client.github_stream("repos", source.repo_id, "tarball", *([revision] if revision else []))
        else:
            stream = self._client.hub_stream(source.repo_id, path, kind=_hub_kind(source), revision=revision)
        try:
            async with stream as chunks:
                yield chunks
        except UpstreamError as error:
            raise _failure(error, path) from error
        except UpstreamTransient as error:
            raise SourceUnavailable(f"could not download {path}: {error}") from error

    async def _plan_hf(self, source: SourceRef, artifact_type: ArtifactType) -> SourcePlan:
        kind = _hub_kind(source)
        info = await self._client.hub_info(kind, source.repo_id)
        revision = info.sha or "main"
        entries = await self._client.hub_files(kind, source.repo_id, revision)
        planned = sorted((_planned(entry, artifact_type) for entry in entries), key=lambda f: f.path)
        return SourcePlan(revision=revision, files=planned)

    async def _plan_github(self, source: SourceRef, artifact_type: ArtifactType) -> SourcePlan:
        repo = await self._client.github_json("repos", source.repo_id)
        branch = str(repo.get("default_branch") or "main")
        archive = f"{source.repo_id.replace('/', '-')}-{branch}.tar.gz"
        part = Part.DATASETS if artifact_type is ArtifactType.DATASET else Part.CODE
        # GitHub publishes no archive size; the repository's ``size`` (KiB) stands for it until the archive is stored.
        estimate = int(repo["size"]) * 1024 if isinstance(repo.get("size"), int) else None
        return SourcePlan(revision=branch, files=[PlannedFile(path=archive, part=part, size=None, estimate=estimate)])


def _hub_kind(source: SourceRef) -> HubKind:
    return "dataset" if source.kind is SourceKind.HF_DATASET else "model"


def _planned(entry: "RepoFile", artifact_type: ArtifactType) -> PlannedFile:
    lfs = entry.lfs
    return PlannedFile(
        path=entry.path,
        part=part_of(entry.path, artifact_type),
        size=entry.size,
        upstream_sha256=lfs.sha256 if lfs else None,
        git_oid=None if lfs else entry.blob_id,
    )


def _failure(error: UpstreamError, what: str) -> Exception:
    """The port's error for the client's: gated or refused needs credentials, missing is missing, else unavailable."""
    if isinstance(error, UpstreamDenied) and error.gated:
        return NeedsCredentials(f"{what} is gated upstream: set HF_TOKEN with access")
    if isinstance(error, UpstreamDenied):
        return NeedsCredentials(f"upstream refused {what} ({error.status}): credentials needed")
    if isinstance(error, UpstreamMissing):
        return SourceMissing(f"upstream has no {what}")
    if isinstance(error, UpstreamDown):
        return SourceUnavailable(f"the upstream of {what} cannot be reached: {error}")
    return SourceUnavailable(f"upstream answered {error.status} for {what}")
