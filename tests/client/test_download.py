"""``registry download``: every file's sha256 checked against the package view, an interrupted download resumed with
a Range request, and tampered bytes refused (exit 5) without leaving anything under the final name."""

import hashlib
from pathlib import Path
from typing import Any

from tests.client.conftest import Cli, Ran
from tests.client.proxy import Faults, proxy


def _package(admin: Cli, artifact_id: str) -> dict[str, Any]:
    package: dict[str, Any] = admin("show", artifact_id, "--json").json()["package"]
    return package


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_whole_package_downloads_with_every_sha256_checked(admin: Cli, mini: tuple[str, Ran], tmp_path: Path) -> None:
    files = {f["path"]: f for f in _package(admin, mini[0])["files"]}
    done = admin("download", mini[0], "-o", str(tmp_path / "out"))
    assert done.code == 0, done.stderr
    assert "downloading orchard-mini" in done.stderr
    for path, file in files.items():
        written = tmp_path / "out" / path
        assert _sha256(written) == file["sha256"] and written.stat().st_size == file["size"]
        assert f"{written}  {file['sha256']}  sha256 verified" in done.stdout
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(files), "no .part or temporary file left"


def test_a_part_downloads_with_json_output(admin: Cli, mini: tuple[str, Ran], tmp_path: Path) -> None:
    weights = [f for f in _package(admin, mini[0])["files"] if f["part"] == "weights"]
    reply = admin("download", mini[0], "--part", "weights", "-o", str(tmp_path), "--json").json()
    assert {Path(f["path"]).name: f["sha256"] for f in reply["files"]} == {f["path"]: f["sha256"] for f in weights}
    assert all(f["verified"] for f in reply["files"]) and reply["resumed_from"] == 0


def _single_file_part(admin: Cli, artifact_id: str) -> tuple[str, dict[str, Any]]:
    files = _package(admin, artifact_id)["files"]
    parts = [f["part"] for f in files]
    part = next(p for p in parts if parts.count(p) == 1)
    return part, next(f for f in files if f["part"] == part)


def test_an_interrupted_download_resumes_with_a_range_request(
    admin: Cli, mini: tuple[str, Ran], tmp_path: Path
) -> None:
    part, file = _single_file_part(admin, mini[0])
    whole = tmp_path / "whole"
    assert admin("download", mini[0], "--part", part, "-o", str(whole)).code == 0
    content = (whole / file["path"]).read_bytes()
    resumed = tmp_path / "resumed"
    resumed.mkdir()
    (resumed / f"{file['path']}.part").write_bytes(content[:100])  # what an interrupted run left behind
    reply = admin("download", mini[0], "--part", part, "-o", str(resumed), "--json").json()
    assert reply["resumed_from"] == 100
    assert reply["received"] == file["size"] - 100, "only the missing bytes travelled: the server honoured the Range"
    assert _sha256(resumed / file["path"]) == file["sha256"] and reply["files"][0]["verified"]
    assert not (resumed / f"{file['path']}.part").exists()


def test_tampered_bytes_are_refused_and_never_kept_under_the_final_name(
    admin: Cli, mini: tuple[str, Ran], tmp_path: Path
) -> None:
    part, file = _single_file_part(admin, mini[0])
    partial = tmp_path / f"{file['path']}.part"
    partial.write_bytes(b"X" * 100)  # bytes that are not the file's first 100
    done = admin("download", mini[0], "--part", part, "-o", str(tmp_path))
    assert done.code == 5, done
    [line] = done.stderr.strip().splitlines()[-1:]
    assert line.startswith("error: ") and file["sha256"] in line and "discarded" in line
    assert not (tmp_path / file["path"]).exists() and not partial.exists()
    assert admin("download", mini[0], "--part", part, "-o", str(tmp_path)).code == 0, "a fresh run starts over"
    assert _sha256(tmp_path / file["path"]) == file["sha256"]


def test_a_stale_part_of_an_archive_is_replaced_when_the_server_ignores_ranges(
    admin: Cli, mini: tuple[str, Ran], tmp_path: Path
) -> None:
    (tmp_path / f"{mini[0]}-all.tar.part").write_bytes(b"stale bytes of an earlier run")
    reply = admin("download", mini[0], "-o", str(tmp_path), "--json").json()
    assert reply["resumed_from"] == 0, "storage-svc's byte endpoint sends the whole archive (Accept-Ranges: none)"
    assert len(reply["files"]) == 5 and all(f["verified"] for f in reply["files"])
    assert not (tmp_path / f"{mini[0]}-all.tar.part").exists()


def _through(url: str) -> dict[str, str]:
    return {"HTTP_PROXY": url, "http_proxy": url, "NO_PROXY": "", "no_proxy": ""}


def test_bytes_altered_in_transit_are_refused(admin: Cli, mini: tuple[str, Ran], tmp_path: Path) -> None:
    part, file = _single_file_part(admin, mini[0])
    with proxy(Faults(tamper=True)) as url:
        archive = admin("download", mini[0], "-o", str(tmp_path / "all"), env=_through(url))
        single = admin("download", mini[0], "--part", part, "-o", str(tmp_path / "one"), env=_through(url))
    assert archive.code == 5 and "discarded" in archive.stderr, archive
    assert list((tmp_path / "all").iterdir()) == [], "no file under any name, not even the .part"
    assert single.code == 5 and file["sha256"] in single.stderr, single
    assert list((tmp_path / "one").iterdir()) == []


def test_a_download_cut_off_midway_resumes_where_it_stopped(admin: Cli, mini: tuple[str, Ran], tmp_path: Path) -> None:
    part, file = _single_file_part(admin, mini[0])
    faults = Faults(cut_after=100)
    with proxy(faults) as url:
        cut = admin("download", mini[0], "--part", part, "-o", str(tmp_path), env=_through(url))
        assert cut.code == 7 and "run again to resume" in cut.stderr, cut
        assert not (tmp_path / file["path"]).exists()
        assert (tmp_path / f"{file['path']}.part").stat().st_size == 100
        faults.cut_after = None
        resumed = admin("download", mini[0], "--part", part, "-o", str(tmp_path), "--json", env=_through(url))
    assert faults.ranges == ["bytes=100-"], "the second run asked only for the rest"
    reply = resumed.json()
    assert reply["resumed_from"] == 100 and reply["received"] == file["size"] - 100
    assert _sha256(tmp_path / file["path"]) == file["sha256"]
