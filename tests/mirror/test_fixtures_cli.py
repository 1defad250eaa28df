"""Fixture-tree consistency and the ``python -m tests.mirror`` entry point."""

from __future__ import annotations

import json
import pathlib
import re
import signal
import subprocess
import sys

from tests.mirror.conftest import FIXTURES
from tests.mirror.store import git_blob_sha1, read_json


def test_hub_fixtures_are_self_consistent() -> None:
    for info_path in sorted(FIXTURES.glob("hf/*/*/*/info.json")):
        root = info_path.parent
        tree = {e["path"]: e for e in read_json(root / "tree.json")}
        files = sorted(p for p, e in tree.items() if e["type"] == "file")
        assert [s["rfilename"] for s in read_json(info_path)["siblings"]] == files, root
        for path in (root / "files").rglob("*"):
            if path.is_file():
                entry = tree[path.relative_to(root / "files").as_posix()]
                data = path.read_bytes()
                assert (entry["size"], entry["oid"]) == (len(data), git_blob_sha1(data)), path
        assert re.fullmatch(r"[0-9a-f]{40}", read_json(info_path)["sha"]), root


def test_cli_starts_logs_and_stops_on_sigterm() -> None:
    repo_root = pathlib.Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.mirror", "--host", "127.0.0.1", "--port", "0"],
        cwd=repo_root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = json.loads(proc.stdout.readline())
        assert line["event"] == "listening" and line["hf_endpoint"].endswith("/hf")
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
        assert proc.returncode == 0, err
        assert json.loads(out.strip().splitlines()[-1])["event"] == "stopped"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
