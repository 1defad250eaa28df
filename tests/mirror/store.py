"""Read-only access to the recorded upstream fixtures (``tests/fixtures/upstream``).

Everything is read lazily, on the first request that needs it, and cached for the life of the
application: nothing touches the disk at import time.
"""

from __future__ import annotations

import hashlib
import json
import pathlib
from dataclasses import dataclass, field
from typing import Any

JsonObj = dict[str, Any]

HF_KINDS = ("models", "datasets")


def git_blob_sha1(data: bytes) -> str:
    """Return the git blob id of ``data`` (what the Hub calls ``oid``/``blobId``)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def lfs_pointer(sha256: str, size: int) -> bytes:
    """Return the git-lfs pointer file that git stores for an LFS object."""
    return f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha256}\nsize {size}\n".encode()


def read_json(path: pathlib.Path) -> Any:
    """Parse a JSON fixture file."""
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass
class HfRepo:
    """One recorded Hugging Face repository (model or dataset)."""

    kind: str  # "models" | "datasets"
    repo_id: str
    root: pathlib.Path
    info: JsonObj
    tree: list[JsonObj]
    expand_extra: JsonObj = field(default_factory=dict)
    mirror: JsonObj = field(default_factory=dict)

    @property
    def sha(self) -> str:
        """Commit id of the recorded snapshot (``main``)."""
        return str(self.info["sha"])

    @property
    def gated(self) -> bool | str:
        """``False`` or the gating mode (``"auto"``/``"manual"``) as the Hub reports it."""
        value = self.info.get("gated", False)
        return value if isinstance(value, str) else bool(value)

    @property
    def type_singular(self) -> str:
        """``model`` or ``dataset`` as used in Hub error messages."""
        return self.kind[:-1]

    def entry(self, path: str) -> JsonObj | None:
        """Tree entry (file or directory) at ``path``."""
        for item in self.tree:
            if item["path"] == path:
                return item
        return None

    def content(self, path: str) -> bytes | None:
        """Recorded bytes of ``path`` if the fixture keeps them (small files only)."""
        candidate = (self.root / "files" / path).resolve()
        files_root = (self.root / "files").resolve()
        if files_root not in candidate.parents or not candidate.is_file():
            return None
        return candidate.read_bytes()

    def filler_seed(self, entry: JsonObj) -> str:
        """Seed of the filler served for a file the fixture does not keep.

        Recorded repositories: the published checksum (the filler then differs from it, as the README says).
        Made-up repositories declaring ``"consistent_filler": true`` in ``mirror.json``: ``<repo>/<path>``, and their
        ``tree.json`` publishes the filler's own size and sha256 (``tests/mirror/synth.py`` computes them), so a
        client verifying checksums sees a faithful upstream.
        """
        if self.mirror.get("consistent_filler"):
            return f"{self.repo_id}/{entry['path']}"
        return str(entry.get("lfs", {}).get("oid") or entry["oid"])

    def served_wrong(self, path: str) -> str | None:
        """``"short"`` or ``"altered"`` when ``mirror.json`` makes this file arrive differently from what the tree
        publishes (half of it, or its first byte changed): a faulty CDN, for integrity tests."""
        wrong: JsonObj = self.mirror.get("serve_wrong", {})
        value = wrong.get(path)
        return str(value) if value in ("short", "altered") else None

    def resolve_revision(self, revision: str) -> str | None:
        """Map a branch/tag/commit name to the snapshot commit, or ``None`` if unknown."""
        if revision in ("main", self.sha):
            return self.sha
        refs: JsonObj = self.mirror.get("refs", {})
        if revision in refs.get("branches", []) or revision in refs.get("tags", []):
            return self.sha
        return None


@dataclass
class GhRepo:
    """One recorded GitHub repository."""

    owner: str
    name: str
    root: pathlib.Path
    repo: JsonObj

    def optional_json(self, name: str, default: Any) -> Any:
        """Load ``<repo dir>/<name>`` or return ``default`` when the fixture has no such file."""
        path = self.root / name
        return read_json(path) if path.is_file() else default

    @property
    def files_root(self) -> pathlib.Path:
        """Directory holding the repository's working tree (README, LICENSE, sources)."""
        return self.root / "files"


class Store:
    """Index of every recorded repository under one fixtures root."""

    def __init__(self, root: pathlib.Path) -> None:
        self.root = root
        self._hf: dict[tuple[str, str], HfRepo] | None = None
        self._hf_aliases: dict[tuple[str, str], str] = {}
        self._gh: dict[str, GhRepo] | None = None
        self._users: dict[str, JsonObj] | None = None

    # -- Hugging Face -------------------------------------------------------------------------
    def _load_hf(self) -> dict[tuple[str, str], HfRepo]:
        if self._hf is None:
            repos: dict[tuple[str, str], HfRepo] = {}
            for kind in HF_KINDS:
                base = self.root / "hf" / kind
                for info_path in sorted(base.glob("*/*/info.json")):
                    root = info_path.parent
                    repo_id = f"{root.parent.name}/{root.name}"
                    repo = HfRepo(
                        kind=kind,
                        repo_id=repo_id,
                        root=root,
                        info=read_json(info_path),
                        tree=read_json(root / "tree.json"),
                        expand_extra=_optional(root / "expand.json"),
                        mirror=_optional(root / "mirror.json"),
                    )
                    repos[(kind, repo_id.lower())] = repo
                    for alias in repo.mirror.get("aliases", []):
                        self._hf_aliases[(kind, str(alias).lower())] = repo_id
            self._hf = repos
        return self._hf

    def hf_repo(self, kind: str, repo_id: str) -> HfRepo | None:
        """Recorded repository ``repo_id`` of ``kind`` (case-insensitive, like the Hub)."""
        return self._load_hf().get((kind, repo_id.lower()))

    def hf_canonical(self, kind: str, repo_id: str) -> str | None:
        """Canonical id the Hub redirects ``repo_id`` to (legacy id or wrong case), if any."""
        repo = self.hf_repo(kind, repo_id)
        if repo is not None:
            return None if repo.repo_id == repo_id else repo.repo_id
        self._load_hf()
        return self._hf_aliases.get((kind, repo_id.lower()))

    # -- GitHub ---------------------------------------------------------------------------------
    def _load_gh(self) -> dict[str, GhRepo]:
        if self._gh is None:
            repos: dict[str, GhRepo] = {}
            for repo_path in sorted((self.root / "github").glob("*/*/repo.json")):
                root = repo_path.parent
                repo = GhRepo(owner=root.parent.name, name=root.name, root=root, repo=read_json(repo_path))
                repos[f"{repo.owner}/{repo.name}".lower()] = repo
            self._gh = repos
        return self._gh

    def gh_repo(self, owner: str, name: str) -> GhRepo | None:
        """Recorded GitHub repository (owner/name are case-insensitive on GitHub)."""
        return self._load_gh().get(f"{owner}/{name}".lower())

    def gh_repo_by_id(self, repo_id: int) -> GhRepo | None:
        """Recorded GitHub repository by numeric id (``/repositories/{id}`` URLs)."""
        for repo in self._load_gh().values():
            if repo.repo.get("id") == repo_id:
                return repo
        return None

    def gh_user(self, login: str) -> JsonObj:
        """Compact user record (``id``, ``type``...) from ``github/_users.json``."""
        if self._users is None:
            self._users = _optional(self.root / "github" / "_users.json")
        user = self._users.get(login)
        if user is None:
            raise KeyError(f"github/_users.json has no entry for {login!r}")
        return dict(user)


def _optional(path: pathlib.Path) -> JsonObj:
    if not path.is_file():
        return {}
    data = read_json(path)
    if not isinstance(data, dict):
        raise TypeError(f"{path} must hold a JSON object")
    return data
