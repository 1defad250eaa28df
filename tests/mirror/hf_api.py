"""Hub JSON API: repo info, tree listing, paths-info, refs and auth-check."""

from __future__ import annotations

import base64
import json
from typing import Any

from aiohttp import web
from multidict import MultiMapping

from tests.mirror.hf_common import HfPath, gated_denied
from tests.mirror.http_util import json_response
from tests.mirror.store import HfRepo, JsonObj

EXPANDABLE = {
    "models": frozenset(
        {
            "author",
            "baseModels",
            "cardData",
            "childrenModelCount",
            "config",
            "createdAt",
            "disabled",
            "downloads",
            "downloadsAllTime",
            "evalResults",
            "gated",
            "gguf",
            "inference",
            "inferenceProviderMapping",
            "lastModified",
            "library_name",
            "likes",
            "mask_token",
            "model-index",
            "pipeline_tag",
            "private",
            "resourceGroup",
            "safetensors",
            "sha",
            "siblings",
            "spaces",
            "tags",
            "transformersInfo",
            "trendingScore",
            "usedStorage",
            "widgetData",
            "xetEnabled",
        }
    ),
    "datasets": frozenset(
        {
            "author",
            "cardData",
            "citation",
            "createdAt",
            "description",
            "disabled",
            "downloads",
            "downloadsAllTime",
            "gated",
            "lastModified",
            "likes",
            "mainSize",
            "paperswithcode_id",
            "private",
            "resourceGroup",
            "sha",
            "siblings",
            "tags",
            "trendingScore",
            "usedStorage",
            "xetEnabled",
        }
    ),
}
TREE_PAGE = 1000


def _truthy(value: str | None) -> bool:
    return value is not None and value.lower() in ("1", "true", "yes")


def _expand_list(query: MultiMapping[str]) -> list[str]:
    values = [*query.getall("expand", []), *query.getall("expand[]", [])]
    return [v for raw in values for v in raw.split(",") if v]


def sibling_with_blob(entry: JsonObj) -> JsonObj:
    """``siblings[]`` item as ``?blobs=true`` returns it (``lfs.sha256`` where /tree says ``oid``)."""
    item: JsonObj = {"rfilename": entry["path"], "blobId": entry["oid"], "size": entry["size"]}
    if "lfs" in entry:
        lfs = entry["lfs"]
        item["lfs"] = {"sha256": lfs["oid"], "size": lfs["size"], "pointerSize": lfs["pointerSize"]}
    return item


def info(request: web.Request, repo: HfRepo) -> web.Response:
    """``GET /api/{models|datasets}/{id}[/revision/{rev}]``."""
    query = request.rel_url.query
    expand = _expand_list(query)
    if expand:
        unknown = [name for name in expand if name not in EXPANDABLE[repo.kind]]
        if unknown:
            message = f'"expand" contains invalid value(s): {", ".join(unknown)}'
            return json_response({"error": message}, status=400)
        source = {**repo.info, **repo.expand_extra}
        body: JsonObj = {"_id": repo.info["_id"], "id": repo.info["id"]}
        for name in expand:
            if name in source:
                body[name] = source[name]
        return json_response(body)
    body = dict(repo.info)
    if _truthy(query.get("blobs")):
        files = {e["path"]: e for e in repo.tree if e["type"] == "file"}
        body["siblings"] = [sibling_with_blob(files[s["rfilename"]]) for s in repo.info.get("siblings", [])]
    if _truthy(query.get("securityStatus")):
        body["securityRepoStatus"] = repo.expand_extra.get(
            "securityRepoStatus", {"scansDone": True, "filesWithIssues": []}
        )
    return json_response(body)


def _encode_cursor(last_path: str, limit: int) -> str:
    inner = base64.b64encode(json.dumps({"file_name": last_path}).encode()).decode()
    return base64.b64encode(f"{inner}:{limit}".encode()).decode()


def _decode_cursor(cursor: str) -> str | None:
    try:
        inner, _, _limit = base64.b64decode(cursor).decode().rpartition(":")
        value: Any = json.loads(base64.b64decode(inner))
        return str(value["file_name"])
    except (ValueError, KeyError, TypeError):
        return None


def tree(request: web.Request, repo: HfRepo, hp: HfPath) -> web.Response:
    """``GET /api/{kind}/{id}/tree/{rev}[/{path}]?recursive=&limit=&cursor=``."""
    query = request.rel_url.query
    base = hp.path.strip("/")
    if base:
        entry = repo.entry(base)
        if entry is None or entry["type"] != "directory":
            message = f'{base} does not exist on "{hp.revision}"'
            headers = {"X-Error-Code": "EntryNotFound", "X-Error-Message": message}
            return json_response({"error": message}, status=404, headers=headers)
    prefix = f"{base}/" if base else ""
    recursive = _truthy(query.get("recursive"))
    entries = [
        e for e in repo.tree if e["path"].startswith(prefix) and (recursive or "/" not in e["path"][len(prefix) :])
    ]
    limit = min(int(query.get("limit", TREE_PAGE) or TREE_PAGE), TREE_PAGE)
    cursor = query.get("cursor")
    if cursor:
        after = _decode_cursor(cursor)
        if after is None:
            return json_response({"error": "Invalid cursor"}, status=400)
        entries = [e for e in entries if e["path"] > after]
    page, more = entries[:limit], len(entries) > limit
    links: dict[str, str] = {}
    if more:
        url = request.url.update_query({"cursor": _encode_cursor(page[-1]["path"], limit), "limit": limit})
        links["Link"] = f'<{url}>; rel="next"'
    return json_response(page, headers=links)


async def paths_info(request: web.Request, repo: HfRepo) -> web.Response:
    """``POST /api/{kind}/{id}/paths-info/{rev}`` (form or JSON body with ``paths``)."""
    paths: list[str]
    if request.content_type == "application/json":
        payload = await request.json()
        paths = [str(p) for p in payload.get("paths", [])]
    else:
        form = await request.post()
        paths = [str(p) for p in form.getall("paths", [])]
    found = [entry for p in paths if (entry := repo.entry(p.strip("/"))) is not None]
    return json_response(found)


def refs(request: web.Request, repo: HfRepo) -> web.Response:
    """``GET /api/{kind}/{id}/refs[?include_prs=1]``."""
    declared: JsonObj = repo.mirror.get("refs", {})

    def ref(name: str, prefix: str) -> JsonObj:
        return {"name": name, "ref": f"refs/{prefix}/{name}", "targetCommit": repo.sha}

    body: JsonObj = {
        "branches": [ref(b, "heads") for b in ["main", *declared.get("branches", [])]],
        "converts": [
            {"name": name, "ref": f"refs/convert/{name}", "targetCommit": commit}
            for name, commit in declared.get("converts", {}).items()
        ],
        "tags": [ref(t, "tags") for t in declared.get("tags", [])],
    }
    if _truthy(request.rel_url.query.get("include_prs")):
        body["pullRequests"] = []
    return json_response(body)


def auth_check(request: web.Request, repo: HfRepo) -> web.Response:
    """``GET /api/{kind}/{id}/auth-check``: 200 when the caller may download the files."""
    denied = gated_denied(request, repo)
    return denied if denied is not None else json_response({})
