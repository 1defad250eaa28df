"""The single pull request endpoint, reviews of unreviewed PRs, and the synthetic undocumented Hub model."""

from __future__ import annotations

import asyncio
import pathlib

import aiohttp
import pytest
from huggingface_hub import HfApi, hf_hub_download

from tests.mirror.conftest import FIXTURES, Mirror

pytestmark = pytest.mark.asyncio(loop_scope="session")
DETAIL_ONLY = (
    "merged",
    "mergeable",
    "rebaseable",
    "mergeable_state",
    "merged_by",
    "comments",
    "review_comments",
    "maintainer_can_modify",
    "commits",
    "additions",
    "deletions",
    "changed_files",
)
UNDOCUMENTED = "acme-research/undocumented-classifier"


async def get_json(url: str, **headers: str) -> tuple[int, dict[str, str], object]:
    """Status, headers (lower-case names) and JSON body of a GET."""
    async with aiohttp.ClientSession() as http, http.get(url, headers=headers) as resp:
        return resp.status, {k.lower(): v for k, v in resp.headers.items()}, await resp.json(content_type=None)


async def test_single_pull_request_is_the_list_item_plus_detail_fields(mirror: Mirror) -> None:
    status, headers, pr = await get_json(f"{mirror.gh}/repos/huggingface/transformers/pulls/38467")
    assert status == 200 and isinstance(pr, dict)
    assert headers["x-ratelimit-resource"] == "core" and headers["etag"].startswith('W/"')
    _, _, listed = await get_json(f"{mirror.gh}/repos/huggingface/transformers/pulls?state=all")
    assert isinstance(listed, list)
    item = next(p for p in listed if p["number"] == 38467)
    assert list(pr) == [*item, *DETAIL_ONLY]  # GitHub's key order: list fields, then the detail-only ones
    assert {k: pr[k] for k in item} == item
    assert (pr["additions"], pr["deletions"], pr["changed_files"], pr["commits"]) == (642, 281, 47, 19)
    assert pr["merged"] is True and pr["merged_by"]["login"] == "zucchini-nlp"
    assert (pr["mergeable"], pr["rebaseable"], pr["mergeable_state"]) == (None, None, "unknown")
    assert pr["maintainer_can_modify"] is False
    assert pr["url"] == f"{mirror.gh}/repos/huggingface/transformers/pulls/38467"


async def test_single_pull_request_open_closed_and_by_repository_id(mirror: Mirror) -> None:
    _, _, repo = await get_json(f"{mirror.gh}/repos/huggingface/transformers")
    assert isinstance(repo, dict)
    status, _, open_pr = await get_json(f"{mirror.gh}/repositories/{repo['id']}/pulls/39151")
    assert status == 200 and isinstance(open_pr, dict)
    assert open_pr["merged"] is False and open_pr["merged_by"] is None and open_pr["merged_at"] is None
    assert open_pr["mergeable"] is True and open_pr["mergeable_state"] == "blocked"
    assert open_pr["maintainer_can_modify"] is True  # open, from a fork
    _, _, rejected = await get_json(f"{mirror.gh}/repos/huggingface/transformers/pulls/39140")
    assert isinstance(rejected, dict) and rejected["state"] == "closed" and rejected["merged"] is False
    assert rejected["mergeable_state"] == "unknown" and rejected["additions"] == 1


async def test_unknown_pull_request_number_is_githubs_404(mirror: Mirror) -> None:
    expected = {
        "message": "Not Found",
        "documentation_url": "https://docs.github.com/rest/pulls/pulls#get-a-pull-request",
        "status": "404",
    }
    for url in (f"{mirror.gh}/repos/huggingface/transformers/pulls/1", f"{mirror.gh}/repos/nobody/nothing/pulls/1"):
        status, _, body = await get_json(url)
        assert (status, body) == (404, expected), url


async def test_diff_media_type_is_a_loud_501(mirror: Mirror) -> None:
    url = f"{mirror.gh}/repos/openai/whisper/pulls/2359"
    status, _, body = await get_json(url, Accept="application/vnd.github.diff")
    assert status == 501 and isinstance(body, dict) and "diff" in body["message"]
    status, _, _ = await get_json(url, Accept="application/vnd.github+json")
    assert status == 200


async def test_pull_list_has_no_detail_only_fields(mirror: Mirror) -> None:
    for repo in ("huggingface/transformers", "openai/whisper", "vikhyat/moondream"):
        status, _, listed = await get_json(f"{mirror.gh}/repos/{repo}/pulls?state=all")
        assert status == 200 and isinstance(listed, list) and listed
        for item in listed:
            assert not set(DETAIL_ONLY) & set(item), (repo, item["number"])


async def test_reviews_of_a_merged_pr_without_reviews_are_empty(mirror: Mirror) -> None:
    assert not (FIXTURES / "github/openai/whisper/reviews/2541.json").exists()
    status, headers, body = await get_json(f"{mirror.gh}/repos/openai/whisper/pulls/2541/reviews")
    assert (status, body) == (200, []) and "link" not in headers
    _, _, pr = await get_json(f"{mirror.gh}/repos/openai/whisper/pulls/2541")
    assert isinstance(pr, dict) and pr["merged"] is True and pr["additions"] == 1
    status, _, body = await get_json(f"{mirror.gh}/repos/vikhyat/moondream/pulls/224/reviews")
    assert (status, body) == (200, [])


async def test_undocumented_model_is_served_like_a_hub_model(mirror: Mirror, hf_cache: pathlib.Path) -> None:
    api = HfApi(endpoint=mirror.hf, token=False)
    info = await asyncio.to_thread(api.model_info, UNDOCUMENTED, files_metadata=True)
    assert info.id == UNDOCUMENTED and info.author == "acme-research"
    assert info.sha is not None and len(info.sha) == 40
    assert info.pipeline_tag == "text-classification" and info.library_name == "transformers"
    assert info.card_data is None and info.gated is False and info.private is False
    assert info.tags is not None and not any(t.startswith("license:") for t in info.tags)
    siblings = {s.rfilename: s for s in info.siblings or []}
    assert sorted(siblings) == [".gitattributes", "README.md", "config.json", "pytorch_model.bin"]
    weights = siblings["pytorch_model.bin"]
    assert weights.lfs is not None and weights.size == 17563391
    readme = await asyncio.to_thread(
        hf_hub_download, UNDOCUMENTED, "README.md", endpoint=mirror.hf, cache_dir=hf_cache, token=False
    )
    text = await asyncio.to_thread(pathlib.Path(readme).read_text, encoding="utf-8")
    assert "license" not in text.lower() and text.rstrip().endswith("More info coming soon.")
