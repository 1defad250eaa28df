"""``python -m tests.mirror.synth``: (re)write the published checksums of the made-up repositories.

A made-up repository (``mirror.json`` with ``"consistent_filler": true``) keeps its small files under ``files/`` and
declares its big ones in ``synth.json`` (``{"files": [{"path", "size", "lfs"}]}``). The mirror serves those as filler
seeded by ``<repo>/<path>`` (``HfRepo.filler_seed``); this script computes what the Hub would publish for such a repo
— each file's git blob id, and for LFS files the sha256, size and pointer — and writes ``tree.json`` and the
``siblings``/``usedStorage`` of ``info.json``. So these repositories, unlike the recorded ones, verify: their bytes
hash to what their tree says (a multi-GB shard takes seconds to hash, once, here).
"""

import argparse
import hashlib
import json
from pathlib import Path
from typing import Any

from tests.mirror.http_util import filler_pattern

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "upstream"
_STEP = 1 << 24


def filler_sha256(seed: str, size: int) -> str:
    """sha256 of the ``size`` filler bytes the mirror serves for ``seed``."""
    pattern = filler_pattern(seed)
    block = pattern * (_STEP // len(pattern))
    digest = hashlib.sha256()
    whole, rest = divmod(size, len(block))
    for _ in range(whole):
        digest.update(block)
    digest.update((pattern * (rest // len(pattern) + 1))[:rest])
    return digest.hexdigest()


def git_blob_id(body: bytes) -> str:
    """The git object id of a blob with ``body``."""
    return hashlib.sha1(f"blob {len(body)}\0".encode() + body, usedforsecurity=False).hexdigest()


def lfs_pointer(sha256: str, size: int) -> bytes:
    """The LFS pointer file git stores in place of an LFS object."""
    return f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha256}\nsize {size}\n".encode()


def _filler_entry(repo_id: str, declared: dict[str, Any]) -> dict[str, Any]:
    path, size = str(declared["path"]), int(declared["size"])
    seed = f"{repo_id}/{path}"
    if not declared.get("lfs"):
        pattern = filler_pattern(seed)
        body = (pattern * (size // len(pattern) + 1))[:size]
        return {"type": "file", "oid": git_blob_id(body), "size": size, "path": path}
    sha256 = filler_sha256(seed, size)
    pointer = lfs_pointer(sha256, size)
    lfs = {"oid": sha256, "size": size, "pointerSize": len(pointer)}
    return {"type": "file", "oid": git_blob_id(pointer), "size": size, "path": path, "lfs": lfs}


def synthesize(root: Path) -> None:
    """Write ``tree.json`` and the file fields of ``info.json`` of the made-up repository at ``root``."""
    repo_id = f"{root.parent.name}/{root.name}"
    declared = json.loads((root / "synth.json").read_text())["files"]
    kept = sorted(p for p in (root / "files").rglob("*") if p.is_file())
    entries = [
        {"type": "file", "oid": git_blob_id(p.read_bytes()), "size": p.stat().st_size,
         "path": p.relative_to(root / "files").as_posix()}
        for p in kept
    ] + [_filler_entry(repo_id, item) for item in declared]  # fmt: skip
    entries.sort(key=lambda e: str(e["path"]))
    (root / "tree.json").write_text(json.dumps(entries, indent=1) + "\n")
    info = json.loads((root / "info.json").read_text())
    info["siblings"] = [{"rfilename": e["path"]} for e in entries]
    info["usedStorage"] = sum(int(e["size"]) for e in entries)
    (root / "info.json").write_text(json.dumps(info, indent=1) + "\n")


def made_up_repositories(fixtures: Path = FIXTURES) -> list[Path]:
    """Every repository whose ``mirror.json`` declares consistent filler."""
    return sorted(
        path.parent
        for path in fixtures.glob("hf/*/*/*/mirror.json")
        if json.loads(path.read_text()).get("consistent_filler")
    )


def main() -> None:
    """Synthesize every made-up repository (or those named)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("repos", nargs="*", help="owner/name of made-up repositories (default: all)")
    names = set(parser.parse_args().repos)
    for root in made_up_repositories():
        if not names or f"{root.parent.name}/{root.name}" in names:
            synthesize(root)
            print(f"synthesized {root.relative_to(FIXTURES)}")


if __name__ == "__main__":
    main()
