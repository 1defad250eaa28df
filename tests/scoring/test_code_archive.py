"""The code-archive inspector on real tar.gz archives shaped like GitHub's tarballs, linted by the real ruff."""

import io
import tarfile
from pathlib import Path

import pytest

from scoring.adapters.code_archive import ArchiveLimits, ArchiveUnreadable, CodeInspection, inspect_archive
from scoring.adapters.lint import LintFailed
from scoring.domain.code_quality import code_quality

TOP = "owner-repo-abc1234"

CLEAN_REPO = {
    "README.md": "# Demo\n\nAdds numbers.\n",
    "pyproject.toml": '[project]\nname = "demo"\nversion = "0.1.0"\n',
    ".github/workflows/ci.yml": "on: push\njobs: {}\n",
    "src/demo/__init__.py": '"""Demo."""\n',
    "src/demo/core.py": "def add(a: int, b: int) -> int:\n\n    return a + b\n",
    "tests/test_core.py": "from demo.core import add\n\n\ndef test_add() -> None:\n    assert add(1, 2) == 3\n",
}

# Four diagnostics: two unused imports (F401), an undefined name (F821), a comparison to None (E711).
MESSY_MODULE = (
    "import os\nimport sys\n\n\ndef run():\n    return undefined_name\n\n\ndef check(x):\n    return x == None\n"
)
MESSY_REPO = {
    "main.py": MESSY_MODULE,
    # The archive's own configuration tries to exclude its code and silence every rule: it is ignored.
    "pyproject.toml": '[tool.ruff]\nextend-exclude = ["main.py"]\n\n'
    '[tool.ruff.lint.per-file-ignores]\n"*.py" = ["ALL"]\n',
}


def add_file(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def add_entry(tar: tarfile.TarFile, name: str, kind: bytes, linkname: str = "") -> None:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, linkname
    tar.addfile(info)


def make_archive(path: Path, files: dict[str, str], top: str = TOP) -> Path:
    """A tar.gz like GitHub's: a pax global header with the commit, one top folder holding the files."""
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT, pax_headers={"comment": "abc1234" * 5}) as tar:
        add_entry(tar, top, tarfile.DIRTYPE)
        for name, text in files.items():
            add_file(tar, f"{top}/{name}", text.encode())
    return path


def names(folder: Path) -> list[str]:
    """The names in ``folder`` (a blocking look, kept out of the async tests)."""
    return sorted(p.name for p in folder.iterdir())


def escaped(tmp_path: Path) -> list[str]:
    """Files an unsafe archive managed to write outside the extraction directory."""
    outside = [p.name for p in tmp_path.parent.iterdir() if p.name.startswith("evil_")]
    outside += [p.name for p in tmp_path.iterdir() if p.name.startswith("evil_")]
    return outside + [str(p) for p in [Path("/etc/evil_through_link.conf")] if p.exists()]


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    folder = tmp_path / "scratch"
    folder.mkdir()
    return folder


async def inspect(archive: Path, scratch: Path, limits: ArchiveLimits | None = None) -> CodeInspection:
    inspection = await inspect_archive(archive, limits or ArchiveLimits(), scratch_dir=scratch)
    assert names(scratch) == [], "the temporary directory is removed"
    return inspection


async def test_clean_repository_has_every_fact_and_no_lint(tmp_path: Path, scratch: Path) -> None:
    inspection = await inspect(make_archive(tmp_path / "clean.tar.gz", CLEAN_REPO), scratch)

    facts = inspection.facts
    assert (facts.has_tests, facts.has_ci, facts.has_readme, facts.has_packaging) == (True, True, True, True)
    assert facts.lint_issues == 0
    assert facts.python_lines == 6
    assert inspection.total_lines == 6
    assert inspection.files == len(CLEAN_REPO)
    assert inspection.skipped_members == 0


async def test_lint_issues_are_counted_despite_the_archives_own_ruff_config(tmp_path: Path, scratch: Path) -> None:
    inspection = await inspect(make_archive(tmp_path / "messy.tar.gz", MESSY_REPO), scratch)

    assert inspection.facts.lint_issues == 4
    assert inspection.facts.python_lines == 6
    assert (inspection.facts.has_tests, inspection.facts.has_ci, inspection.facts.has_readme) == (False, False, False)
    assert inspection.facts.has_packaging


async def test_a_syntax_error_counts_as_lint(tmp_path: Path, scratch: Path) -> None:
    inspection = await inspect(make_archive(tmp_path / "broken.tar.gz", {"broken.py": "x = (1,\n"}), scratch)

    assert inspection.facts.lint_issues == 1


async def test_notebooks_are_neither_lines_nor_lint(tmp_path: Path, scratch: Path) -> None:
    notebook = '{"cells": [{"cell_type": "code", "source": ["import os\\n"]}], "nbformat": 4, "nbformat_minor": 5}'
    files = {"ok.py": "x = 1\n", "analysis.ipynb": notebook}
    inspection = await inspect(make_archive(tmp_path / "nb.tar.gz", files), scratch)

    assert (inspection.facts.python_lines, inspection.facts.lint_issues, inspection.total_lines) == (1, 0, 1)


async def test_repository_without_python_has_no_python_lines(tmp_path: Path, scratch: Path) -> None:
    files = {
        "README.md": "\n   \n",
        "go.mod": "module example.com/demo\n",
        "main.go": "package main\n\nfunc main() {}\n",
        "main_test.go": "package main\n",
    }
    inspection = await inspect(make_archive(tmp_path / "go.tar.gz", files), scratch)

    assert inspection.facts.python_lines == 0
    assert inspection.facts.lint_issues == 0
    assert inspection.total_lines == 3
    assert inspection.facts.has_tests
    assert inspection.facts.has_packaging
    assert not inspection.facts.has_readme, "a blank README says nothing"


async def test_unsafe_members_are_skipped_and_nothing_escapes(tmp_path: Path, scratch: Path) -> None:
    archive = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        add_file(tar, f"{TOP}/ok.py", b"x = 1\n")
        add_file(tar, "../evil_up", b"pwned\n")
        add_file(tar, f"{TOP}/../../../evil_deep", b"pwned\n")
        add_file(tar, str(tmp_path / "evil_absolute"), b"pwned\n")
        add_entry(tar, f"{TOP}/etc_link", tarfile.SYMTYPE, "/etc")
        add_entry(tar, f"{TOP}/passwd_link", tarfile.SYMTYPE, "../../../../../../etc/passwd")
        add_entry(tar, f"{TOP}/passwd_hard", tarfile.LNKTYPE, "/etc/passwd")
        add_entry(tar, f"{TOP}/null", tarfile.CHRTYPE)
        add_file(tar, f"{TOP}/etc_link/evil_through_link.conf", b"pwned\n")

    inspection = await inspect(archive, scratch)

    assert inspection.skipped_members == 7
    assert inspection.files == 2, "ok.py, and the file below the link that was never made, kept inside"
    assert names(tmp_path) == ["evil.tar.gz", "scratch"]
    assert escaped(tmp_path) == []


async def test_corrupt_archive_is_unreadable(tmp_path: Path, scratch: Path) -> None:
    garbage = tmp_path / "garbage.tar.gz"
    garbage.write_bytes(b"this is not a tarball at all")
    with pytest.raises(ArchiveUnreadable, match=r"not a readable tar\.gz"):
        await inspect_archive(garbage, scratch_dir=scratch)
    assert names(scratch) == []


async def test_truncated_archive_is_unreadable(tmp_path: Path, scratch: Path) -> None:
    whole = make_archive(tmp_path / "whole.tar.gz", {f"m{i}.py": f"x = {i}\n" * 500 for i in range(20)})
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(ArchiveUnreadable):
        await inspect_archive(truncated, scratch_dir=scratch)
    assert names(scratch) == []


async def test_member_that_cannot_be_written_makes_the_archive_unreadable(tmp_path: Path, scratch: Path) -> None:
    archive = tmp_path / "clash.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        add_file(tar, f"{TOP}/a.py", b"x = 1\n")
        add_file(tar, f"{TOP}/a.py/b.py", b"y = 2\n")
    with pytest.raises(ArchiveUnreadable, match="cannot extract"):
        await inspect_archive(archive, scratch_dir=scratch)
    assert names(scratch) == []


async def test_archive_over_the_member_limit_is_refused(tmp_path: Path, scratch: Path) -> None:
    archive = make_archive(tmp_path / "many.tar.gz", {f"f{i}.txt": "x\n" for i in range(5)})
    with pytest.raises(ArchiveUnreadable, match="more than 3 members"):
        await inspect_archive(archive, ArchiveLimits(max_members=3), scratch_dir=scratch)
    assert names(scratch) == []


async def test_archive_over_the_byte_limit_is_refused(tmp_path: Path, scratch: Path) -> None:
    archive = make_archive(tmp_path / "big.tar.gz", {"big.txt": "x" * 1000})
    with pytest.raises(ArchiveUnreadable, match="uncompressed bytes"):
        await inspect_archive(archive, ArchiveLimits(max_bytes=999), scratch_dir=scratch)


async def test_oversized_file_is_skipped(tmp_path: Path, scratch: Path) -> None:
    files = {"small.py": "x = 1\n", "generated.py": "import os\n" * 200}
    archive = make_archive(tmp_path / "gen.tar.gz", files)
    inspection = await inspect(archive, scratch, ArchiveLimits(max_file_bytes=1000))

    assert (inspection.skipped_members, inspection.files) == (1, 1)
    assert (inspection.facts.python_lines, inspection.facts.lint_issues) == (1, 0)


async def test_ruff_over_its_time_budget_fails_clearly(tmp_path: Path, scratch: Path) -> None:
    archive = make_archive(tmp_path / "slow.tar.gz", {"main.py": MESSY_MODULE})
    with pytest.raises(LintFailed, match="did not finish"):
        await inspect_archive(archive, ArchiveLimits(lint_timeout=0.001), scratch_dir=scratch)
    assert names(scratch) == []


async def test_clean_repository_scores_higher_than_the_messy_one(tmp_path: Path, scratch: Path) -> None:
    clean = await inspect(make_archive(tmp_path / "clean.tar.gz", CLEAN_REPO), scratch)
    messy = await inspect(make_archive(tmp_path / "messy.tar.gz", MESSY_REPO), scratch)

    assert code_quality(clean.facts) > code_quality(messy.facts)
