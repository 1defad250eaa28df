"""File downloads: ``/resolve``, the same-host ``/api/resolve-cache`` hop and the LFS "CDN".

Real Hub behaviour reproduced here (see README for the sources):

* regular git files: ``HEAD|GET /{repo}/resolve/{rev}/{path}`` answers a relative **307** to
  ``/api/resolve-cache/...`` with ``X-Repo-Commit`` and ``X-Linked-Etag`` (git blob sha1); the hop
  answers 200 with ``ETag``, ``Content-Length`` and the bytes.
* LFS files: **302** to a CDN on another host with ``X-Linked-Size`` and ``X-Linked-Etag`` (sha256);
  huggingface_hub stops at that cross-host redirect and takes the metadata from it. The mirror's
  "CDN" is itself, addressed through the other loopback name (``127.0.0.1`` <-> ``localhost``).
"""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from tests.mirror.hf_common import HfPath, entry_not_found, gated_denied, redirect
from tests.mirror.http_util import send_bytes
from tests.mirror.store import HfRepo, JsonObj

TEXT_SUFFIXES = (".json", ".md", ".txt", ".py", ".yaml", ".yml", ".csv", ".jsonl", ".gitattributes", ".model")
CDN_PREFIX = "/hf-cdn"


def _disposition(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return f"inline; filename*=UTF-8''{quote(name)}; filename=\"{name}\";"


def _content_type(path: str, content: bytes | None) -> str:
    if content is not None:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            return "application/octet-stream"
        return "text/plain; charset=utf-8"
    return "text/plain; charset=utf-8" if path.endswith(TEXT_SUFFIXES) else "application/octet-stream"


def _cdn_origin(request: web.Request) -> str:
    """The other loopback name, so that the CDN is a different host, as on the real Hub."""
    host = request.host
    name, sep, port = host.rpartition(":") if not host.startswith("[") else (host, "", "")
    if not sep:
        name, port = host, ""
    swapped = {"127.0.0.1": "localhost", "localhost": "127.0.0.1"}.get(name, name)
    return f"{request.scheme}://{swapped}{':' + port if port else ''}"


def _file_entry(repo: HfRepo, path: str) -> JsonObj | None:
    entry = repo.entry(path)
    return entry if entry is not None and entry["type"] == "file" else None


def resolve(request: web.Request, repo: HfRepo, hp: HfPath, commit: str, prefix: str) -> web.Response:
    """``HEAD|GET [/datasets]/{repo}/resolve/{rev}/{path}``."""
    denied = gated_denied(request, repo)
    if denied is not None:
        return denied
    entry = _file_entry(repo, hp.path)
    if entry is None:
        return entry_not_found(commit)
    headers = {
        "X-Repo-Commit": commit,
        "Accept-Ranges": "bytes",
        "Content-Disposition": _disposition(hp.path),
    }
    if "lfs" in entry:
        lfs = entry["lfs"]
        headers["X-Linked-Size"] = str(lfs["size"])
        headers["X-Linked-Etag"] = f'"{lfs["oid"]}"'
        headers["Cache-Control"] = "no-store"
        name = quote(hp.path.rsplit("/", 1)[-1])
        location = f"{_cdn_origin(request)}{CDN_PREFIX}/{repo.kind}/{repo.repo_id}/{lfs['oid']}?filename={name}"
        return redirect(location, 302, headers)
    headers["X-Linked-Etag"] = f'"{entry["oid"]}"'
    original = quote(
        f"/{'datasets/' if repo.kind == 'datasets' else ''}{repo.repo_id}/resolve/{hp.revision}/{hp.path}", safe=""
    )
    etag = quote(f'"{entry["oid"]}"', safe="")
    location = (
        f"{prefix}/api/resolve-cache/{repo.kind}/{repo.repo_id}/{commit}/{quote(hp.path)}?{original}=&etag={etag}"
    )
    return redirect(location, 307, headers)


async def resolve_cache(request: web.Request, repo: HfRepo, hp: HfPath) -> web.StreamResponse:
    """``HEAD|GET /api/resolve-cache/{kind}/{repo}/{commit}/{path}``: the bytes of a git file."""
    denied = gated_denied(request, repo)
    if denied is not None:
        return denied
    entry = _file_entry(repo, hp.path)
    if entry is None or "lfs" in entry:
        return entry_not_found(repo.sha)
    etag = f'"{entry["oid"]}"'
    if request.headers.get("If-None-Match") == etag:
        return web.Response(status=304, headers={"ETag": etag, "X-Repo-Commit": repo.sha})
    content = repo.content(hp.path)
    headers = {
        "ETag": etag,
        "X-Repo-Commit": repo.sha,
        "Content-Type": _content_type(hp.path, content),
        "Content-Disposition": _disposition(hp.path),
        "Cache-Control": "public, max-age=31536000, immutable",
    }
    size = len(content) if content is not None else int(entry["size"])
    return await send_bytes(
        request, headers=headers, size=size, content=content, seed=repo.filler_seed(entry),
        wrong=repo.served_wrong(hp.path),
    )  # fmt: skip


async def cdn(request: web.Request, repo: HfRepo, sha256: str) -> web.StreamResponse:
    """``HEAD|GET /hf-cdn/{kind}/{repo}/{sha256}``: an LFS object, served as filler bytes."""
    entry = next((e for e in repo.tree if e.get("lfs", {}).get("oid") == sha256), None)
    if entry is None:
        return web.Response(status=404, text="Not Found")
    headers = {
        "ETag": f'"{sha256}"',
        "Content-Type": "application/octet-stream",
        "Content-Disposition": _disposition(request.rel_url.query.get("filename", entry["path"])),
        "Cache-Control": "public, max-age=604800, immutable",
    }
    content = repo.content(entry["path"])
    size = len(content) if content is not None else int(entry["lfs"]["size"])
    return await send_bytes(
        request, headers=headers, size=size, content=content, seed=repo.filler_seed(entry),
        wrong=repo.served_wrong(entry["path"]),
    )  # fmt: skip
