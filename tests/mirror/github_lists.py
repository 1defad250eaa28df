"""GitHub list endpoints (contributors, commits, pulls, reviews), a single pull request, languages, tarball, routing."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from aiohttp import web

from tests.mirror import github_expand as expand
from tests.mirror.github import (
    DOC,
    LIMITS_KEY,
    PREFIX_KEY,
    STORE_KEY,
    RateLimits,
    api_base,
    common_headers,
    gh_json,
    license_file,
    not_found,
    rate_limit,
    rate_limit_middleware,
    readme,
    repo_object,
)
from tests.mirror.store import GhRepo, JsonObj, Store

CODELOAD_PREFIX = "/codeload"


def unsupported(what: str) -> web.Response:
    """Loud 501 for a query the fixtures cannot answer faithfully (never a silent wrong answer)."""
    return web.json_response({"message": f"mirror: {what} is not recorded in the fixtures"}, status=501)


def _int_param(request: web.Request, name: str, default: int) -> int:
    try:
        return int(request.rel_url.query.get(name, default))
    except ValueError:
        return default


def paginate(request: web.Request, repo: GhRepo, resource: str, items: list[Any]) -> tuple[list[Any], dict[str, str]]:
    """Slice ``items`` by ``per_page``/``page`` and build GitHub's ``Link`` header.

    Like api.github.com, the links use the ``/repositories/{id}/...`` form and keep the
    caller's other query parameters.
    """
    per_page = min(max(_int_param(request, "per_page", 30), 1), 100)
    page = max(_int_param(request, "page", 1), 1)
    last = max(math.ceil(len(items) / per_page), 1)
    chunk = items[(page - 1) * per_page : page * per_page]
    query = [(k, v) for k, v in request.rel_url.query.items() if k != "page"]
    base = f"{api_base(request)}/repositories/{repo.repo['id']}/{resource}"

    def link(number: int, rel: str) -> str:
        params = "&".join(f"{k}={v}" for k, v in [*query, ("page", str(number))])
        return f'<{base}?{params}>; rel="{rel}"'

    links = []
    if page > 1:
        links.append(link(min(page - 1, last), "prev"))
    if page < last:
        links += [link(page + 1, "next"), link(last, "last")]
    if page > 1:
        links.append(link(1, "first"))
    return chunk, ({"Link": ", ".join(links)} if links else {})


def contributors(request: web.Request, store: Store, repo: GhRepo) -> web.Response:
    """``GET /repos/{o}/{r}/contributors`` (sorted by contributions, as recorded)."""
    items = [expand.contributor(store, c) for c in repo.optional_json("contributors.json", [])]
    page, headers = paginate(request, repo, "contributors", items)
    return gh_json(request, page, headers=headers)


def commits(request: web.Request, store: Store, repo: GhRepo) -> web.Response:
    """``GET /repos/{o}/{r}/commits`` on the default branch (``since``/``until``/``author``)."""
    query = request.rel_url.query
    recorded: list[JsonObj] = repo.optional_json("commits.json", [])
    if "path" in query:
        return unsupported("per-path commit history")
    sha = query.get("sha")
    if sha and sha != repo.repo["default_branch"] and not (recorded and recorded[0]["sha"].startswith(sha)):
        return unsupported(f"history of ref {sha!r}")
    since, until, author = query.get("since"), query.get("until"), query.get("author")
    selected = [
        c
        for c in recorded
        if (since is None or c["committer"]["date"] >= since)
        and (until is None or c["committer"]["date"] <= until)
        and (author is None or author in (c["author"].get("login"), c["author"]["email"]))
    ]
    page, headers = paginate(request, repo, "commits", [expand.commit(store, repo, c) for c in selected])
    return gh_json(request, page, headers=headers)


def pulls(request: web.Request, store: Store, repo: GhRepo) -> web.Response:
    """``GET /repos/{o}/{r}/pulls?state=open|closed|all&sort=&direction=&base=&head=``."""
    query = request.rel_url.query
    state = query.get("state", "open")
    if state not in ("open", "closed", "all"):
        body = {
            "message": "Validation Failed",
            "errors": [{"resource": "PullRequest", "field": "state", "code": "invalid"}],
            "documentation_url": DOC["pulls"],
            "status": "422",
        }
        return web.json_response(body, status=422)
    sort = query.get("sort", "created")
    key = {"created": "created_at", "updated": "updated_at"}.get(sort)
    if key is None:
        return unsupported(f"sort={sort}")
    recorded: list[JsonObj] = repo.optional_json("pulls.json", [])
    selected = [
        p
        for p in recorded
        if (state == "all" or p["state"] == state) and ("base" not in query or p["base"]["ref"] == query["base"])
    ]
    descending = query.get("direction", "desc") == "desc"
    selected.sort(key=lambda p: str(p[key]), reverse=descending)
    page, headers = paginate(request, repo, "pulls", [expand.pull(store, repo, p) for p in selected])
    return gh_json(request, page, headers=headers)


DIFF_MEDIA = re.compile(r"vnd\.github(?:\.v3)?\.(diff|patch|html|text|full)\b")


def pull_request(request: web.Request, store: Store, repo: GhRepo, number: int) -> web.Response:
    """``GET /repos/{o}/{r}/pulls/{n}``: the list item plus merge state, comment and line counts."""
    item = next((p for p in repo.optional_json("pulls.json", []) if p["number"] == number), None)
    if item is None:
        return not_found(DOC["pull"])
    media = DIFF_MEDIA.search(request.headers.get("Accept", ""))
    if media:
        return unsupported(f"the {media.group(1)} media type of a pull request")
    if any(name not in item for name in expand.PULL_LINE_COUNTS):
        return unsupported(f"the line counts of pull request #{number}")
    return gh_json(request, expand.pull_detail(store, repo, item))


def reviews(request: web.Request, store: Store, repo: GhRepo, number: int) -> web.Response:
    """``GET /repos/{o}/{r}/pulls/{n}/reviews`` (oldest first; ``[]`` for a PR without a reviews file)."""
    if not any(p["number"] == number for p in repo.optional_json("pulls.json", [])):
        return not_found(DOC["reviews"])
    recorded: list[JsonObj] = repo.optional_json(f"reviews/{number}.json", [])
    page, headers = paginate(
        request, repo, f"pulls/{number}/reviews", [expand.review(store, repo, number, r) for r in recorded]
    )
    return gh_json(request, page, headers=headers)


def tarball(request: web.Request, repo: GhRepo, ref: str | None) -> web.Response:
    """``GET /repos/{o}/{r}/tarball[/{ref}]``: 302 to codeload, as api.github.com does."""
    head = str(repo.optional_json("commits.json", [{}])[0].get("sha", ""))
    branch = repo.repo["default_branch"]
    ref = ref or branch
    if ref == branch:
        target = f"refs/heads/{branch}"
    elif len(ref) >= 7 and head.startswith(ref):
        target = ref
    else:
        return not_found(DOC["tarball"])
    origin = f"{request.scheme}://{request.host}"
    location = f"{origin}{CODELOAD_PREFIX}/{repo.repo['full_name']}/legacy.tar.gz/{target}"
    return web.Response(status=302, headers={"Location": location, "Content-Length": "0"})


Handler = Callable[[web.Request, Store, GhRepo, list[str]], web.Response]

ROUTES: dict[str, tuple[str, Handler]] = {
    "": ("repo", lambda rq, st, rp, rest: repo_object(rq, rp)),
    "readme": ("readme", lambda rq, st, rp, rest: readme(rq, rp)),
    "license": ("license", lambda rq, st, rp, rest: license_file(rq, rp)),
    "contributors": ("contributors", lambda rq, st, rp, rest: contributors(rq, st, rp)),
    "commits": ("commits", lambda rq, st, rp, rest: commits(rq, st, rp)),
    "pulls": ("pulls", lambda rq, st, rp, rest: pulls(rq, st, rp)),
    "languages": ("languages", lambda rq, st, rp, rest: gh_json(rq, rp.optional_json("languages.json", {}))),
    "tarball": ("tarball", lambda rq, st, rp, rest: tarball(rq, rp, rest[0] if rest else None)),
}


async def dispatch(request: web.Request) -> web.Response:
    """Route ``/repos/{owner}/{repo}/...`` and ``/repositories/{id}/...``."""
    store = request.app[STORE_KEY]
    segs = [s for s in request.match_info["tail"].split("/") if s]
    if request.method not in ("GET", "HEAD") or not segs:
        return not_found()
    if segs[0] == "rate_limit" and len(segs) == 1:
        return rate_limit(request)
    repo: GhRepo | None
    if segs[0] == "repos" and len(segs) >= 3:
        repo, rest = store.gh_repo(segs[1], segs[2]), segs[3:]
    elif segs[0] == "repositories" and len(segs) >= 2 and segs[1].isdigit():
        repo, rest = store.gh_repo_by_id(int(segs[1])), segs[2:]
    else:
        return not_found()
    resource = rest[0] if rest else ""
    if resource == "pulls" and len(rest) == 3 and rest[1].isdigit() and rest[2] == "reviews":
        return reviews(request, store, repo, int(rest[1])) if repo else not_found(DOC["reviews"])
    if resource == "pulls" and len(rest) == 2 and rest[1].isdigit():
        return pull_request(request, store, repo, int(rest[1])) if repo else not_found(DOC["pull"])
    route = ROUTES.get(resource)
    allowed_depth = 2 if resource == "tarball" else 1
    if route is None or len(rest) > max(allowed_depth, 1) or (resource == "" and rest):
        return not_found()
    doc, handler = route
    if repo is None:
        return not_found(DOC[doc])
    return handler(request, store, repo, rest[1:])


def build_github_app(store: Store, prefix: str, limits: RateLimits) -> web.Application:
    """Sub-application mounted at ``prefix`` (``/gh``) emulating api.github.com."""
    app = web.Application(middlewares=[rate_limit_middleware])
    app[STORE_KEY] = store
    app[PREFIX_KEY] = prefix
    app[LIMITS_KEY] = limits
    app.on_response_prepare.append(common_headers)
    app.router.add_route("*", "/{tail:.*}", dispatch)
    return app
