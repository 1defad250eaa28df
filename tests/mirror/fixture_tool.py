"""Keep a Hub fixture consistent after editing it: ``python -m tests.mirror.fixture_tool DIR...``.

For each repo directory (``.../hf/{models|datasets}/{owner}/{name}``) it

* recomputes the ``tree.json`` entry (``oid`` = git blob sha1, ``size``) of every file kept under
  ``files/`` (files that are only declared, e.g. LFS weights, keep their recorded ``oid``/``lfs``);
  a file kept under ``files/`` that ``tree.json`` declares as LFS (a tiny real weights file) stays LFS, with
  ``lfs.oid``/``lfs.size`` taken from its bytes;
  an LFS entry's ``oid`` is recomputed from its pointer (``lfs.oid`` + ``lfs.size``), as git does;
* adds the ``directory`` entries with their git tree ids and sorts the listing like the Hub;
* rewrites ``info.json`` ``siblings`` to the sorted list of files.
"""

from __future__ import annotations

import hashlib
import json
import pathlib
import sys

from tests.mirror.store import JsonObj, git_blob_sha1, lfs_pointer, read_json


def lfs_entry(path: str, sha256: str, size: int) -> JsonObj:
    """Tree entry of an LFS-tracked file (blob id = sha1 of its pointer file)."""
    pointer = lfs_pointer(sha256, size)
    return {
        "type": "file",
        "oid": git_blob_sha1(pointer),
        "size": size,
        "path": path,
        "lfs": {"oid": sha256, "size": size, "pointerSize": len(pointer)},
    }


def _tree_oid(children: list[tuple[str, str, bool]]) -> str:
    """git tree id from ``(name, hex oid, is_dir)`` children (git's ordering rules)."""

    def key(child: tuple[str, str, bool]) -> bytes:
        return (child[0] + ("/" if child[2] else "")).encode()

    body = b"".join(
        (b"40000 " if is_dir else b"100644 ") + name.encode() + b"\0" + bytes.fromhex(oid)
        for name, oid, is_dir in sorted(children, key=key)
    )
    return hashlib.sha1(b"tree %d\0" % len(body) + body, usedforsecurity=False).hexdigest()


def build_tree(files: list[JsonObj]) -> list[JsonObj]:
    """Full recursive listing (files + directories) sorted the way the Hub lists it."""
    dirs: dict[str, list[tuple[str, str, bool]]] = {"": []}
    for entry in files:
        parts = entry["path"].split("/")
        for depth in range(1, len(parts)):
            dirs.setdefault("/".join(parts[:depth]), [])
    dir_oids: dict[str, str] = {}
    for directory in sorted(dirs, key=lambda d: -d.count("/") if d else 1):
        if not directory:
            continue
        children = [
            (e["path"].rsplit("/", 1)[-1], e["oid"], False)
            for e in files
            if e["path"].rsplit("/", 1)[0] == directory and "/" in e["path"]
        ]
        children += [
            (d.rsplit("/", 1)[-1], dir_oids[d], True)
            for d in dir_oids
            if d.rsplit("/", 1)[0] == directory and d.count("/") == directory.count("/") + 1
        ]
        dir_oids[directory] = _tree_oid(children)
    listing = [*files, *({"type": "directory", "oid": oid, "size": 0, "path": d} for d, oid in dir_oids.items())]
    return sorted(listing, key=lambda e: str(e["path"]).split("/"))


def sync_repo(root: pathlib.Path) -> None:
    """Bring ``tree.json`` and ``info.json`` of one fixture repo in line with ``files/``."""
    declared = {e["path"]: e for e in read_json(root / "tree.json") if e["type"] == "file"}
    files_dir = root / "files"
    for path in sorted(files_dir.rglob("*")) if files_dir.is_dir() else []:
        if path.is_file():
            rel = path.relative_to(files_dir).as_posix()
            data = path.read_bytes()
            if "lfs" in declared.get(rel, {}):
                declared[rel] = lfs_entry(rel, hashlib.sha256(data).hexdigest(), len(data))
            else:
                declared[rel] = {"type": "file", "oid": git_blob_sha1(data), "size": len(data), "path": rel}
    for rel, entry in declared.items():
        if "lfs" in entry:
            declared[rel] = lfs_entry(rel, entry["lfs"]["oid"], int(entry["lfs"]["size"]))
    tree = build_tree(list(declared.values()))
    (root / "tree.json").write_text(json.dumps(tree, indent=1) + "\n", encoding="utf-8")
    info = read_json(root / "info.json")
    info["siblings"] = [{"rfilename": p} for p in sorted(declared)]
    (root / "info.json").write_text(json.dumps(info, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str]) -> int:
    """Sync every repo directory given on the command line."""
    for arg in argv:
        sync_repo(pathlib.Path(arg))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
