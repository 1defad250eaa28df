"""What a download writes when the server (or something between) sends hostile names and sizes: nothing outside
the output directory and nothing under a final name, for archives built here byte by byte (no stack needed)."""

import hashlib
import io
import tarfile
from pathlib import Path

import pytest

from registry_client.download import _place_single, _unpack
from registry_client.errors import ChecksumMismatch
from registry_client.models import PackageFile

BODY = b"weights" * 100


def _listed(path: str, body: bytes = BODY) -> PackageFile:
    return PackageFile(path=path, part="weights", size=len(body), sha256=hashlib.sha256(body).hexdigest(), stored=True)


def _archive(tmp_path: Path, members: list[tuple[str, bytes]]) -> Path:
    archive = tmp_path / "download.tar.part"
    with tarfile.open(archive, mode="w") as tar:
        for name, body in members:
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return archive


@pytest.mark.parametrize(
    ("members", "listed", "reason"),
    [
        ([("../escape.bin", BODY)], ["../escape.bin"], "which the package view does not list"),
        ([("/etc/escape.bin", BODY)], ["/etc/escape.bin"], "which the package view does not list"),
        ([("a.bin", BODY), ("a.bin", BODY)], ["a.bin"], "which the package view does not list"),
        ([("a.bin", BODY + b"more")], ["a.bin"], f"the package view lists {len(BODY)}"),
        ([("a.bin", b"x" * len(BODY))], ["a.bin"], "sha256"),
        ([("a.bin", BODY)], ["a.bin", "b.bin"], "the archive lacks b.bin"),
    ],
)
def test_a_hostile_archive_leaves_nothing_behind(
    tmp_path: Path, members: list[tuple[str, bytes]], listed: list[str], reason: str
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ChecksumMismatch, match=reason):
        _unpack(_archive(tmp_path, members), out, [_listed(path) for path in listed])
    assert list(out.rglob("*")) == [] and not (tmp_path / "escape.bin").exists()


@pytest.mark.parametrize("path", ["..", "weights/..", "a\\..\\b"])
def test_a_single_file_whose_name_cannot_be_written_is_refused(tmp_path: Path, path: str) -> None:
    partial = tmp_path / "download.part"
    partial.write_bytes(BODY)
    with pytest.raises(ChecksumMismatch, match="cannot be written"):
        _place_single(partial, tmp_path / "out", _listed(path), hashlib.sha256(BODY).hexdigest())
    assert not (tmp_path / "out").exists()
