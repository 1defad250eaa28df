"""Upstream access: headers and tokens the Hub and GitHub expect."""

import pytest

from svckit.upstream import (
    Upstream,
    UpstreamDenied,
    UpstreamMissing,
    UpstreamRejected,
    UpstreamSettings,
    UpstreamTransient,
    check_status,
    retrying,
    status_failure,
)


def test_tokens_go_only_where_configured() -> None:
    anonymous = Upstream(hf_endpoint="https://hub/", github_api_url="https://gh/")
    assert anonymous.hf == "https://hub"
    assert anonymous.hf_headers() == {}
    assert "Authorization" not in anonymous.github_headers()
    signed = Upstream(hf_endpoint="https://hub", github_api_url="https://gh", hf_token="hf_x", github_token="ghp_y")
    assert signed.hf_headers() == {"Authorization": "Bearer hf_x"}
    assert signed.github_headers(accept="application/vnd.github.raw") == {
        "Accept": "application/vnd.github.raw",
        "X-GitHub-Api-Version": "2022-11-28",
        "Authorization": "Bearer ghp_y",
    }
    assert "ghp_y" not in repr(signed)


def test_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:1/hf")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_env")
    upstream = UpstreamSettings().upstream()
    assert upstream.hf == "http://127.0.0.1:1/hf"
    assert upstream.github_token == "ghp_env"


async def test_one_retry_policy_retries_transient_failures_then_gives_up_with_the_last_one() -> None:
    calls: list[int] = []

    async def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            check_status(503, "GitHub")
        return "content"

    assert await retrying(flaky, "flaky", wait=0.001) == "content" and len(calls) == 3

    async def down() -> str:
        check_status(502, "Hugging Face")
        return "an error page"

    with pytest.raises(UpstreamTransient, match="Hugging Face answered 502"):
        await retrying(down, "down", attempts=2, wait=0.001)


async def test_a_definite_answer_is_not_retried() -> None:
    calls: list[int] = []

    async def missing() -> str:
        calls.append(1)
        check_status(404, "GitHub")  # a 404 is an answer, not a failure to retry
        return "an error page"

    with pytest.raises(UpstreamMissing):
        await retrying(missing, "missing", wait=0.001)
    assert calls == [1]


@pytest.mark.parametrize(
    ("status", "headers", "failure"),
    [
        (500, {}, UpstreamTransient),
        (503, {}, UpstreamTransient),
        (429, {}, UpstreamTransient),
        (403, {"X-RateLimit-Remaining": "0"}, UpstreamTransient),  # GitHub's rate limit: worth waiting for
        (404, {}, UpstreamMissing),
        (401, {"X-Error-Code": "RepoNotFound"}, UpstreamMissing),  # the Hub's answer to anonymous callers
        (401, {}, UpstreamDenied),
        (403, {"X-RateLimit-Remaining": "12"}, UpstreamDenied),
        (400, {}, UpstreamRejected),
        (304, {}, UpstreamRejected),
    ],
)
def test_one_status_mapping(status: int, headers: dict[str, str], failure: type[Exception]) -> None:
    assert type(status_failure(status, "GitHub /repos/o/r", headers)) is failure
    with pytest.raises(failure):
        check_status(status, "GitHub /repos/o/r", headers)


def test_a_gated_repository_is_denied_and_says_so() -> None:
    denied = status_failure(401, "ILSVRC/imagenet-1k", {"X-Error-Code": "GatedRepo"})
    assert isinstance(denied, UpstreamDenied) and denied.gated and denied.status == 401
