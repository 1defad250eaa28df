"""``ModelHub`` port on Hugging Face: ``huggingface_hub`` (synchronous, run in a worker thread) at ``HF_ENDPOINT``
for repository metadata, aiohttp for the card's raw markdown."""

import asyncio
import functools
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

import aiohttp
from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError

from scoring.adapters._retry import Transient, retrying
from scoring.domain.dataset_quality import DatasetCard
from scoring.ports import HubModel, HubSecurity, PublishedHash, SourceUnavailable
from svckit.http import read_capped
from svckit.upstream import HUB_UNREACHABLE, Upstream, hub_status, is_transient

if TYPE_CHECKING:
    from huggingface_hub import HfApi

MAX_CARD_BYTES = 1 << 20


class HfHub:
    """Model metadata, cards and dataset cards from the Hub, with retries on transient failures."""

    def __init__(self, session: aiohttp.ClientSession, upstream: Upstream) -> None:
        self._session = session
        self._upstream = upstream
        self._timeout = aiohttp.ClientTimeout(total=upstream.timeout)

    @cached_property
    def _hf(self) -> "HfApi":
        """The Hub client, created at the first Hub look-up (``Upstream.hf_api``)."""
        return self._upstream.hf_api()

    async def model(self, repo_id: str, revision: str | None) -> HubModel:
        """Card metadata, files with sizes and digests, the commit (``SourceUnavailable`` when the Hub cannot answer)."""
        info = await retrying(lambda: self._info("model", repo_id, revision), f"Hugging Face model {repo_id}")
        if info is None:
            raise SourceUnavailable(f"Hugging Face has no model {repo_id!r}")
        card = info.card_data.to_dict() if info.card_data is not None else {}
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
        info = await retrying(lambda: self._info("dataset", repo_id, None), f"Hugging Face dataset {repo_id}")
        if info is None:
            return None
        card = info.card_data.to_dict() if info.card_data is not None else {}
        text = await self._readme(str(info.id or repo_id), "dataset", None)
        return DatasetCard(text=text, card_data=card)

    async def _info(self, repo_type: str, repo_id: str, revision: str | None) -> Any:
        fetch: Callable[..., Any]
        if repo_type == "dataset":
            fetch = functools.partial(self._hf.dataset_info, repo_id)
        else:  # with the Hub's own security scan of the repository
            fetch = functools.partial(self._hf.model_info, repo_id, files_metadata=True, securityStatus=True)
        try:
            return await asyncio.to_thread(fetch, revision=revision, timeout=self._upstream.timeout)
        except RepositoryNotFoundError:
            return None
        except HfHubHTTPError as error:
            status = hub_status(error)
            if is_transient(status):
                raise Transient(f"Hugging Face answered {status}") from error
            raise SourceUnavailable(f"Hugging Face answered {status} for {repo_type} {repo_id!r}") from error
        except HUB_UNREACHABLE as error:
            raise Transient(f"Hugging Face is unreachable: {error}") from error

    async def _readme(self, repo_id: str, repo_type: str, revision: str | None) -> str:
        url = self._upstream.hf_file_url(repo_id, "README.md", repo_type=repo_type, revision=revision)
        return await retrying(lambda: self._get_text(url), f"Hugging Face card of {repo_id}")

    async def _get_text(self, url: str) -> str:
        try:
            async with self._session.get(url, headers=self._upstream.hf_headers(), timeout=self._timeout) as response:
                if response.status in (401, 403, 404):
                    return ""
                if response.status >= 500 or response.status == 429:
                    raise Transient(f"Hugging Face answered {response.status}")
                if response.status != 200:
                    raise SourceUnavailable(f"Hugging Face answered {response.status} for {url}")
                body = await read_capped(response, MAX_CARD_BYTES)
        except (aiohttp.ClientError, TimeoutError) as error:
            raise Transient(f"Hugging Face is unreachable: {error}") from error
        return body.decode("utf-8", errors="replace")


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
