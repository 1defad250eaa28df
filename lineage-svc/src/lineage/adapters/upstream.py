"""``Upstream`` port: model cards and configs from Hugging Face, repositories and licences from GitHub."""

import asyncio
import json
from functools import cached_property
from typing import TYPE_CHECKING, Any

import aiohttp
from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError

from contracts.artifacts import ArtifactType
from contracts.storage import SourceKind, SourceRef
from lineage.domain.extract import MalformedMetadata, ModelMetadata
from lineage.ports import Described, LicenseUnavailable, RepositoryMissing, UpstreamUnreachable
from svckit.http import read_capped
from svckit.upstream import HUB_UNREACHABLE, TRANSIENT, Upstream, check_transient, retrying
from svckit.upstream_paths import api_path

if TYPE_CHECKING:
    from huggingface_hub import DatasetInfo, HfApi, ModelInfo

MAX_TEXT = 1 << 20


# The Hub answered with an error, or could not be reached.
HUB_FAILURES: tuple[type[Exception], ...] = (HfHubHTTPError, *HUB_UNREACHABLE)


class HttpUpstream:
    """Reads what lineage needs through ``HF_ENDPOINT`` and ``GITHUB_API_URL``."""

    def __init__(self, session: aiohttp.ClientSession, upstream: Upstream) -> None:
        self._session = session
        self._upstream = upstream
        self._timeout = aiohttp.ClientTimeout(total=upstream.timeout)

    @cached_property
    def _hf(self) -> "HfApi":
        """The Hub client, created at the first Hub look-up (``Upstream.hf_api``)."""
        return self._upstream.hf_api()

    async def describe(self, source: SourceRef, artifact_type: ArtifactType) -> Described:
        """Canonical id and node metadata; for models also card, config and adapter config."""
        if source.kind is SourceKind.GITHUB:
            repo = await self._github_repo(source.repo_id)
            license_id = (repo.get("license") or {}).get("spdx_id")
            meta = {"repository_url": repo.get("html_url"), "license": license_id, "upstream": "github"}
            return Described(str(repo.get("full_name") or source.repo_id), meta)
        if source.kind not in (SourceKind.HF_MODEL, SourceKind.HF_DATASET):
            return Described(source.repo_id, {"upstream": source.kind.value})
        return await self._describe_hf(source)

    async def github_license(self, repo_id: str) -> str | None:
        """The repository's SPDX licence id (None when GitHub states none)."""
        repo = await self._github_repo(repo_id)
        license_info = repo.get("license")
        return (
            str(license_info.get("spdx_id")) if isinstance(license_info, dict) and license_info.get("spdx_id") else None
        )

    async def _describe_hf(self, source: SourceRef) -> Described:
        repo_type = "dataset" if source.kind is SourceKind.HF_DATASET else "model"
        try:
            info: ModelInfo | DatasetInfo
            if repo_type == "dataset":
                info = await asyncio.to_thread(self._hf.dataset_info, source.repo_id, timeout=self._upstream.timeout)
            else:
                info = await asyncio.to_thread(self._hf.model_info, source.repo_id, timeout=self._upstream.timeout)
        except RepositoryNotFoundError as error:
            raise UpstreamUnreachable(f"Hugging Face has no {repo_type} {source.repo_id}") from error
        except HUB_FAILURES as error:
            raise UpstreamUnreachable(f"Hugging Face is unreachable: {error}") from error
        card: dict[str, Any] = info.card_data.to_dict() if info.card_data is not None else {}  # type: ignore[no-untyped-call]
        prefix = "" if repo_type == "model" else "datasets/"
        meta = {
            "repository_url": f"https://huggingface.co/{prefix}{info.id}",
            "sha": info.sha,
            "license": card.get("license"),
            "upstream": "huggingface",
        }
        if repo_type == "dataset":
            return Described(info.id, meta)
        files = {s.rfilename for s in info.siblings or []}
        config = await self._json(info.id, "config.json", info.sha) if "config.json" in files else None
        adapter = await self._json(info.id, "adapter_config.json", info.sha) if "adapter_config.json" in files else None
        readme = await self._text(info.id, "README.md", info.sha) if "README.md" in files else ""
        return Described(info.id, meta, ModelMetadata(card=card, config=config, adapter_config=adapter, readme=readme))

    async def _json(self, repo_id: str, path: str, revision: str | None) -> dict[str, Any] | None:
        text = await self._text(repo_id, path, revision)
        if not text:
            return None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise MalformedMetadata(f"{path} of {repo_id} is not valid JSON: {error}") from error
        if not isinstance(data, dict):
            raise MalformedMetadata(f"{path} of {repo_id} is not a JSON object")
        return data

    async def _text(self, repo_id: str, path: str, revision: str | None) -> str:
        """The file's text; "" when the Hub has no such file; retried, then ``UpstreamUnreachable``, on 5xx/429."""
        url = self._upstream.hf_file_url(repo_id, path, revision=revision)

        async def fetch() -> str:
            async with self._session.get(url, headers=self._upstream.hf_headers(), timeout=self._timeout) as response:
                check_transient(response.status, "Hugging Face")
                if response.status != 200:
                    return ""
                return (await read_capped(response, MAX_TEXT)).decode("utf-8", "replace")

        try:
            return await retrying(fetch, f"{path} of {repo_id}")
        except TRANSIENT as error:
            raise UpstreamUnreachable(f"could not read {path} of {repo_id}: {error}") from error

    async def _github_repo(self, repo_id: str) -> dict[str, Any]:
        async def fetch() -> dict[str, Any]:
            async with self._session.get(
                self._upstream.github + api_path("repos", repo_id),
                headers=self._upstream.github_headers(),
                timeout=self._timeout,
            ) as response:
                check_transient(response.status, "GitHub")
                if response.status == 404:
                    raise RepositoryMissing(f"GitHub has no repository {repo_id}")
                if response.status != 200:
                    raise LicenseUnavailable(f"GitHub answered {response.status} for {repo_id}")
                return dict(await response.json())

        try:
            return await retrying(fetch, f"GitHub repository {repo_id}")
        except TRANSIENT as error:
            raise LicenseUnavailable(f"GitHub is unreachable: {error}") from error
