"""Registering, reading, updating and deleting artifacts through the gateway, with bad input."""

import asyncio

import pytest

from tests.api import Api
from tests.e2e.refusals import assert_refused

BERT = "https://huggingface.co/google-bert/bert-base-uncased"
SQUAD = "https://huggingface.co/datasets/rajpurkar/squad"
WHISPER_CODE = "https://github.com/openai/whisper"


async def test_registering_a_model_derives_its_name_and_echoes_the_url(api: Api) -> None:
    reply = await api.register("model", BERT)
    assert reply.status == 201, reply.body
    metadata = reply.body["metadata"]
    assert metadata["name"] == "bert-base-uncased"
    assert metadata["type"] == "model"
    assert metadata["id"].isalnum()
    assert reply.body["data"]["url"] == BERT


@pytest.mark.parametrize(
    ("artifact_type", "url", "name"),
    [
        ("model", "https://huggingface.co/openai/whisper-tiny/tree/main", "whisper-tiny"),
        (
            "model",
            "https://huggingface.co/distilbert-base-uncased-distilled-squad",
            "distilbert-base-uncased-distilled-squad",
        ),
        ("dataset", SQUAD, "squad"),
        ("dataset", "https://huggingface.co/datasets/bookcorpus/bookcorpus", "bookcorpus"),
        ("dataset", "https://huggingface.co/datasets/ILSVRC/imagenet-1k", "imagenet-1k"),
        ("dataset", "https://www.kaggle.com/datasets/uciml/iris", "iris"),
        ("dataset", "https://github.com/rajpurkar/SQuAD-explorer", "rajpurkar-SQuAD-explorer"),
        ("code", WHISPER_CODE, "openai-whisper"),
        ("code", "https://github.com/google-research/bert.git", "google-research-bert"),
        ("code", "https://github.com/huggingface/lerobot/tree/main/src/lerobot", "huggingface-lerobot"),
    ],
)
async def test_url_shapes_clients_send(api: Api, artifact_type: str, url: str, name: str) -> None:
    reply = await api.register(artifact_type, url)
    assert reply.status == 201, reply.body
    assert reply.body["metadata"]["name"] == name
    assert reply.body["data"]["url"] == url


async def test_a_given_name_is_stored_verbatim(api: Api) -> None:
    name = 'it\'s "mine"; DROP TABLE artifacts; --'
    reply = await api.register("code", WHISPER_CODE, name=name)
    assert reply.status == 201
    assert reply.body["metadata"]["name"] == name
    fetched = await api.call("GET", f"/artifacts/code/{reply.body['metadata']['id']}")
    assert fetched.body["metadata"]["name"] == name
    assert len(await api.everything()) == 1


async def test_read_returns_the_artifact_and_respects_its_type(api: Api) -> None:
    created = (await api.register("dataset", SQUAD)).body
    artifact_id = created["metadata"]["id"]
    reply = await api.call("GET", f"/artifacts/dataset/{artifact_id}")
    assert reply.status == 200
    assert reply.body == created
    other_type = await api.call("GET", f"/artifacts/model/{artifact_id}")
    assert_refused(other_type, 404, f"No model artifact with id {artifact_id}.")


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/artifacts/model/invalidId", 404, "No model artifact with id invalidId."),
        ("/artifacts/model/1234567890", 404, "No model artifact with id 1234567890."),
        ("/artifacts/model/bad_id!", 400, "id must match ^[a-zA-Z0-9\\-]+$ and be at most 64 characters."),
        ("/artifacts/widget/123", 400, "artifact_type must be one of model, dataset, code (got 'widget')."),
    ],
)
async def test_unknown_or_malformed_ids(api: Api, path: str, status: int, message: str) -> None:
    assert_refused(await api.call("GET", path), status, message)


async def test_source_missing_upstream_is_refused_and_nothing_is_stored(api: Api) -> None:
    reply = await api.register("model", "https://huggingface.co/nobody-here/no-such-model")
    assert_refused(reply, 400, "Source not found: Hugging Face has no model named 'nobody-here/no-such-model'.")
    missing_repo = await api.register("code", "https://github.com/nobody-here/no-such-repo")
    assert_refused(missing_repo, 400, "Source not found: GitHub has no repository 'nobody-here/no-such-repo'.")
    assert await api.everything() == []


async def test_registering_the_same_source_under_the_same_name_twice_is_409(api: Api) -> None:
    first = await api.register("model", BERT)
    assert first.status == 201
    again = await api.register("model", BERT)
    assert_refused(
        again, 409, f"model 'bert-base-uncased' from this url already exists as id {first.body['metadata']['id']}."
    )
    other_name = await api.register("model", BERT, name="bert-copy")
    assert other_name.status == 201
    assert len(await api.everything()) == 2


async def test_burst_of_registrations_gets_distinct_ids(api: Api) -> None:
    replies = await asyncio.gather(*(api.register("model", BERT, name=f"bert-{i}") for i in range(25)))
    assert [r.status for r in replies] == [201] * 25
    assert len({r.body["metadata"]["id"] for r in replies}) == 25


async def test_update_replaces_the_source(api: Api) -> None:
    created = (await api.register("code", WHISPER_CODE, name="asr-code")).body
    artifact_id = created["metadata"]["id"]
    new_url = "https://github.com/google-research/bert"
    body = {"metadata": created["metadata"], "data": {"url": new_url}}
    reply = await api.call("PUT", f"/artifacts/code/{artifact_id}", json_body=body)
    assert reply.status == 200
    fetched = await api.call("GET", f"/artifacts/code/{artifact_id}")
    assert fetched.body["data"]["url"] == new_url
    assert fetched.body["metadata"] == created["metadata"]


async def test_update_errors(api: Api) -> None:
    created = (await api.register("code", WHISPER_CODE)).body
    artifact_id = created["metadata"]["id"]
    path = f"/artifacts/code/{artifact_id}"
    renamed = {"metadata": {**created["metadata"], "name": "other"}, "data": {"url": WHISPER_CODE}}
    name = created["metadata"]["name"]
    assert_refused(
        await api.call("PUT", path, json_body=renamed),
        400,
        f"Name 'other' does not match artifact {artifact_id} ({name!r}).",
    )
    other_id = {"metadata": {**created["metadata"], "id": "999"}, "data": {"url": WHISPER_CODE}}
    assert_refused(
        await api.call("PUT", path, json_body=other_id), 400, "metadata.id and metadata.type must match the path."
    )
    no_metadata = await api.call("PUT", path, json_body={"data": {"url": WHISPER_CODE}})
    assert_refused(no_metadata, 400, "Invalid request body: metadata: Field required.")
    ghost = {"metadata": {**created["metadata"], "id": "424242"}, "data": {"url": WHISPER_CODE}}
    assert_refused(
        await api.call("PUT", "/artifacts/code/424242", json_body=ghost), 404, "No code artifact with id 424242."
    )
    gone = {"metadata": created["metadata"], "data": {"url": "https://github.com/nobody-here/no-such-repo"}}
    assert_refused(
        await api.call("PUT", path, json_body=gone),
        400,
        "Source not found: GitHub has no repository 'nobody-here/no-such-repo'.",
    )
    still = await api.call("GET", path)
    assert still.body["data"]["url"] == WHISPER_CODE


async def test_delete_removes_the_artifact_everywhere(api: Api) -> None:
    created = (await api.register("model", BERT)).body
    artifact_id = created["metadata"]["id"]
    other_type = await api.call("DELETE", f"/artifacts/dataset/{artifact_id}")
    assert_refused(other_type, 404, f"No dataset artifact with id {artifact_id}.")
    assert (await api.call("DELETE", f"/artifacts/model/{artifact_id}")).status == 200
    gone = f"No model artifact with id {artifact_id}."
    assert_refused(await api.call("GET", f"/artifacts/model/{artifact_id}"), 404, gone)
    assert_refused(await api.call("DELETE", f"/artifacts/model/{artifact_id}"), 404, gone)
    by_name = await api.call("GET", "/artifact/byName/bert-base-uncased")
    assert_refused(by_name, 404, "No artifact is named 'bert-base-uncased'.")
    by_regex = await api.call("POST", "/artifact/byRegEx", json_body={"regex": "bert"})
    assert_refused(by_regex, 404, "No artifact matches this regex.")
    assert await api.everything() == []


async def test_reset_empties_the_catalog_and_admin_still_works(api: Api) -> None:
    await api.register("model", BERT)
    await api.register("dataset", SQUAD)
    assert (await api.call("DELETE", "/reset")).status == 200
    listing = await api.call("POST", "/artifacts", json_body=[{"name": "*"}])
    assert listing.body == []
    await api.admin_token()
    assert (await api.register("model", BERT)).status == 201


async def test_audit_records_who_did_what(api: Api) -> None:
    created = (await api.register("code", WHISPER_CODE)).body
    artifact_id = created["metadata"]["id"]
    body = {"metadata": created["metadata"], "data": {"url": WHISPER_CODE}}
    await api.call("PUT", f"/artifacts/code/{artifact_id}", json_body=body)
    reply = await api.call("GET", f"/artifact/code/{artifact_id}/audit")
    assert reply.status == 200
    assert [e["action"] for e in reply.body] == ["CREATE", "UPDATE", "AUDIT"]
    for entry in reply.body:
        assert entry["user"] == {"name": "ece30861defaultadminuser", "is_admin": True}
        assert entry["artifact"] == created["metadata"]
        assert entry["date"].endswith("Z")
    other_type = await api.call("GET", f"/artifact/model/{artifact_id}/audit")
    assert_refused(other_type, 404, f"No model artifact with id {artifact_id}.")
    assert_refused(await api.call("GET", "/artifact/code/12345/audit"), 404, "No code artifact with id 12345.")
