"""Urls and API paths: what a stranger types reaches an upstream only as well-formed, encoded names."""

import pytest

from svckit.upstream_paths import BadUpstreamUrl, api_path, github_repo_of_url, parse_url, repo_id


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("https://github.com/o/r/tree/main/../../users/octocat", "'..'"),
        ("https://evil.com\\@github.com/o/r", "backslash"),
        ("https://evil.com@github.com/o/r", "user information"),
        ("https://github.com:444/o/r", "port"),
        ("https://github.com/o/%2e%2e", "percent escapes"),
        ("ftp://github.com/o/r", "absolute http(s)"),
        ("https://github.com/o\tx/r", "control characters"),
    ],
)
def test_url_tricks_are_refused_saying_why(url: str, why: str) -> None:
    with pytest.raises(BadUpstreamUrl, match=why.replace("(", r"\(").replace(")", r"\)")):
        parse_url(url)


def test_names_are_checked_and_segments_encoded() -> None:
    assert github_repo_of_url("https://github.com/openai/whisper.git") == "openai/whisper"
    assert api_path("repos", "openai/whisper", "readme", "docs dir", "a#b?c") == (
        "/repos/openai/whisper/readme/docs%20dir/a%23b%3Fc"
    )
    for bad in ("..", ".", "", "a\\b"):
        with pytest.raises(BadUpstreamUrl):
            api_path("repos", bad)
    with pytest.raises(BadUpstreamUrl, match="not a repository name"):
        repo_id("owner", "na me")
    with pytest.raises(BadUpstreamUrl, match="not a GitHub owner name"):
        github_repo_of_url("https://github.com/-x-/r")
