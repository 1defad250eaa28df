"""``Upstream`` port on the shared upstream client (``svckit.upstream_client``): model cards and configs from
Hugging Face, repositories and licences from GitHub."""

import json
from typing import Any

from contracts.artifacts import ArtifactType
from contracts.storage import SourceKind, SourceRef
from lineage.domain.extract import MalformedMetadata, ModelMetadata
from lineage.ports import Described, LicenseUnavailable, RepositoryMissing, UpstreamUnreachable
from svckit.upstream import UpstreamError, UpstreamMissing, UpstreamRejected
from svckit.upstream_client import HubKind, UpstreamClient


class HttpUpstream:
    """Reads what lineage needs through ``HF_ENDPOINT`` and ``GITHUB_API_URL``."""

    def __init__(self, client: UpstreamClient) -> None:
        self._client = client

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
        repo_type: HubKind = "dataset" if source.kind is SourceKind.HF_DATASET else "model"
        try:
            info = await self._client.hub_info(repo_type, source.repo_id)
        except UpstreamMissing as error:
            raise UpstreamUnreachable(f"Hugging Face has no {repo_type} {source.repo_id}") from error
        except UpstreamError as error:
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
        """The file's text; "" when the Hub has no such file or will not serve it; ``UpstreamUnreachable`` when it
        cannot answer (5xx/429 after retries)."""
        try:
            return await self._client.hub_text(repo_id, path, revision=revision) or ""
        except UpstreamRejected:
            return ""
        except UpstreamError as error:
            raise UpstreamUnreachable(f"could not read {path} of {repo_id}: {error}") from error

    async def _github_repo(self, repo_id: str) -> dict[str, Any]:
        try:
            return dict(await self._client.github_json("repos", repo_id))
        except UpstreamMissing as error:
            raise RepositoryMissing(f"GitHub has no repository {repo_id}") from error
        except UpstreamError as error:
            raise LicenseUnavailable(f"GitHub is unreachable: {error}") from error
