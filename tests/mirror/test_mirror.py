"""Fidelity tests: the real client libraries against the mirror, as they would run against the real APIs."""

from __future__ import annotations

import asyncio
import base64
import pathlib
from urllib.parse import urlparse

import aiohttp
import pytest
from huggingface_hub import HfApi, hf_hub_download, hf_hub_url
from huggingface_hub.errors import (
    EntryNotFoundError,
    GatedRepoError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

from tests.mirror.conftest import Mirror
from tests.mirror.store import git_blob_sha1

pytestmark = pytest.mark.asyncio(loop_scope="session")
BERT = "google-bert/bert-base-uncased"
BERT_SHA = "86b5e0934494bd15c9632b12f734a8a67f723594"


def read_text(path: str) -> str:
    return pathlib.Path(path).read_text(encoding="utf-8")


def file_size(path: str) -> int:
    return pathlib.Path(path).stat().st_size


async def test_model_info_matches_recorded_bert(mirror: Mirror) -> None:
    info = await asyncio.to_thread(HfApi(endpoint=mirror.hf, token=False).model_info, BERT)
    assert info.id == BERT
    assert info.sha == BERT_SHA
    assert info.pipeline_tag == "fill-mask"
    assert info.library_name == "transformers"
    assert info.card_data is not None
    assert info.card_data.license == "apache-2.0"
    assert info.card_data.datasets == ["bookcorpus", "wikipedia"]
    names = [s.rfilename for s in info.siblings or []]
    assert names == sorted(names)
    assert {"README.md", "config.json", "model.safetensors", "vocab.txt"} <= set(names)
    assert info.safetensors is not None and info.safetensors.total == 110106428


async def test_files_metadata_adds_sizes_and_lfs_like_the_hub(mirror: Mirror) -> None:
    api = HfApi(endpoint=mirror.hf, token=False)
    info = await asyncio.to_thread(api.model_info, BERT, files_metadata=True)
    siblings = {s.rfilename: s for s in info.siblings or []}
    weights = siblings["model.safetensors"]
    assert weights.size == 440449768
    assert weights.lfs is not None
    assert weights.lfs.sha256 == "68d45e234eb4a928074dfd868cead0219ab85354cc53d20e772753c6bb9169d3"
    config = siblings["config.json"]
    assert config.lfs is None and config.size == 570
    async with aiohttp.ClientSession() as http, http.get(f"{mirror.hf}/{BERT}/resolve/main/config.json") as resp:
        assert resp.status == 200
        assert [h.status for h in resp.history] == [307]
        assert git_blob_sha1(await resp.read()) == config.blob_id


async def test_legacy_id_without_owner_redirects_to_canonical(mirror: Mirror) -> None:
    legacy = "distilbert-base-uncased-distilled-squad"
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{mirror.hf}/api/models/{legacy}", allow_redirects=False) as resp,
    ):
        assert resp.status == 307
        assert resp.headers["Location"] == "/hf/api/models/distilbert/distilbert-base-uncased-distilled-squad"
    info = await asyncio.to_thread(HfApi(endpoint=mirror.hf, token=False).model_info, legacy)
    assert info.id == "distilbert/distilbert-base-uncased-distilled-squad"
    assert info.pipeline_tag == "question-answering"


async def test_dataset_info(mirror: Mirror) -> None:
    info = await asyncio.to_thread(HfApi(endpoint=mirror.hf, token=False).dataset_info, "rajpurkar/squad")
    assert info.id == "rajpurkar/squad"
    assert info.sha == "7b6d24c440a36b6815f21b70d25016731768db1f"
    assert info.card_data is not None and info.card_data.license == "cc-by-sa-4.0"
    assert "plain_text/train-00000-of-00001.parquet" in [s.rfilename for s in info.siblings or []]
    assert info.gated is False


async def test_hf_hub_download_and_url_fetch_the_same_readme(mirror: Mirror, hf_cache: pathlib.Path) -> None:
    path = await asyncio.to_thread(
        hf_hub_download, BERT, "README.md", endpoint=mirror.hf, cache_dir=hf_cache, token=False
    )
    text = await asyncio.to_thread(read_text, path)
    assert text.startswith("---\nlanguage: en\n")
    assert f"snapshots/{BERT_SHA}/README.md" in path
    url = hf_hub_url(BERT, "README.md", endpoint=mirror.hf)
    async with aiohttp.ClientSession() as http, http.get(url) as resp:
        assert resp.status == 200
        assert await resp.text() == text


async def test_lfs_file_redirects_cross_host_and_streams_declared_size(mirror: Mirror, hf_cache: pathlib.Path) -> None:
    url = f"{mirror.hf}/sshleifer/tiny-gpt2/resolve/main/pytorch_model.bin"
    async with aiohttp.ClientSession() as http:
        async with http.head(url, allow_redirects=False) as head:
            assert head.status == 302
            assert head.headers["X-Linked-Size"] == "2522031"
            assert head.headers["X-Repo-Commit"] == "5f91d94bd9cd7190a9f3216ff93cd1dd95f2c7be"
            assert len(head.headers["X-Linked-Etag"].strip('"')) == 64
            assert urlparse(head.headers["Location"]).hostname == "localhost"
        async with http.get(url, headers={"Range": "bytes=10-19"}) as ranged:
            assert ranged.status == 206
            assert ranged.headers["Content-Range"] == "bytes 10-19/2522031"
            assert len(await ranged.read()) == 10
    path = await asyncio.to_thread(
        hf_hub_download, "sshleifer/tiny-gpt2", "pytorch_model.bin", endpoint=mirror.hf, cache_dir=hf_cache, token=False
    )
    assert await asyncio.to_thread(file_size, path) == 2522031


async def test_unknown_repo_raises_repository_not_found(mirror: Mirror) -> None:
    api = HfApi(endpoint=mirror.hf)
    with pytest.raises(RepositoryNotFoundError) as anonymous:
        await asyncio.to_thread(api.model_info, "nobody-here/no-such-model", token=False)
    assert anonymous.value.response is not None and anonymous.value.response.status_code == 401
    assert "Invalid username or password." in str(anonymous.value)
    with pytest.raises(RepositoryNotFoundError) as authenticated:
        await asyncio.to_thread(api.model_info, "nobody-here/no-such-model", token="hf_some_user_token")
    assert authenticated.value.response is not None and authenticated.value.response.status_code == 404


async def test_unknown_file_and_revision(mirror: Mirror, hf_cache: pathlib.Path) -> None:
    with pytest.raises(EntryNotFoundError):
        await asyncio.to_thread(
            hf_hub_download, BERT, "no_such_file.json", endpoint=mirror.hf, cache_dir=hf_cache, token=False
        )
    with pytest.raises(RevisionNotFoundError):
        await asyncio.to_thread(HfApi(endpoint=mirror.hf, token=False).model_info, BERT, revision="v9.9-nope")


async def test_gated_dataset_behaves_like_the_hub(mirror: Mirror, hf_cache: pathlib.Path) -> None:
    repo = "ILSVRC/imagenet-1k"
    info = await asyncio.to_thread(HfApi(endpoint=mirror.hf, token=False).dataset_info, repo)
    assert info.gated == "auto"
    assert info.card_data is not None and info.card_data.license == ["other"]

    def fetch(token: str | bool) -> str:
        return hf_hub_download(
            repo, "classes.py", repo_type="dataset", endpoint=mirror.hf, cache_dir=hf_cache, token=token
        )

    with pytest.raises(GatedRepoError) as anonymous:
        await asyncio.to_thread(fetch, False)
    assert anonymous.value.response is not None and anonymous.value.response.status_code == 401
    with pytest.raises(GatedRepoError) as not_granted:
        await asyncio.to_thread(fetch, "hf_user_without_access")
    assert not_granted.value.response is not None and not_granted.value.response.status_code == 403
    path = await asyncio.to_thread(fetch, "hf_mirror_granted_imagenet")
    assert (await asyncio.to_thread(read_text, path)).startswith("from collections import OrderedDict")


async def test_github_unknown_repo_is_the_real_404(mirror: Mirror) -> None:
    async with aiohttp.ClientSession() as http, http.get(f"{mirror.gh}/repos/nobody-here/no-such-repo") as resp:
        assert resp.status == 404
        assert resp.content_type == "application/json"
        assert await resp.json() == {
            "message": "Not Found",
            "documentation_url": "https://docs.github.com/rest/repos/repos#get-a-repository",
            "status": "404",
        }
        assert resp.headers["X-RateLimit-Resource"] == "core"


async def test_github_repo_object(mirror: Mirror) -> None:
    async with aiohttp.ClientSession() as http, http.get(f"{mirror.gh}/repos/google-research/bert") as resp:
        assert resp.status == 200
        repo = await resp.json()
    assert repo["full_name"] == "google-research/bert"
    assert repo["owner"]["login"] == "google-research" and repo["owner"]["type"] == "Organization"
    assert repo["license"]["spdx_id"] == "Apache-2.0"
    assert repo["default_branch"] == "master"
    assert repo["contributors_url"] == f"{mirror.gh}/repos/google-research/bert/contributors"


async def test_github_readme_json_and_raw(mirror: Mirror) -> None:
    url = f"{mirror.gh}/repos/openai/whisper/readme"
    async with aiohttp.ClientSession() as http:
        async with http.get(url, headers={"Accept": "application/vnd.github+json"}) as resp:
            assert resp.status == 200
            meta = await resp.json()
        async with http.get(url, headers={"Accept": "application/vnd.github.raw"}) as raw:
            assert raw.status == 200
            assert raw.content_type == "application/vnd.github.raw"
            body = await raw.read()
    assert meta["encoding"] == "base64" and meta["name"] == "README.md" and meta["path"] == "README.md"
    assert all(len(line) <= 60 for line in meta["content"].splitlines())
    assert base64.b64decode(meta["content"]) == body
    assert meta["size"] == len(body) and meta["sha"] == git_blob_sha1(body)
    assert body.startswith(b"# Whisper")
