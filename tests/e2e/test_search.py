"""Enumeration with pagination and limits, exact name lookup, and regex search."""

import asyncio

import pytest

from tests.api import Api
from tests.e2e.refusals import assert_refused
from tests.harness import RegistryStack

BERT = "https://huggingface.co/google-bert/bert-base-uncased"
LEROBOT = "https://github.com/huggingface/lerobot"


async def _register_many(api: Api, count: int, prefix: str = "m") -> list[str]:
    replies = await asyncio.gather(*(api.register("model", BERT, name=f"{prefix}{i:03}") for i in range(count)))
    assert all(r.status == 201 for r in replies), [(r.status, r.body) for r in replies if r.status != 201]
    return [r.body["metadata"]["id"] for r in replies]


async def test_star_enumerates_everything_with_types_filter(api: Api) -> None:
    await api.register("model", BERT)
    await api.register("dataset", "https://huggingface.co/datasets/rajpurkar/squad")
    await api.register("code", LEROBOT)
    everything = await api.call("POST", "/artifacts", json_body=[{"name": "*"}])
    assert sorted(a["type"] for a in everything.body) == ["code", "dataset", "model"]
    empty_types = await api.call("POST", "/artifacts", json_body=[{"name": "*", "types": []}])
    assert len(empty_types.body) == 3
    models = await api.call("POST", "/artifacts", json_body=[{"name": "*", "types": ["model", "code"]}])
    assert sorted(a["type"] for a in models.body) == ["code", "model"]
    union = await api.call(
        "POST", "/artifacts", json_body=[{"name": "bert-base-uncased"}, {"name": "squad", "types": ["dataset"]}]
    )
    assert sorted(a["name"] for a in union.body) == ["bert-base-uncased", "squad"]


async def test_name_queries_are_exact_and_case_sensitive(api: Api) -> None:
    await api.register("code", LEROBOT, name="lerobot")
    await api.register("dataset", "https://huggingface.co/datasets/lerobot/pusht", name="lerobot-pusht")
    exact = await api.call("POST", "/artifacts", json_body=[{"name": "lerobot"}])
    assert [a["name"] for a in exact.body] == ["lerobot"]
    assert (await api.call("POST", "/artifacts", json_body=[{"name": "LEROBOT"}])).body == []
    by_name = await api.call("GET", "/artifact/byName/lerobot")
    assert by_name.status == 200
    assert [a["name"] for a in by_name.body] == ["lerobot"]
    assert_refused(await api.call("GET", "/artifact/byName/Lerobot"), 404, "No artifact is named 'Lerobot'.")


async def test_by_name_returns_every_artifact_sharing_the_name(api: Api) -> None:
    first = (await api.register("model", BERT, name="shared name")).body
    second = (await api.register("code", LEROBOT, name="shared name")).body
    reply = await api.call("GET", "/artifact/byName/shared%20name")
    assert reply.status == 200
    assert reply.body == [first["metadata"], second["metadata"]]


async def test_pages_follow_the_offset_header_without_gaps_or_duplicates(api: Api, registry: RegistryStack) -> None:
    ids = await _register_many(api, 12)
    page_size = int(registry.env()["CATALOG_PAGE_SIZE"])
    first = await api.call("POST", "/artifacts", json_body=[{"name": "*"}])
    assert len(first.body) == page_size
    assert first.headers["X-Has-More"] == "true"
    # A change between pages neither repeats nor skips the artifacts not yet seen.
    seen_first = first.body[0]["id"]
    await api.call("DELETE", f"/artifacts/model/{seen_first}")
    late = (await api.register("model", BERT, name="late")).body["metadata"]["id"]
    rest = []
    offset = first.headers["offset"]
    while True:
        page = await api.call("POST", f"/artifacts?offset={offset}", json_body=[{"name": "*"}])
        rest += page.body
        offset = page.headers["offset"]
        if page.headers["X-Has-More"] == "false":
            break
    collected = [a["id"] for a in first.body] + [a["id"] for a in rest]
    assert len(collected) == len(set(collected))
    assert set(collected) == set(ids) | {late}
    after_end = await api.call("POST", f"/artifacts?offset={offset}", json_body=[{"name": "*"}])
    assert after_end.body == []


async def test_query_over_the_result_limit_is_413(api: Api, registry: RegistryStack) -> None:
    limit = int(registry.env()["CATALOG_MAX_QUERY_RESULTS"])
    await _register_many(api, limit + 1)
    too_many = await api.call("POST", "/artifacts", json_body=[{"name": "*"}])
    assert_refused(
        too_many,
        413,
        f"The query matches {limit + 1} artifacts, more than the limit of {limit}; narrow it by name or type.",
    )
    narrow = await api.call("POST", "/artifacts", json_body=[{"name": "m001"}])
    assert narrow.status == 200


async def test_regex_matches_names_and_readme_only_text(api: Api) -> None:
    await api.register("model", BERT)
    await api.register("code", LEROBOT, name="robots")
    by_name = await api.call("POST", "/artifact/byRegEx", json_body={"regex": "^bert-.*uncased$"})
    assert by_name.status == 200
    assert [a["name"] for a in by_name.body] == ["bert-base-uncased"]
    readme_only = await api.call("POST", "/artifact/byRegEx", json_body={"regex": "(?i)masked language model"})
    assert readme_only.status == 200
    assert "bert-base-uncased" in [a["name"] for a in readme_only.body]


async def test_no_regex_match_is_404(api: Api) -> None:
    await api.register("model", BERT)
    reply = await api.call("POST", "/artifact/byRegEx", json_body={"regex": "^zzz-nothing$"})
    assert_refused(reply, 404, "No artifact matches this regex.")


@pytest.mark.parametrize("pattern", ["(a{1,99999}){1,99999}$", "(a+)+$", "(a|aa)+$", "^(a|a?)+$"])
async def test_catastrophic_patterns_answer_404_at_once_against_an_evil_name(api: Api, pattern: str) -> None:
    # Each pattern needs the text to end in "a": the name ends in "b" and BERT's README does not end in "a".
    evil = "a" * 99 + "b"
    await api.register("model", BERT, name=evil)
    reply = await api.call("POST", "/artifact/byRegEx", json_body={"regex": pattern})
    assert_refused(reply, 404, "No artifact matches this regex.")
    assert (await api.call("GET", "/health", token=None)).status == 200
