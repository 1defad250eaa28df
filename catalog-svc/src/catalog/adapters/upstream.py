"""``Upstream`` port on the shared upstream client (``svckit.upstream_client``): a source exists, and its README.

A missing source raises ``UpstreamNotFound``; one that cannot be read (unreachable, 5xx after retries, refused)
``UpstreamUnavailable``. A README that is missing or not served is "".
"""

from collections.abc import Awaitable

from catalog.domain.sources import Source
from catalog.ports import UpstreamDescription, UpstreamNotFound, UpstreamUnavailable
from contracts.artifacts import ArtifactType
from contracts.storage import SourceKind
from svckit.upstream import UpstreamError, UpstreamMissing, UpstreamRejected
from svckit.upstream_client import HubKind, UpstreamClient


class HttpUpstream:
    """Looks sources up on Hugging Face and GitHub."""

    def __init__(self, client: UpstreamClient) -> None:
        self._client = client

    async def describe(self, source: Source, artifact_type: ArtifactType) -> UpstreamDescription:
        """Confirm the source exists upstream and fetch its README/card text."""
        if source.kind is SourceKind.KAGGLE:
            return UpstreamDescription(readme="", verified=False)
        github = source.kind is SourceKind.GITHUB
        try:
            return await (self._describe_github(source) if github else self._describe_hf(source))
        except UpstreamMissing as error:
            raise UpstreamNotFound(_missing(source)) from error
        except UpstreamError as error:
            raise UpstreamUnavailable(f"could not read the source of {source.repo_id!r}: {error}") from error

    async def _describe_hf(self, source: Source) -> UpstreamDescription:
        kind = _hub_kind(source)
        info = await self._client.hub_info(kind, source.repo_id)
        readme = await _or_empty(self._client.hub_text(source.repo_id, "README.md", kind=kind))
        return UpstreamDescription(readme=readme, revision=getattr(info, "sha", None))

    async def _describe_github(self, source: Source) -> UpstreamDescription:
        repo = await self._client.github_json("repos", source.repo_id)
        readme = ""
        if source.subpath:
            readme = await _or_empty(self._client.github_text("repos", source.repo_id, "readme", source.subpath))
        if not readme:
            readme = await _or_empty(self._client.github_text("repos", source.repo_id, "readme"))
        return UpstreamDescription(readme=readme, revision=str(repo.get("default_branch") or "") or None)


def _missing(source: Source) -> str:
    if source.kind is SourceKind.GITHUB:
        return f"GitHub has no repository {source.repo_id!r}"
    return f"Hugging Face has no {_hub_kind(source)} named {source.repo_id!r}"


def _hub_kind(source: Source) -> HubKind:
    return "dataset" if source.kind is SourceKind.HF_DATASET else "model"


async def _or_empty(text: Awaitable[str | None]) -> str:
    """A README's text; "" when there is none, or upstream answers for it with anything but the file."""
    try:
        return await text or ""
    except UpstreamRejected:
        return ""
