"""Fixture-tree consistency and the ``python -m tests.mirror`` entry point."""

from __future__ import annotations

import hashlib
import json
import pathlib
import re
import signal
import subprocess
import sys

from tests.mirror.conftest import FIXTURES
from tests.mirror.store import git_blob_sha1, lfs_pointer, read_json


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
                if "lfs" in entry:  # real bytes of an LFS file: served as they are, so they must be the recorded ones
                    assert (entry["lfs"]["size"], entry["lfs"]["oid"]) == (len(data), hashlib.sha256(data).hexdigest())
                    assert entry["oid"] == git_blob_sha1(lfs_pointer(entry["lfs"]["oid"], len(data))), path
                else:
                    assert (entry["size"], entry["oid"]) == (len(data), git_blob_sha1(data)), path
        assert re.fullmatch(r"[0-9a-f]{40}", read_json(info_path)["sha"]), root


def test_pull_fixtures_carry_what_reviewedness_needs() -> None:
    reviewed_lines: dict[str, tuple[int, int]] = {}
    for pulls_path in sorted(FIXTURES.glob("github/*/*/pulls.json")):
        root = pulls_path.parent
        full = f"{root.parent.name}/{root.name}"
        reviewed = total = 0
        for pr in read_json(pulls_path):
            for name in ("commits", "additions", "deletions", "changed_files", "comments", "review_comments"):
                assert isinstance(pr[name], int) and pr[name] >= 0, (full, pr["number"], name)
            merged_at = pr["merged_at"]
            assert bool(pr.get("merged_by")) == (merged_at is not None), (full, pr["number"])
            if merged_at is None:
                continue
            total += pr["additions"]
            path = root / "reviews" / f"{pr['number']}.json"
            reviews = read_json(path) if path.is_file() else []
            assert all(r["submitted_at"] <= merged_at for r in reviews), (full, pr["number"])
            if any(r["state"] in ("APPROVED", "COMMENTED") for r in reviews):
                reviewed += pr["additions"]
        reviewed_lines[full] = (reviewed, total)
    fractions = {full: r / t for full, (r, t) in reviewed_lines.items() if t}
    assert fractions["huggingface/transformers"] == 1.0
    assert 0 < fractions["openai/whisper"] < 1 and 0 < fractions["pytorch/vision"] < 1
    assert fractions["vikhyat/moondream"] < 0.1  # the owner's big change went in unreviewed
    assert reviewed_lines["rajpurkar/SQuAD-explorer"] == (0, 0)


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
