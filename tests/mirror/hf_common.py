"""URL grammar, headers and error answers of the Hugging Face Hub emulation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from aiohttp import web

from tests.mirror.http_util import hf_request_id, json_response
from tests.mirror.store import HfRepo

API_KEYWORDS = frozenset({"revision", "tree", "refs", "paths-info", "auth-check"})
COMMIT_RE = re.compile(r"^[0-9a-f]{40}$")
SHORT_SHA_RE = re.compile(r"^[0-9a-f]{7,39}$")
EXPOSE = (
    "X-Repo-Commit,X-Request-Id,X-Error-Code,X-Error-Message,X-Total-Count,ETag,Link,Accept-Ranges,"
    "Content-Range,X-Linked-Size,X-Linked-ETag,X-Xet-Hash"
)
ANON_MESSAGE = "Invalid username or password."


@dataclass(frozen=True)
class HfPath:
    """A parsed Hub URL (path below the ``/hf`` prefix)."""

    op: str  # info | tree | refs | paths-info | auth-check | resolve | resolve-cache
    kind: str  # models | datasets
    repo_id: str
    revision: str | None
    path: str


def split_raw(raw_path: str, prefix: str) -> list[str]:
    """Split the still-encoded path into decoded segments (``%2F`` stays inside a segment)."""
    tail = raw_path[len(prefix) :] if raw_path.startswith(prefix) else raw_path
    return [unquote(seg) for seg in tail.strip("/").split("/")] if tail.strip("/") else []


def parse(segs: list[str]) -> HfPath | None:
    """Recognise the Hub routes the mirror serves; ``None`` for anything else."""
    if len(segs) >= 3 and segs[0] == "api" and segs[1] in ("models", "datasets"):
        return _parse_api(segs[1], segs[2:])
    if len(segs) >= 5 and segs[0] == "api" and segs[1] == "resolve-cache" and segs[2] in ("models", "datasets"):
        rest = segs[3:]
        for i, seg in enumerate(rest):
            if i in (1, 2) and COMMIT_RE.match(seg) and len(rest) > i + 1:
                return HfPath("resolve-cache", segs[2], "/".join(rest[:i]), seg, "/".join(rest[i + 1 :]))
        return None
    kind = "models"
    if segs and segs[0] == "datasets":
        kind, segs = "datasets", segs[1:]
    for i in (1, 2):
        if len(segs) > i + 2 and segs[i] == "resolve":
            return HfPath("resolve", kind, "/".join(segs[:i]), segs[i + 1], "/".join(segs[i + 2 :]))
    return None


def _parse_api(kind: str, rest: list[str]) -> HfPath | None:
    id_len = 2 if len(rest) >= 2 and (len(rest) == 2 or rest[2] in API_KEYWORDS) else 1
    repo_id, tail = "/".join(rest[:id_len]), rest[id_len:]
    if not tail:
        return HfPath("info", kind, repo_id, None, "")
    op = tail[0]
    if op == "revision" and len(tail) == 2:
        return HfPath("info", kind, repo_id, tail[1], "")
    if op == "tree" and len(tail) >= 2:
        return HfPath("tree", kind, repo_id, tail[1], "/".join(tail[2:]))
    if op == "paths-info" and len(tail) == 2:
        return HfPath("paths-info", kind, repo_id, tail[1], "")
    if op in ("refs", "auth-check") and len(tail) == 1:
        return HfPath(op, kind, repo_id, None, "")
    return None


def bearer_token(request: web.Request) -> str | None:
    """Token sent as ``Authorization: Bearer <token>`` (how huggingface_hub authenticates)."""
    value = request.headers.get("Authorization", "")
    scheme, _, token = value.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


async def add_common_headers(request: web.Request, response: web.StreamResponse) -> None:
    """``on_response_prepare`` hook: headers every huggingface.co answer carries."""
    response.headers.setdefault("X-Powered-By", "huggingface-moon")
    response.headers.setdefault("X-Request-Id", hf_request_id())
    response.headers.setdefault("Access-Control-Expose-Headers", EXPOSE)
    response.headers.setdefault("Vary", "Origin")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")


def repo_not_found(request: web.Request, *, api: bool) -> web.Response:
    """Unknown (or private) repo.

    Anonymous callers get the Hub's anti-enumeration 401 ``Invalid username or password.``;
    authenticated callers get 404 ``Repository not found``. See README: the 401 also carries
    ``X-Error-Code: RepoNotFound`` so that huggingface_hub classifies it over plain http exactly
    as it does against https://huggingface.co.
    """
    if bearer_token(request) is None:
        headers = {
            "X-Error-Code": "RepoNotFound",
            "X-Error-Message": ANON_MESSAGE,
            "WWW-Authenticate": 'Bearer realm="Authentication required", charset="UTF-8"',
        }
        if api:
            return json_response({"error": ANON_MESSAGE}, status=401, headers=headers)
        return web.Response(status=401, text=ANON_MESSAGE, headers=headers)
    headers = {"X-Error-Code": "RepoNotFound", "X-Error-Message": "Repository not found"}
    return json_response({"error": "Repository not found"}, status=404, headers=headers)


def revision_not_found(revision: str) -> web.Response:
    """404 ``RevisionNotFound`` as the Hub answers an unknown branch/tag/commit."""
    message = f"Invalid rev id: {revision}"
    headers = {"X-Error-Code": "RevisionNotFound", "X-Error-Message": message}
    return json_response({"error": message}, status=404, headers=headers)


def entry_not_found(commit: str) -> web.Response:
    """404 ``EntryNotFound`` (with ``X-Repo-Commit`` so clients can cache the miss)."""
    headers = {"X-Error-Code": "EntryNotFound", "X-Error-Message": "Entry not found", "X-Repo-Commit": commit}
    return web.Response(status=404, text="Entry not found", headers=headers)


def gated_denied(request: web.Request, repo: HfRepo) -> web.Response | None:
    """401/403 ``GatedRepo`` unless the caller's token was granted access (``mirror.json``)."""
    if not repo.gated:
        return None
    token = bearer_token(request)
    if token is not None and token in repo.mirror.get("granted_tokens", []):
        return None
    noun = repo.type_singular
    if token is None:
        status = 401
        message = (
            f"Access to {noun} {repo.repo_id} is restricted. You must have access to it and be "
            "authenticated to access it. Please log in."
        )
    else:
        status = 403
        url_prefix = "" if repo.kind == "models" else "datasets/"
        message = (
            f"Access to {noun} {repo.repo_id} is restricted and you are not in the authorized list. "
            f"Visit https://huggingface.co/{url_prefix}{repo.repo_id} to ask for access."
        )
    headers = {"X-Error-Code": "GatedRepo", "X-Error-Message": message}
    return web.Response(status=status, text=message, headers=headers)


def redirect(location: str, status: int, headers: dict[str, str] | None = None) -> web.Response:
    """Express-style redirect, body included, as the Hub sends it."""
    reason = {301: "Moved Permanently", 302: "Found", 307: "Temporary Redirect"}[status]
    all_headers = {"Location": location, **(headers or {})}
    return web.Response(status=status, text=f"{reason}. Redirecting to {location}", headers=all_headers)
