"""GitHub REST v3 emulation: app wiring, common headers, rate limiting, repo/readme/license."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.mirror.http_util import json_bytes
from tests.mirror.store import GhRepo, Store, git_blob_sha1

API = "https://api.github.com"
STORE_KEY = web.AppKey("gh_store", Store)
PREFIX_KEY = web.AppKey("gh_prefix", str)
DOCS = "https://docs.github.com/rest"
DOC = {
    "repo": f"{DOCS}/repos/repos#get-a-repository",
    "readme": f"{DOCS}/repos/contents#get-a-repository-readme",
    "license": f"{DOCS}/licenses/licenses#get-the-license-for-a-repository",
    "contributors": f"{DOCS}/repos/repos#list-repository-contributors",
    "commits": f"{DOCS}/commits/commits#list-commits",
    "pulls": f"{DOCS}/pulls/pulls#list-pull-requests",
    "pull": f"{DOCS}/pulls/pulls#get-a-pull-request",
    "reviews": f"{DOCS}/pulls/reviews#list-reviews-for-a-pull-request",
    "languages": f"{DOCS}/repos/repos#list-repository-languages",
    "tarball": f"{DOCS}/repos/contents#download-a-repository-archive-tar",
    "rate": f"{DOCS}/overview/resources-in-the-rest-api#rate-limiting",
}
EXPOSE = (
    "ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining, "
    "X-RateLimit-Used, X-RateLimit-Resource, X-RateLimit-Reset, X-OAuth-Scopes, X-Accepted-OAuth-Scopes, "
    "X-Poll-Interval, X-GitHub-Media-Type, X-GitHub-SSO, X-GitHub-Request-Id, Deprecation, Sunset"
)
README_ORDER = ("readme.md", "readme.markdown", "readme.rst", "readme.txt", "readme")
LICENSE_NAMES = ("license", "license.md", "license.txt", "licence", "copying", "license-code")


@dataclass
class Bucket:
    """One primary rate-limit bucket (``core``)."""

    limit: int
    used: int = 0
    reset: int = 0


@dataclass
class RateLimits:
    """Per-caller ``core`` buckets: one for anonymous callers, one per token."""

    anonymous: int = 60
    authenticated: int = 5000
    buckets: dict[str, Bucket] = field(default_factory=dict)

    def bucket(self, token: str | None) -> Bucket:
        """Bucket of the caller, renewed once its hour has passed."""
        key = token or ""
        now = int(time.time())
        current = self.buckets.get(key)
        if current is None or now >= current.reset:
            limit = self.authenticated if token else self.anonymous
            current = Bucket(limit=limit, reset=now + 3600)
            self.buckets[key] = current
        return current


LIMITS_KEY = web.AppKey("gh_limits", RateLimits)


def token_of(request: web.Request) -> str | None:
    """Token from ``Authorization: token X`` or ``Authorization: Bearer X``."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() or None if scheme.lower() in ("token", "bearer") else None


def api_base(request: web.Request) -> str:
    """Base URL of this emulated API, as seen by the client."""
    return f"{request.scheme}://{request.host}{request.app[PREFIX_KEY]}"


def gh_json(
    request: web.Request, data: Any, *, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """Success body: pretty-printed like api.github.com, its URLs pointing at this mirror."""
    text = json.dumps(data, indent=2, ensure_ascii=False).replace(API, api_base(request))
    body = text.encode()
    all_headers = {"ETag": 'W/"' + hashlib.sha256(body).hexdigest() + '"', **(headers or {})}
    resp = web.Response(body=body, status=status, headers=all_headers)
    resp.content_type, resp.charset = "application/json", "utf-8"
    return resp


def not_found(doc: str = DOCS, message: str = "Not Found") -> web.Response:
    """GitHub's compact 404 body (``status`` is a string)."""
    body = json_bytes({"message": message, "documentation_url": doc, "status": "404"})
    resp = web.Response(body=body, status=404)
    resp.content_type, resp.charset = "application/json", "utf-8"
    return resp


@web.middleware
async def rate_limit_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    """Count each call against the caller's ``core`` bucket and add ``X-RateLimit-*``."""
    token = token_of(request)
    bucket = request.app[LIMITS_KEY].bucket(token)
    counts = not request.path.endswith("/rate_limit")
    if counts and bucket.used >= bucket.limit:
        who = "user" if token else (request.remote or "127.0.0.1")
        message = (
            f"API rate limit exceeded for {who}. (But here's the good news: Authenticated requests get a higher "
            "rate limit. Check out the documentation for more details.)"
            if not token
            else "API rate limit exceeded for user."
        )
        body = json_bytes({"message": message, "documentation_url": DOC["rate"], "status": "403"})
        response: web.StreamResponse = web.Response(body=body, status=403, content_type="application/json")
    else:
        if counts:
            bucket.used += 1
        response = await handler(request)
    response.headers["X-RateLimit-Limit"] = str(bucket.limit)
    response.headers["X-RateLimit-Remaining"] = str(max(bucket.limit - bucket.used, 0))
    response.headers["X-RateLimit-Reset"] = str(bucket.reset)
    response.headers["X-RateLimit-Used"] = str(bucket.used)
    response.headers["X-RateLimit-Resource"] = "core"
    return response


async def common_headers(request: web.Request, response: web.StreamResponse) -> None:
    """``on_response_prepare`` hook: headers every api.github.com answer carries."""
    h = response.headers
    h["Server"] = "github.com"
    h.setdefault("X-GitHub-Media-Type", "github.v3; format=json")
    h.setdefault("X-GitHub-Api-Version-Selected", "2022-11-28")
    h.setdefault("X-GitHub-Request-Id", ":".join(secrets.token_hex(n).upper() for n in (2, 3, 3, 4, 4)))
    h.setdefault("Access-Control-Expose-Headers", EXPOSE)
    h.setdefault("Access-Control-Allow-Origin", "*")
    h.setdefault("Vary", "Accept, Accept-Encoding, Accept, X-Requested-With")
    h.setdefault("X-Frame-Options", "deny")
    h.setdefault("X-Content-Type-Options", "nosniff")
    h.setdefault("X-XSS-Protection", "0")
    h.setdefault("Referrer-Policy", "origin-when-cross-origin, strict-origin-when-cross-origin")
    h.setdefault("Content-Security-Policy", "default-src 'none'")
    if response.status == 200:
        private = "private" if token_of(request) else "public"
        h.setdefault("Cache-Control", f"{private}, max-age=60, s-maxage=60")


def rate_limit(request: web.Request) -> web.Response:
    """``GET /rate_limit`` (does not count against the limit)."""
    token = token_of(request)
    core = request.app[LIMITS_KEY].bucket(token)
    reset = core.reset

    def res(name: str, limit: int, used: int = 0) -> dict[str, Any]:
        return {"limit": limit, "used": used, "remaining": limit - used, "reset": reset, "resource": name}

    auth = token is not None
    core_res = res("core", core.limit, core.used)
    resources = {
        "core": core_res,
        "search": res("search", 30 if auth else 10),
        "graphql": res("graphql", 5000 if auth else 0),
        "integration_manifest": res("integration_manifest", 5000),
        "source_import": res("source_import", 100),
        "code_scanning_upload": res("code_scanning_upload", 1000 if auth else 500),
        "actions_runner_registration": res("actions_runner_registration", 10000),
        "scim": res("scim", 15000),
        "dependency_snapshots": res("dependency_snapshots", 100),
        "dependency_sbom": res("dependency_sbom", 100),
        "audit_log": res("audit_log", 1750),
        "audit_log_streaming": res("audit_log_streaming", 15),
        "code_search": res("code_search", 10),
    }
    return gh_json(request, {"resources": resources, "rate": core_res})


def repo_object(request: web.Request, repo: GhRepo) -> web.Response:
    """``GET /repos/{owner}/{repo}``."""
    return gh_json(request, repo.repo)


def _root_file(repo: GhRepo, names: tuple[str, ...]) -> str | None:
    if not repo.files_root.is_dir():
        return None
    present = {p.name.lower(): p.name for p in repo.files_root.iterdir() if p.is_file()}
    return next((present[n] for n in names if n in present), None)


def content_object(repo: GhRepo, path: str) -> dict[str, Any]:
    """``content-file`` object (``/readme``, ``/license``): base64 wrapped at 60 columns."""
    data = (repo.files_root / path).read_bytes()
    sha = git_blob_sha1(data)
    full, branch = repo.repo["full_name"], repo.repo["default_branch"]
    encoded = base64.b64encode(data).decode()
    wrapped = "".join(encoded[i : i + 60] + "\n" for i in range(0, len(encoded), 60))
    links = {
        "self": f"{API}/repos/{full}/contents/{path}?ref={branch}",
        "git": f"{API}/repos/{full}/git/blobs/{sha}",
        "html": f"https://github.com/{full}/blob/{branch}/{path}",
    }
    return {
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "sha": sha,
        "size": len(data),
        "url": links["self"],
        "html_url": links["html"],
        "git_url": links["git"],
        "download_url": f"https://raw.githubusercontent.com/{full}/{branch}/{path}",
        "type": "file",
        "content": wrapped,
        "encoding": "base64",
        "_links": links,
    }


def _ref_known(repo: GhRepo, ref: str) -> bool:
    head = str(repo.optional_json("commits.json", [{}])[0].get("sha", ""))
    return ref in (repo.repo["default_branch"], head) or (len(ref) >= 7 and head.startswith(ref))


def readme(request: web.Request, repo: GhRepo) -> web.Response:
    """``GET /repos/{o}/{r}/readme``: JSON, or the raw file for ``application/vnd.github.raw``."""
    ref = request.rel_url.query.get("ref")
    if ref is not None and not _ref_known(repo, ref):
        return not_found(DOC["readme"], f"No commit found for the ref {ref}")
    path = _root_file(repo, README_ORDER)
    if path is None:
        return not_found(DOC["readme"])
    accept = request.headers.get("Accept", "")
    if "raw" in accept:
        data = (repo.files_root / path).read_bytes()
        media = "application/vnd.github.v3.raw" if "v3.raw" in accept else "application/vnd.github.raw"
        headers = {"ETag": f'"{git_blob_sha1(data)}"', "X-GitHub-Media-Type": "github.v3; param=raw"}
        resp = web.Response(body=data, headers=headers)
        resp.content_type, resp.charset = media, "utf-8"
        return resp
    return gh_json(request, content_object(repo, path))


def license_file(request: web.Request, repo: GhRepo) -> web.Response:
    """``GET /repos/{o}/{r}/license``: the licence file plus the detected ``license``."""
    detected = repo.repo.get("license")
    path = _root_file(repo, LICENSE_NAMES)
    if detected is None or path is None:
        return not_found(DOC["license"])
    return gh_json(request, {**content_object(repo, path), "license": detected})
