"""``ModelHub`` port on the shared upstream client (``svckit.upstream_client``): repository metadata and cards from
Hugging Face at ``HF_ENDPOINT``."""

from typing import Any

from scoring.domain.dataset_quality import DatasetCard
from scoring.ports import HubModel, HubSecurity, PublishedHash, SourceUnavailable
from svckit.upstream import UpstreamError, UpstreamMissing
from svckit.upstream_client import HubKind, UpstreamClient


class HfHub:
    """Model metadata, cards and dataset cards from the Hub (``SourceUnavailable`` when it cannot answer)."""

    def __init__(self, client: UpstreamClient) -> None:
        self._client = client

    async def model(self, repo_id: str, revision: str | None) -> HubModel:
        """Card metadata, files with sizes and digests, the commit (``SourceUnavailable`` when the Hub cannot answer)."""
        try:
            info = await self._client.model_info(repo_id, revision, details=True)
        except UpstreamMissing as error:
            raise SourceUnavailable(f"Hugging Face has no model {repo_id!r}") from error
        except UpstreamError as error:
            raise SourceUnavailable(str(error)) from error
        card = info.card_data.to_dict() if info.card_data is not None else {}  # type: ignore[no-untyped-call]
        siblings = info.siblings or []
        files = [(sibling.rfilename, sibling.size) for sibling in siblings]
        hashes = {sibling.rfilename: digest for sibling in siblings if (digest := _published(sibling)) is not None}
        commit = str(info.sha) if info.sha else None
        repo = str(info.id or repo_id)
        security = _security(info.security_repo_status)
        return HubModel(repo_id=repo, card_data=card, files=files, commit=commit, hashes=hashes, security=security)

    async def card(self, repo_id: str, revision: str | None) -> str:
        """The model card's markdown ("" when the repository has no README)."""
        return await self._readme(repo_id, "model", revision)

    async def dataset(self, repo_id: str) -> DatasetCard | None:
        """The dataset's card (None when the Hub has no such dataset)."""
        try:
            info = await self._client.dataset_info(repo_id)
        except UpstreamMissing:
            return None
        except UpstreamError as error:
            raise SourceUnavailable(str(error)) from error
        card = info.card_data.to_dict() if info.card_data is not None else {}  # type: ignore[no-untyped-call]
        text = await self._readme(str(info.id or repo_id), "dataset", None)
        return DatasetCard(text=text, card_data=card)

    async def _readme(self, repo_id: str, kind: HubKind, revision: str | None) -> str:
        try:
            return await self._client.hub_text(repo_id, "README.md", kind=kind, revision=revision) or ""
        except UpstreamError as error:
            raise SourceUnavailable(str(error)) from error


def _published(sibling: Any) -> PublishedHash | None:
    """The digest the Hub publishes for a file: the LFS sha256, else the git blob id."""
    if sibling.lfs is not None and sibling.lfs.sha256:
        return PublishedHash("sha256", str(sibling.lfs.sha256))
    return PublishedHash("git-sha1", str(sibling.blob_id)) if sibling.blob_id else None


def _security(status: Any) -> HubSecurity | None:
    """The Hub's ``securityRepoStatus`` (``{"scansDone": bool, "filesWithIssues": [{"path", "level"}]}``), or None
    when it gave none or something else."""
    if not isinstance(status, dict) or not isinstance(status.get("scansDone"), bool):
        return None
    listed = status.get("filesWithIssues")
    issues = {
        str(item["path"]): str(item.get("level") or "unknown")
        for item in (listed if isinstance(listed, list) else [])
        if isinstance(item, dict) and isinstance(item.get("path"), str)
    }
    return HubSecurity(scans_done=status["scansDone"], files_with_issues=issues)
