"""The offline copy of a Hub model for its example, fetched from the upstream mirror, and the example run on it.

``acme-research/bow-sentiment-tiny`` keeps its real (tiny) weights in the fixtures, so its copy verifies; the other
fixture models' weights are served as filler bytes that do not match their published sha256, as a tampered or
corrupted download would.
"""

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from scoring.adapters.hub import HfHub
from scoring.adapters.model_copy import HubModelCopy
from scoring.domain.examples import extract_example
from scoring.ports import HubModel
from svckit.upstream import Upstream
from svckit.upstream_client import UpstreamClient
from tests.scoring.sandboxes import needs_isolation, sandbox

TINY = "acme-research/bow-sentiment-tiny"
TINY_FILES = Path(__file__).resolve().parents[1] / "fixtures" / "upstream" / "hf" / "models" / TINY / "files"
MB = 1 << 20


@pytest.fixture
async def hub(mirror_url: str) -> AsyncIterator[tuple[HfHub, aiohttp.ClientSession, Upstream]]:
    upstream = Upstream(f"{mirror_url}/hf", f"{mirror_url}/gh", timeout=10)
    async with aiohttp.ClientSession() as session:
        yield HfHub(UpstreamClient(session, upstream)), session, upstream


async def _model(hub: tuple[HfHub, aiohttp.ClientSession, Upstream], repo_id: str) -> HubModel:
    return await hub[0].model(repo_id, None)


def _copier(hub: tuple[HfHub, aiohttp.ClientSession, Upstream], max_mb: int) -> HubModelCopy:
    return HubModelCopy(UpstreamClient(hub[1], hub[2]), max_mb * MB)


async def test_the_hub_publishes_the_commit_and_every_files_digest(
    hub: tuple[HfHub, aiohttp.ClientSession, Upstream],
) -> None:
    model = await _model(hub, TINY)
    assert model.commit == "9c1e4b7a2d5f8e0c3b6a9d2f5e8c1b4a7d0e3f62"
    assert model.hashes["model.safetensors"].algorithm == "sha256"
    assert model.hashes["config.json"].algorithm == "git-sha1"


async def test_a_small_model_is_copied_whole_and_verified_in_the_hub_cache_layout(
    hub: tuple[HfHub, aiohttp.ClientSession, Upstream],
) -> None:
    model = await _model(hub, TINY)
    async with _copier(hub, 8).offline(model, ["acme-research/old-name"], with_weights=True) as copy:
        assert copy.incomplete is None and copy.cache is not None
        repo = copy.cache / "models--acme-research--bow-sentiment-tiny"
        assert (repo / "refs" / "main").read_text() == model.commit
        snapshot = repo / "snapshots" / str(model.commit)
        assert sorted(os.listdir(snapshot)) == ["config.json", "model.safetensors"]  # no README, no .gitattributes
        assert (snapshot / "model.safetensors").read_bytes() == (TINY_FILES / "model.safetensors").read_bytes()
        assert (copy.cache / "models--acme-research--old-name").resolve() == repo.resolve()
        assert oct((snapshot / "config.json").stat().st_mode & 0o777) == "0o644"
        cache = copy.cache
    assert not await asyncio.to_thread(cache.exists)


@needs_isolation
async def test_the_cards_example_runs_offline_on_the_copy(hub: tuple[HfHub, aiohttp.ClientSession, Upstream]) -> None:
    example = extract_example((TINY_FILES / "README.md").read_text())
    assert example is not None and "hf_hub_download" in example
    model = await _model(hub, TINY)
    async with _copier(hub, 8).offline(model, [TINY], with_weights=True) as copy:
        run = await sandbox().run(example, copy.cache)
    assert run.status == "ok", run.stderr_tail
    assert run.stdout_tail == "positive\nnegative\n"
    without = await sandbox().run(example)
    assert without.status == "error"  # offline, with no copy: huggingface_hub cannot find the files


async def test_weights_that_do_not_match_their_published_sha256_are_left_out(
    hub: tuple[HfHub, aiohttp.ClientSession, Upstream],
) -> None:
    model = await _model(hub, "acme-research/undocumented-classifier")  # 17 MB pytorch_model.bin of filler bytes
    async with _copier(hub, 32).offline(model, [], with_weights=True) as copy:
        assert copy.incomplete == "1 file not matching the published sha256"
        assert copy.cache is not None
        snapshot = copy.cache / "models--acme-research--undocumented-classifier" / "snapshots" / str(model.commit)
        assert sorted(os.listdir(snapshot)) == ["config.json"]


async def test_weights_over_the_cap_or_not_wanted_are_not_downloaded(
    hub: tuple[HfHub, aiohttp.ClientSession, Upstream],
) -> None:
    bert = await _model(hub, "google-bert/bert-base-uncased")
    async with _copier(hub, 1).offline(bert, [], with_weights=True) as copy:
        assert copy.incomplete is not None
        assert copy.incomplete.startswith("its safetensors weights (420 MB) exceed the 1 MB cap")
    tiny = await _model(hub, TINY)
    async with _copier(hub, 8).offline(tiny, [], with_weights=False) as copy:
        assert copy.incomplete == "its weights were not copied"
        assert copy.cache is not None
        assert not list(copy.cache.rglob("*.safetensors"))


async def test_a_model_without_a_commit_gets_no_copy(hub: tuple[HfHub, aiohttp.ClientSession, Upstream]) -> None:
    async with _copier(hub, 8).offline(HubModel("acme/x", files=[("config.json", 2)]), [], True) as copy:
        assert copy.cache is None and copy.incomplete == "the Hub named no commit for the model"
