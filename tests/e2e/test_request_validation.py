"""Requests refused for their shape, before any store is read or written: malformed bodies, JSON, offsets,
regexes and missing tokens answer 400 (413, 403) with a message that says what is wrong. The gateway's request
models and the catalog's domain rules decide these, never the database: they run on the SQLite registry only
(moved from test_artifacts, test_auth and test_search, whose other tests run on both backends)."""

import io
import json

import pytest

from tests.api import ADMIN, ADMIN_PASSWORD, Api
from tests.e2e.refusals import assert_refused

pytestmark = pytest.mark.any_backend  # these refusals are decided before any store is read or written

BERT = "https://huggingface.co/google-bert/bert-base-uncased"
SQUAD = "https://huggingface.co/datasets/rajpurkar/squad"


@pytest.mark.parametrize(
    ("artifact_type", "body", "message"),
    [
        ("model", {}, "Invalid request body: url: Field required."),
        ("model", {"url": 42}, "Invalid request body: url: Input should be a valid string."),
        ("model", {"url": ""}, "Invalid request body: url: String should have at least 1 character."),
        ("model", {"name": "x"}, "Invalid request body: url: Field required."),
        ("model", {"url": "not-a-url"}, "Invalid url: url must be an absolute http(s) url."),
        ("model", {"url": "https://example.com/weights.bin"}, "Invalid url: unsupported source host 'example.com'"),
        ("model", {"url": SQUAD}, "Invalid url: a hf_dataset url cannot be registered as a model"),
        ("code", {"url": BERT}, "Invalid url: a hf_model url cannot be registered as a code"),
        ("model", {"url": BERT, "name": "*"}, "Invalid name: the name '*' is reserved."),
        ("model", {"url": BERT, "name": ""}, "Invalid name: name must not be empty."),
        ("model", {"url": BERT, "name": "tab\tname"}, "Invalid name: name must use printable ASCII"),
        ("model", {"url": BERT, "name": 5}, "Invalid request body: name: Input should be a valid string."),
        ("model", [BERT], "Invalid request body: body: Input should be a valid dictionary"),
        ("gadget", {"url": BERT}, "artifact_type must be one of model, dataset, code (got 'gadget')."),
    ],
)
async def test_bad_registrations_are_400_and_store_nothing(
    api: Api, artifact_type: str, body: object, message: str
) -> None:
    reply = await api.call("POST", f"/artifact/{artifact_type}", json_body=body)
    assert_refused(reply, 400, message)
    assert await api.everything() == []


async def test_malformed_json_and_oversize_bodies(api: Api) -> None:
    broken = await api.call("POST", "/artifact/model", data='{"url": ', headers={"Content-Type": "application/json"})
    assert_refused(broken, 400, "The request body is not valid JSON: Expecting value: line 1 column 9 (char 8).")
    oversize = io.BytesIO(json.dumps({"url": BERT, "name": "x" * (2 << 20)}).encode())
    huge = await api.call("POST", "/artifact/model", data=oversize, headers={"Content-Type": "application/json"})
    assert_refused(huge, 413, "The request body is too large.")
    assert await api.everything() == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "Invalid request body: user: Field required; secret: Field required."),
        ({"user": {"name": ADMIN, "is_admin": True}}, "Invalid request body: secret: Field required."),
        ({"secret": {"password": ADMIN_PASSWORD}}, "Invalid request body: user: Field required."),
        (
            {"user": {"name": ADMIN}, "secret": {"password": ADMIN_PASSWORD}},
            "Invalid request body: user.is_admin: Field required.",
        ),
        (
            {"user": {"name": 7, "is_admin": True}, "secret": {"password": ADMIN_PASSWORD}},
            "Invalid request body: user.name: Input should be a valid string.",
        ),
        (
            {"user": {"name": ADMIN, "is_admin": True}, "secret": {"password": 12345}},
            "Invalid request body: secret.password: Input should be a valid string.",
        ),
        ({"user": "admin", "secret": "pw"}, "Invalid request body: user: Input should be a valid dictionary"),
        ([], "Invalid request body: body: Input should be a valid dictionary"),
    ],
)
async def test_malformed_authentication_requests_are_400(api: Api, body: object, message: str) -> None:
    reply = await api.call("PUT", "/authenticate", json_body=body, token=None)
    assert_refused(reply, 400, message)


async def test_non_json_authentication_body_is_400(api: Api) -> None:
    reply = await api.call("PUT", "/authenticate", data="user=admin", token=None)
    assert_refused(reply, 400, "The request body is not valid JSON")


async def test_missing_token_is_403(api: Api) -> None:
    reply = await api.call("POST", "/artifacts", json_body=[{"name": "*"}], token=None)
    assert_refused(reply, 403, "Authentication failed: the X-Authorization header is missing.")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "Invalid request body: body: Input should be a valid list."),
        ([], "Invalid request body: body: List should have at least 1 item after validation, not 0."),
        ([{}], "Invalid request body: 0.name: Field required."),
        ([{"name": 3}], "Invalid request body: 0.name: Input should be a valid string."),
        ([{"name": "*", "types": ["widget"]}], "Invalid request body: 0.types.0: Input should be 'model', 'dataset'"),
        ([{"name": "*", "types": "model"}], "Invalid request body: 0.types: Input should be a valid list."),
        ({"name": "*"}, "Invalid request body: body: Input should be a valid list."),
    ],
)
async def test_malformed_queries_are_400(api: Api, body: object, message: str) -> None:
    reply = await api.call("POST", "/artifacts", json_body=body)
    assert_refused(reply, 400, message)


@pytest.mark.parametrize("offset", ["-1", "abc", "1.5"])
async def test_malformed_offsets_are_400(api: Api, offset: str) -> None:
    reply = await api.call("POST", f"/artifacts?offset={offset}", json_body=[{"name": "*"}])
    assert_refused(reply, 400, "offset must be a non-negative integer taken from a previous response.")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"regex": "("}, "invalid regex: missing ): ("),
        ({"regex": "[a-"}, "invalid regex: missing ]: [a-"),
        ({"regex": "(?=look)"}, "invalid regex: invalid perl operator: (?="),
        ({}, "Invalid request body: regex: Field required."),
        ({"regex": 5}, "Invalid request body: regex: Input should be a valid string."),
        ({"regex": ""}, "regex must not be empty"),
    ],
)
async def test_invalid_regex_requests_are_400(api: Api, body: object, message: str) -> None:
    reply = await api.call("POST", "/artifact/byRegEx", json_body=body)
    assert_refused(reply, 400, message)
