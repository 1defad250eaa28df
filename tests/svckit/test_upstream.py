"""Upstream access: headers and tokens the Hub and GitHub expect."""

import pytest

from svckit.upstream import Upstream, UpstreamSettings


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
