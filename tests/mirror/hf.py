"""Hugging Face Hub emulation: one catch-all route that parses the Hub's URL grammar."""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from tests.mirror import hf_api, hf_files
from tests.mirror.hf_common import (
    SHORT_SHA_RE,
    HfPath,
    add_common_headers,
    parse,
    redirect,
    repo_not_found,
    revision_not_found,
    split_raw,
)
from tests.mirror.http_util import json_response
from tests.mirror.store import HfRepo, Store

STORE_KEY = web.AppKey("hf_store", Store)
PREFIX_KEY = web.AppKey("hf_prefix", str)
NOT_FOUND = "Sorry, we can't find the page you are looking for."


def _page_not_found() -> web.Response:
    return json_response({"error": NOT_FOUND}, status=404)


def _repo_url_part(kind: str, repo_id: str) -> str:
    return f"{'datasets/' if kind == 'datasets' else ''}{repo_id}"


def _canonical_location(request: web.Request, prefix: str, hp: HfPath, canonical: str) -> str:
    """Same URL with the canonical repo id, relative like the Hub's own 307."""
    segs = request.rel_url.raw_path[len(prefix) :].strip("/").split("/")
    n = len(hp.repo_id.split("/"))
    rebuilt = [*segs[:2], *canonical.split("/"), *segs[2 + n :]]
    query = f"?{request.rel_url.raw_query_string}" if request.rel_url.raw_query_string else ""
    return f"{prefix}/{'/'.join(rebuilt)}{query}"


async def dispatch(request: web.Request) -> web.StreamResponse:
    """Route any request below ``/hf`` to the matching Hub endpoint."""
    store, prefix = request.app[STORE_KEY], request.app[PREFIX_KEY]
    hp = parse(split_raw(request.rel_url.raw_path, prefix))
    if hp is None:
        return _page_not_found()
    allowed = {"POST"} if hp.op == "paths-info" else {"GET", "HEAD"}
    if request.method not in allowed:
        return _page_not_found()
    repo = store.hf_repo(hp.kind, hp.repo_id)
    canonical = store.hf_canonical(hp.kind, hp.repo_id)
    if canonical is not None:
        if hp.op not in ("resolve", "resolve-cache"):
            return redirect(_canonical_location(request, prefix, hp, canonical), 307)
        repo = store.hf_repo(hp.kind, canonical)
    if repo is None:
        return repo_not_found(request, api=hp.op not in ("resolve", "resolve-cache"))
    return await _serve(request, repo, hp, prefix)


async def _serve(request: web.Request, repo: HfRepo, hp: HfPath, prefix: str) -> web.StreamResponse:
    if hp.op == "refs":
        return hf_api.refs(request, repo)
    if hp.op == "auth-check":
        return hf_api.auth_check(request, repo)
    if hp.op == "resolve-cache":
        if hp.revision != repo.sha:
            return revision_not_found(hp.revision or "")
        return await hf_files.resolve_cache(request, repo, hp)
    revision = hp.revision or "main"
    commit = repo.resolve_revision(revision)
    if commit is None and SHORT_SHA_RE.match(revision) and repo.sha.startswith(revision):
        if hp.op == "resolve":
            location = f"{prefix}/{_repo_url_part(repo.kind, repo.repo_id)}/resolve/{repo.sha}/{quote(hp.path)}"
            return redirect(location, 307, {"X-Repo-Commit": repo.sha})
        commit = repo.sha
    if commit is None:
        return revision_not_found(revision)
    if hp.op == "info":
        return hf_api.info(request, repo)
    if hp.op == "tree":
        return hf_api.tree(request, repo, hp)
    if hp.op == "paths-info":
        return await hf_api.paths_info(request, repo)
    return hf_files.resolve(request, repo, hp, commit, prefix)


async def cdn_dispatch(request: web.Request) -> web.StreamResponse:
    """``/hf-cdn/{kind}/{repo_id}/{sha256}``: the LFS/Xet CDN stand-in."""
    store, prefix = request.app[STORE_KEY], request.app[PREFIX_KEY]
    segs = split_raw(request.rel_url.raw_path, prefix)
    if request.method not in ("GET", "HEAD") or len(segs) < 3 or segs[0] not in ("models", "datasets"):
        return web.Response(status=404, text="Not Found")
    repo = store.hf_repo(segs[0], "/".join(segs[1:-1]))
    if repo is None:
        return web.Response(status=404, text="Not Found")
    return await hf_files.cdn(request, repo, segs[-1])


def build_hf_app(store: Store, prefix: str) -> web.Application:
    """Sub-application mounted at ``prefix`` (``/hf``) serving the Hub API and downloads."""
    app = web.Application()
    app[STORE_KEY] = store
    app[PREFIX_KEY] = prefix
    app.on_response_prepare.append(add_common_headers)
    app.router.add_route("*", "/{tail:.*}", dispatch)
    return app


def build_cdn_app(store: Store) -> web.Application:
    """Sub-application mounted at ``/hf-cdn`` (the host LFS redirects point to)."""
    app = web.Application()
    app[STORE_KEY] = store
    app[PREFIX_KEY] = hf_files.CDN_PREFIX
    app.router.add_route("*", "/{tail:.*}", cdn_dispatch)
    return app
