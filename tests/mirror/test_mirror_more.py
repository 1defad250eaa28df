"""More fidelity tests: GitHub lists, pagination, rate limits, tarballs, Hub trees, lineage, the CLI."""

from __future__ import annotations

import asyncio
import io
import json
import pathlib
import re
import tarfile

import aiohttp
import pytest
from huggingface_hub import HfApi, ModelCard, hf_hub_download
from huggingface_hub.hf_api import RepoFile, RepoFolder

from tests.mirror.app import build_app
from tests.mirror.conftest import FIXTURES, Mirror, start
from tests.mirror.store import read_json

pytestmark = pytest.mark.asyncio(loop_scope="session")
LINK_RE = re.compile(r'<([^>]+)>; rel="(\w+)"')


async def get_json(url: str, **headers: str) -> tuple[int, dict[str, str], object]:
    async with aiohttp.ClientSession() as http, http.get(url, headers=headers) as resp:
        return resp.status, dict(resp.headers), await resp.json()


async def test_license_endpoint_and_repo_without_licence(mirror: Mirror) -> None:
    status, _, body = await get_json(f"{mirror.gh}/repos/pytorch/vision/license")
    assert status == 200 and isinstance(body, dict)
    assert body["license"]["spdx_id"] == "BSD-3-Clause"
    assert body["path"] == "LICENSE" and body["encoding"] == "base64"
    status, _, body = await get_json(f"{mirror.gh}/repos/rajpurkar/SQuAD-explorer/license")
    assert status == 404
    assert body == {
        "message": "Not Found",
        "documentation_url": "https://docs.github.com/rest/licenses/licenses#get-the-license-for-a-repository",
        "status": "404",
    }
    status, _, repo = await get_json(f"{mirror.gh}/repos/rajpurkar/SQuAD-explorer")
    assert status == 200 and isinstance(repo, dict) and repo["license"] is None


async def test_contributors_follow_link_pagination(mirror: Mirror) -> None:
    status, headers, first = await get_json(f"{mirror.gh}/repos/huggingface/transformers/contributors?per_page=10")
    assert status == 200 and isinstance(first, list) and len(first) == 10
    links = {rel: url for url, rel in LINK_RE.findall(headers["Link"])}
    assert set(links) == {"next", "last"}
    assert "/repositories/155220641/contributors?per_page=10&page=2" in links["next"]
    collected, url = list(first), links.get("next")
    while url:
        status, headers, page = await get_json(url)
        assert status == 200 and isinstance(page, list)
        collected += page
        url = {rel: u for u, rel in LINK_RE.findall(headers.get("Link", ""))}.get("next")
    recorded = read_json(FIXTURES / "github/huggingface/transformers/contributors.json")
    assert [c["login"] for c in collected] == [c["login"] for c in recorded]
    assert collected[0]["contributions"] >= collected[-1]["contributions"]
    assert set(collected[0]) >= {"login", "id", "node_id", "avatar_url", "type", "site_admin", "contributions"}


async def test_pulls_state_filter_and_reviews(mirror: Mirror) -> None:
    _, _, open_prs = await get_json(f"{mirror.gh}/repos/huggingface/transformers/pulls")
    _, _, closed = await get_json(f"{mirror.gh}/repos/huggingface/transformers/pulls?state=closed")
    _, _, everything = await get_json(f"{mirror.gh}/repos/huggingface/transformers/pulls?state=all")
    assert isinstance(open_prs, list) and isinstance(closed, list) and isinstance(everything, list)
    assert {p["state"] for p in open_prs} == {"open"} and {p["state"] for p in closed} == {"closed"}
    assert len(open_prs) + len(closed) == len(everything)
    merged = next(p for p in closed if p["number"] == 39060)
    assert merged["merged_at"] and merged["base"]["repo"]["full_name"] == "huggingface/transformers"
    _, _, reviews = await get_json(f"{mirror.gh}/repos/huggingface/transformers/pulls/39060/reviews")
    assert isinstance(reviews, list) and [r["state"] for r in reviews] == ["COMMENTED", "APPROVED"]
    status, _, missing = await get_json(f"{mirror.gh}/repos/huggingface/transformers/pulls/1/reviews")
    assert status == 404 and isinstance(missing, dict) and missing["status"] == "404"


async def test_rate_limit_headers_and_exhaustion() -> None:
    runner, small = await start(build_app(FIXTURES, github_anonymous_limit=3))
    try:
        async with aiohttp.ClientSession() as http:
            remaining = []
            for _ in range(3):
                async with http.get(f"{small.gh}/repos/openai/whisper") as resp:
                    assert resp.status == 200
                    remaining.append(int(resp.headers["X-RateLimit-Remaining"]))
            assert remaining == [2, 1, 0]
            async with http.get(f"{small.gh}/repos/openai/whisper") as resp:
                assert resp.status == 403
                assert (await resp.json())["message"].startswith("API rate limit exceeded for")
            async with http.get(f"{small.gh}/rate_limit") as resp:
                body = await resp.json()
                assert resp.status == 200 and body["rate"]["remaining"] == 0 and body["rate"]["limit"] == 3
            async with http.get(f"{small.gh}/repos/openai/whisper", headers={"Authorization": "token ghp_x"}) as resp:
                assert resp.status == 200 and resp.headers["X-RateLimit-Limit"] == "5000"
    finally:
        await runner.cleanup()


async def test_tarball_redirects_to_codeload_with_github_top_folder(mirror: Mirror) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{mirror.gh}/repos/google-research/bert/tarball", allow_redirects=False) as resp:
            assert resp.status == 302
            location = resp.headers["Location"]
        assert location.endswith("/codeload/google-research/bert/legacy.tar.gz/refs/heads/master")
        async with http.get(location) as resp:
            assert resp.status == 200 and resp.content_type == "application/x-gzip"
            data = await resp.read()
    commits = read_json(FIXTURES / "github/google-research/bert/commits.json")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        names = archive.getnames()
        assert archive.pax_headers["comment"] == commits[0]["sha"]
    top = f"google-research-bert-{commits[0]['sha'][:7]}"
    assert names[0] == top and f"{top}/README.md" in names and f"{top}/LICENSE" in names


async def test_tree_listing_matches_the_hub_shape(mirror: Mirror) -> None:
    api = HfApi(endpoint=mirror.hf, token=False)
    entries = await asyncio.to_thread(lambda: list(api.list_repo_tree("openai-community/gpt2", recursive=True)))
    folders = [e for e in entries if isinstance(e, RepoFolder)]
    files = {e.path: e for e in entries if isinstance(e, RepoFile)}
    assert [f.path for f in folders] == ["onnx"]
    assert files["config.json"].blob_id == "10c66461e4c109db5a2196bff4bb59be30396ed8"
    weights = files["model.safetensors"]
    assert weights.lfs is not None and weights.size == 548105171
    assert weights.blob_id == "44b36d6e32d13c8fb28b0feab0ac8bfefa7efeda"
    top = await asyncio.to_thread(lambda: [e.path for e in api.list_repo_tree("openai-community/gpt2")])
    assert "onnx" in top and "onnx/decoder_model.onnx" not in top


async def test_lineage_fixtures(mirror: Mirror, hf_cache: pathlib.Path) -> None:
    def download(repo: str, name: str) -> dict[str, object]:
        path = hf_hub_download(repo, name, endpoint=mirror.hf, cache_dir=hf_cache, token=False)
        data: dict[str, object] = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
        return data

    assert (await asyncio.to_thread(download, "crangana/trained-gender", "config.json"))["_name_or_path"] == (
        "microsoft/resnet-50"
    )
    peft = await asyncio.to_thread(download, "ybelkada/opt-350m-lora", "adapter_config.json")
    assert peft["base_model_name_or_path"] == "facebook/opt-350m"
    readme = await asyncio.to_thread(
        hf_hub_download,
        "onnx-community/trained-gender-ONNX",
        "README.md",
        endpoint=mirror.hf,
        cache_dir=hf_cache,
        token=False,
    )
    card = ModelCard.load(readme)
    assert card.data.base_model == "crangana/trained-gender" and card.data.library_name == "transformers.js"
    info = await asyncio.to_thread(HfApi(endpoint=mirror.hf, token=False).model_info, "sshleifer/tiny-gpt2")
    assert info.card_data is None and "README.md" not in [s.rfilename for s in info.siblings or []]
