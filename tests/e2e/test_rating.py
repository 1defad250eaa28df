"""Ratings through the gateway on the fixture models (this stack runs with the gate off, see harness.py):
every model rated in full, concurrently and deterministically; tree_score following lineage; RATE audited."""

import asyncio
from typing import Any

from tests.api import Api
from tests.e2e.refusals import assert_refused
from tests.e2e.test_fixture_catalogue import HF, MODELS
from tests.harness import RegistryStack

UNDOCUMENTED = "acme-research/undocumented-classifier"
RATING_FIELDS = {
    "name", "category", "net_score", "net_score_latency", "ramp_up_time", "ramp_up_time_latency", "bus_factor",
    "bus_factor_latency", "performance_claims", "performance_claims_latency", "license", "license_latency",
    "dataset_and_code_score", "dataset_and_code_score_latency", "dataset_quality", "dataset_quality_latency",
    "code_quality", "code_quality_latency", "reproducibility", "reproducibility_latency", "reviewedness",
    "reviewedness_latency", "tree_score", "tree_score_latency", "size_score", "size_score_latency",
}  # fmt: skip
DEVICES = {"raspberry_pi", "jetson_nano", "desktop_pc", "aws_server"}


async def _register(api: Api, repo: str) -> str:
    reply = await api.register("model", f"{HF}/{repo}")
    assert reply.status == 201, reply.body
    return str(reply.body["metadata"]["id"])


def _check_rating(rating: dict[str, Any], name: str) -> None:
    assert set(rating) == RATING_FIELDS  # every field of the spec's ModelRating, nothing else
    assert rating["name"] == name and rating["category"] == "MODEL"
    for key, value in rating.items():
        if key.endswith("_latency"):
            assert isinstance(value, float) and 0 <= value < 60, (key, value)
        elif key == "size_score":
            assert set(value) == DEVICES and all(0 <= v <= 1 for v in value.values())
        elif key not in ("name", "category"):
            assert 0 <= value <= 1, (key, value)


async def test_every_fixture_model_gets_a_full_deterministic_rating_under_concurrent_reads(api: Api) -> None:
    repos = [*MODELS, UNDOCUMENTED]
    ids = {repo: await _register(api, repo) for repo in repos}
    paths = [f"/artifact/model/{ids[repo]}/rate" for repo in repos]
    first = await asyncio.gather(*(api.call("GET", path) for path in paths))
    second = await asyncio.gather(*(api.call("GET", path) for path in paths))
    ratings: dict[str, dict[str, Any]] = {}
    for repo, reply, again in zip(repos, first, second, strict=True):
        assert reply.status == 200, (repo, reply.body)
        _check_rating(reply.body, repo.rsplit("/", 1)[-1])
        assert again.body == reply.body
        ratings[repo] = reply.body
    bert, bare = ratings["google-bert/bert-base-uncased"], ratings[UNDOCUMENTED]
    assert bert["net_score"] > 0.5 > 0.2 > bare["net_score"]
    assert bert["license"] == 1.0 and bare["license"] == 0.0
    assert bert["ramp_up_time"] > bare["ramp_up_time"] and bert["dataset_quality"] > bare["dataset_quality"]
    assert (
        ratings["openai/whisper-tiny"]["reviewedness"] > 0
        and ratings["vikhyatk/moondream2"]["size_score"]["raspberry_pi"]
        < ratings["openai/whisper-tiny"]["size_score"]["raspberry_pi"]
    )


async def test_the_report_explains_every_metric(api: Api) -> None:
    bert = await _register(api, "google-bert/bert-base-uncased")
    reply = await api.call("GET", f"/artifact/model/{bert}/rate/report")
    assert reply.status == 200, reply.body
    notes = {note["metric"]: note for note in reply.body["notes"]}
    assert set(notes) == {key for key in RATING_FIELDS if key not in ("name", "category") and "latency" not in key}
    assert "apache-2.0" in notes["license"]["detail"]
    assert "google-research/bert" in notes["bus_factor"]["detail"]
    assert "bookcorpus" in notes["dataset_quality"]["detail"]
    assert reply.body["gate_failures"] == [] and reply.body["rating"]["name"] == "bert-base-uncased"


async def test_tree_score_follows_the_parent_as_it_comes_and_goes(api: Api) -> None:
    child = await _register(api, "crangana/trained-gender")
    alone = (await api.call("GET", f"/artifact/model/{child}/rate")).body
    parent = await _register(api, "microsoft/resnet-50")
    parent_net = (await api.call("GET", f"/artifact/model/{parent}/rate")).body["net_score"]
    moved = (await api.call("GET", f"/artifact/model/{child}/rate")).body
    assert moved["tree_score"] == parent_net != alone["tree_score"]
    assert {k: v for k, v in moved.items() if "tree" not in k and "net" not in k} == {
        k: v for k, v in alone.items() if "tree" not in k and "net" not in k
    }
    assert (await api.call("DELETE", f"/artifacts/model/{parent}")).status == 200
    assert_refused(await api.call("GET", f"/artifact/model/{parent}/rate"), 404, f"No rated model with id {parent}.")
    back = (await api.call("GET", f"/artifact/model/{child}/rate")).body
    assert back["tree_score"] == alone["tree_score"] and back["net_score"] == alone["net_score"]


async def test_rate_answers_the_spec_errors(api: Api) -> None:
    dataset = (await api.register("dataset", f"{HF}/datasets/rajpurkar/squad")).body["metadata"]["id"]
    not_a_model = await api.call("GET", f"/artifact/model/{dataset}/rate")
    assert_refused(not_a_model, 404, f"No rated model with id {dataset}.")
    unknown = await api.call("GET", "/artifact/model/123456789/rate")
    assert_refused(unknown, 404, "No rated model with id 123456789.")
    malformed = await api.call("GET", "/artifact/model/bad_id!/rate")
    assert_refused(malformed, 400, "id must match ^[a-zA-Z0-9\\-]+$ and be at most 64 characters.")
    anonymous = await api.call("GET", f"/artifact/model/{dataset}/rate", token=None)
    assert_refused(anonymous, 403, "Authentication failed: the X-Authorization header is missing.")


async def test_reading_a_rating_is_audited_as_rate(api: Api) -> None:
    model = await _register(api, "openai/whisper-tiny")
    assert (await api.call("GET", f"/artifact/model/{model}/rate")).status == 200
    for _ in range(50):
        trail = (await api.call("GET", f"/artifact/model/{model}/audit")).body
        actions = [entry["action"] for entry in trail]  # reading the trail is itself audited (AUDIT)
        if "RATE" in actions:
            rate = trail[actions.index("RATE")]  # recorded asynchronously: it may land after an AUDIT
            assert actions[0] == "CREATE" and actions.count("RATE") == 1 and rate["user"] == trail[0]["user"]
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"no RATE entry in {trail}")


async def test_two_scoring_replicas_never_serve_a_rating_older_than_an_update(
    api: Api, registry: RegistryStack
) -> None:
    replica = registry.add_scoring()
    try:
        registry.wait_ready(replicas=2, service="scoring")
        model = await _register(api, "openai/whisper-tiny")
        path = f"/artifact/model/{model}/rate"
        before = [(await api.call("GET", path)).body for _ in range(12)]  # warms both replicas' caches
        assert all(body == before[0] for body in before)
        update = {
            "metadata": {"name": "whisper-tiny", "id": model, "type": "model"},
            "data": {"url": f"{HF}/openai/whisper-tiny"},
        }
        assert (await api.call("PUT", f"/artifacts/model/{model}", json_body=update)).status == 200
        after = [(await api.call("GET", path)).body for _ in range(12)]
        assert all(body == after[0] for body in after), "a replica served its stale cached copy"
        assert after[0] != before[0]  # re-rated: the latencies of the new computation
        assert after[0]["net_score"] == before[0]["net_score"]
    finally:
        replica.stop()
        registry.scorings.remove(replica)
