"""Hugging Face and GitHub urls and API paths, validated and encoded in one place.

Anything a stranger typed (a source url, a card's link, a repository path) becomes an upstream request only
through here: urls must be plain ``https://<known host>/...`` (no user info, no backslash, no port, no percent
escapes in the path), and every owner, repository, revision or path segment must be a well-formed name — never
empty, ``.``, ``..``, or carrying a slash, backslash or control character — before it is percent-encoded into an
API path. So ``.../tree/main/../../users/octocat`` cannot turn a README fetch into an arbitrary GitHub API call
made with the server's token, and ``https://evil.com\\@github.com/o/r`` is not taken for GitHub.
"""

import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

HF_HOSTS = frozenset({"huggingface.co", "www.huggingface.co", "hf.co"})
GITHUB_HOSTS = frozenset({"github.com", "www.github.com"})
KAGGLE_HOSTS = frozenset({"kaggle.com", "www.kaggle.com"})

# GitHub: owners are alphanumerics and single hyphens (up to 39), repositories alphanumerics, '-', '_', '.'.
_GITHUB_OWNER = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
# A path segment: any printable character but '/', '\\' and '%' (escapes are decoded nowhere: refused).
_SEGMENT = re.compile(r"^[^/\\%\x00-\x1f\x7f]{1,255}$")


class BadUpstreamUrl(ValueError):
    """A url or path that must not reach an upstream; the message says what is wrong."""


@dataclass(frozen=True)
class ParsedUrl:
    """A checked https url on a known host: the host (lower case) and its path segments."""

    host: str
    segments: list[str]


def parse_url(url: str) -> ParsedUrl:
    """Check ``url`` is a plain http(s) url and split its path; ``BadUpstreamUrl`` saying why otherwise."""
    text = url.strip()
    if "\\" in text:
        raise BadUpstreamUrl("url must not contain a backslash")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in text):
        raise BadUpstreamUrl("url must not contain control characters")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise BadUpstreamUrl("url must be an absolute http(s) url")
    if "@" in parts.netloc:
        raise BadUpstreamUrl("url must not carry user information (user@host)")
    if parts.port is not None:
        raise BadUpstreamUrl("url must not name a port")
    if "%" in parts.path:
        raise BadUpstreamUrl("url path must not contain percent escapes")
    raw = parts.path.split("/")[1:]
    segments = [s for s in raw if s]
    for segment in segments:
        safe_segment(segment, "url path segment")
    return ParsedUrl(host=(parts.hostname or "").lower(), segments=segments)


def safe_segment(segment: str, what: str = "path segment") -> str:
    """``segment`` if it is one well-formed path segment (not ``.``/``..``, no slash or escape), else refuse."""
    if segment in (".", "..") or not _SEGMENT.match(segment):
        raise BadUpstreamUrl(f"{what} {segment!r} is not allowed")
    return segment


def github_repo(owner: str, name: str) -> str:
    """``owner/name`` of a GitHub repository, both checked."""
    if not _GITHUB_OWNER.match(owner):
        raise BadUpstreamUrl(f"{owner!r} is not a GitHub owner name")
    name = name.removesuffix(".git")
    if not _NAME.match(name) or name in (".", ".."):
        raise BadUpstreamUrl(f"{name!r} is not a GitHub repository name")
    return f"{owner}/{name}"


def repo_id(*parts: str) -> str:
    """A Hugging Face or Kaggle repository id (``name`` or ``owner/name``), each part checked."""
    for part in parts:
        if not _NAME.match(part) or part in (".", ".."):
            raise BadUpstreamUrl(f"{part!r} is not a repository name")
    return "/".join(parts)


def hub_repo(repo: str) -> str:
    """A Hugging Face repository id (``name`` or ``owner/name``), checked."""
    parts = repo.split("/")
    if len(parts) > 2:
        raise BadUpstreamUrl(f"{repo!r} is not a Hugging Face repository id")
    return repo_id(*parts)


def file_path(path: str, what: str = "file path") -> str:
    """``path`` if it is plain relative segments (``a/b.txt``: none empty, ``.``, ``..`` or escaped), else refuse."""
    for segment in path.split("/"):
        safe_segment(segment, f"{what} segment")
    return path


def api_path(*segments: str) -> str:
    """``/seg/seg/...`` with every segment checked and percent-encoded (an owner/repo id is two segments)."""
    pieces = [piece for segment in segments for piece in segment.split("/")]
    return "".join("/" + quote(safe_segment(piece), safe="") for piece in pieces)


def github_repo_of_url(url: str) -> str:
    """``owner/repo`` of a ``https://github.com/<owner>/<repo>[/...]`` url; ``BadUpstreamUrl`` otherwise."""
    parsed = parse_url(url)
    if parsed.host not in GITHUB_HOSTS:
        raise BadUpstreamUrl("url must be a https://github.com/<owner>/<repo> url")
    if len(parsed.segments) < 2:
        raise BadUpstreamUrl("url must name a repository: https://github.com/<owner>/<repo>")
    return github_repo(parsed.segments[0], parsed.segments[1])
