"""Every url trick a stranger can register answers 400 and reaches no upstream: the mirror's request log proves
that nothing was fetched (issue: hostile inputs)."""

import json
import urllib.request

import pytest

from tests.api import Api

pytestmark = pytest.mark.any_backend  # nothing here depends on the database

TRICKS = [
    ("code", "https://github.com/quillfield/quillbert/tree/main/../../../../users/octocat", "'..' is not allowed"),
    ("code", "https://github.com/quillfield/quillbert/tree/main/./docs", "'.' is not allowed"),
    ("code", "https://evil.com\\@github.com/openai/whisper", "backslash"),
    ("code", "https://evil.com@github.com/openai/whisper", "user information"),
    ("code", "https://github.com:8443/openai/whisper", "port"),
    ("code", "https://github.com/openai/%2e%2e/whisper", "percent escapes"),
    ("code", "https://github.com/../whisper", "'..' is not allowed"),
    ("code", "https://github.com/-openai-/whisper", "not a GitHub owner name"),
    ("code", "https://github.com/openai/..", "not allowed"),
    ("model", "https://huggingface.co/google-bert/bert-base-uncased/tree/main/..%2f..", "percent escapes"),
    ("model", "https://huggingface.co/..", "not allowed"),
    ("dataset", "https://www.kaggle.com/datasets/../iris", "not allowed"),
    ("code", "https://github.com/openai/whisper\n/users", "control characters"),
]


def _mirror_requests(mirror_url: str) -> list[str]:
    with urllib.request.urlopen(f"{mirror_url}/_mirror/requests", timeout=5) as response:
        seen: list[str] = json.load(response)
    return seen


@pytest.mark.parametrize(("artifact_type", "url", "why"), TRICKS)
async def test_a_url_trick_answers_400_and_fetches_nothing(
    api: Api, mirror_url: str, artifact_type: str, url: str, why: str
) -> None:
    before = len(_mirror_requests(mirror_url))
    reply = await api.call("POST", f"/artifact/{artifact_type}", json_body={"url": url})
    assert reply.status == 400, reply.body
    assert why in reply.body["message"], reply.body["message"]
    fetched = _mirror_requests(mirror_url)[before:]
    assert not [line for line in fetched if "octocat" in line or "/users" in line or ".." in line], fetched
    assert await api.everything() == []


async def test_a_license_check_url_trick_answers_400(api: Api, mirror_url: str) -> None:
    created = await api.register("model", "https://huggingface.co/microsoft/resnet-50")
    before = len(_mirror_requests(mirror_url))
    for trick in ("https://evil.com\\@github.com/o/r", "https://github.com/../users", "https://github.com/o/%2e%2e"):
        reply = await api.call(
            "POST", f"/artifact/model/{created.body['metadata']['id']}/license-check", json_body={"github_url": trick}
        )
        assert reply.status == 400 and reply.body["message"].startswith("github_url:"), reply.body
    fetched = _mirror_requests(mirror_url)[before:]  # the model's background copy reads the Hub meanwhile
    assert not [line for line in fetched if "/gh/" in line], fetched
