"""Artifact handlers over the in-process bus and the real catalog endpoint table: create, get, query pages."""

from tests.api import Api
from tests.catalog.fakes import FakeRater
from tests.gateway.conftest import PAGE_SIZE


async def test_a_created_model_is_rated_and_is_201_with_its_name_id_and_our_download_link(
    admin: Api, rater: FakeRater
) -> None:
    reply = await admin.register("model", "https://huggingface.co/org/model-1")
    assert reply.status == 201, reply.body
    identifier = reply.body["metadata"]["id"]
    assert reply.body == {
        "metadata": {"name": "model-1", "id": identifier, "type": "model"},
        "data": {
            "url": "https://huggingface.co/org/model-1",
            "download_url": f"{admin.base_url}/download/{identifier}",
        },
    }
    assert rater.rated == [(identifier, True)]  # rated with the ingest gate


async def test_a_created_artifact_reads_back_as_registered(admin: Api) -> None:
    created = await admin.register("dataset", "https://huggingface.co/datasets/org/model-2", name="my-data")
    assert created.status == 201, created.body
    found = await admin.call("GET", f"/artifacts/dataset/{created.body['metadata']['id']}")
    assert (found.status, found.body) == (200, created.body)


async def test_an_artifact_read_under_another_type_is_not_found(admin: Api) -> None:
    created = await admin.register("model", "https://huggingface.co/org/model-3")
    identifier = created.body["metadata"]["id"]
    reply = await admin.call("GET", f"/artifacts/code/{identifier}")
    assert (reply.status, reply.body["message"]) == (404, f"No code artifact with id {identifier}.")


async def test_a_body_without_a_url_is_a_400_naming_the_field(admin: Api) -> None:
    reply = await admin.call("POST", "/artifact/model", json_body={"name": "x"})
    assert reply.status == 400
    assert "url" in reply.body["message"], reply.body


async def test_an_unknown_upstream_repository_is_a_400_saying_so(admin: Api) -> None:
    reply = await admin.register("model", "https://huggingface.co/org/nowhere")
    assert reply.status == 400
    assert reply.body["message"].startswith("Source not found: "), reply.body


async def test_a_query_is_paged_with_the_cursor_in_the_offset_header(admin: Api) -> None:
    names = []
    for n in range(PAGE_SIZE + 1):
        created = await admin.register("model", f"https://huggingface.co/org/model-{n}")
        assert created.status == 201, created.body
        names.append(created.body["metadata"]["name"])
    first = await admin.call("POST", "/artifacts", json_body=[{"name": "*"}])
    assert first.status == 200 and len(first.body) == PAGE_SIZE
    assert first.headers["X-Has-More"] == "true"
    second = await admin.call("POST", f"/artifacts?offset={first.headers['offset']}", json_body=[{"name": "*"}])
    assert second.status == 200 and second.headers["X-Has-More"] == "false"
    assert sorted(item["name"] for item in first.body + second.body) == sorted(names)


async def test_an_offset_that_is_not_a_cursor_is_a_400(admin: Api) -> None:
    reply = await admin.call("POST", "/artifacts?offset=-1", json_body=[{"name": "*"}])
    assert (reply.status, reply.body["message"]) == (
        400,
        "offset must be a non-negative integer taken from a previous response.",
    )


async def test_an_empty_query_list_is_a_400(admin: Api) -> None:
    reply = await admin.call("POST", "/artifacts", json_body=[])
    assert reply.status == 400
    assert "at least 1" in reply.body["message"], reply.body
