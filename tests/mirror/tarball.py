"""codeload.github.com stand-in: ``legacy.tar.gz`` archives built on the fly from ``files/``."""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
from datetime import datetime

from aiohttp import web

from tests.mirror.store import GhRepo, Store

STORE_KEY = web.AppKey("codeload_store", Store)


def build_tarball(repo: GhRepo, sha: str, date: str) -> tuple[str, bytes]:
    """Archive ``files/`` the way ``git archive`` does for GitHub's legacy tarball.

    The top folder is ``{owner}-{repo}-{sha[:7]}/`` and the pax global header carries the commit
    id in ``comment``, exactly like codeload's archives.
    """
    top = f"{repo.repo['owner']['login']}-{repo.repo['name']}-{sha[:7]}"
    mtime = int(datetime.fromisoformat(date.replace("Z", "+00:00")).timestamp())
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT, pax_headers={"comment": sha}) as tar:

        def add_dir(name: str) -> None:
            info = tarfile.TarInfo(name + "/")
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o775, mtime
            info.uname = info.gname = "root"
            tar.addfile(info)

        add_dir(top)
        root = repo.files_root
        for path in sorted(root.rglob("*")) if root.is_dir() else []:
            rel = path.relative_to(root).as_posix()
            if path.is_dir():
                add_dir(f"{top}/{rel}")
                continue
            data = path.read_bytes()
            info = tarfile.TarInfo(f"{top}/{rel}")
            info.size, info.mode, info.mtime = len(data), 0o664, mtime
            info.uname = info.gname = "root"
            tar.addfile(info, io.BytesIO(data))
    return top, gzip.compress(raw.getvalue(), mtime=mtime)


async def codeload(request: web.Request) -> web.Response:
    """``GET /codeload/{owner}/{repo}/legacy.tar.gz/{refs/heads/<branch> | <sha>}``."""
    store = request.app[STORE_KEY]
    segs = [s for s in request.match_info["tail"].split("/") if s]
    if request.method not in ("GET", "HEAD") or len(segs) < 4 or segs[2] != "legacy.tar.gz":
        return web.Response(status=404, text="404: Not Found")
    repo = store.gh_repo(segs[0], segs[1])
    recorded = repo.optional_json("commits.json", []) if repo else []
    if repo is None or not recorded:
        return web.Response(status=404, text="404: Not Found")
    head = recorded[0]
    ref = "/".join(segs[3:])
    if ref != f"refs/heads/{repo.repo['default_branch']}" and not (len(ref) >= 7 and head["sha"].startswith(ref)):
        return web.Response(status=404, text="404: Not Found")
    top, body = build_tarball(repo, head["sha"], head["committer"]["date"])
    headers = {
        "Content-Disposition": f"attachment; filename={top}.tar.gz",
        "ETag": f'"{hashlib.sha256(body).hexdigest()}"',
        "Access-Control-Allow-Origin": "https://render.githubusercontent.com",
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "deny",
    }
    resp = web.Response(body=body, headers=headers)
    resp.content_type = "application/x-gzip"
    return resp


def build_codeload_app(store: Store) -> web.Application:
    """Sub-application mounted at ``/codeload``."""
    app = web.Application()
    app[STORE_KEY] = store
    app.router.add_route("*", "/{tail:.*}", codeload)
    return app
