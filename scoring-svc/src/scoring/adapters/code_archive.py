"""Inspects a repository's code archive (GitHub's tarball) and gathers the facts behind ``code_quality``.

Input: GitHub's ``/repos/{owner}/{repo}/tarball`` archive, a tar.gz whose single top folder is
``{owner}-{repo}-{sha7}/``. That folder is stripped: every path below is relative to the repository root.

Safe extraction (in a worker thread, into a fresh temporary directory that is always removed afterwards):

- Only regular files and directories are extracted. Links, devices and FIFOs are skipped: inspection needs none of
  them, and a link could point outside the directory or make a file count twice.
- Members with an absolute name or a ``..`` component are skipped, and every member must also pass the standard
  library's ``tarfile.data_filter`` (Python 3.11.4+), which is used again by the extraction itself.
- Limits (``ArchiveLimits``): at most 20,000 members and 512 MiB of uncompressed bytes declared by all members
  (skipped ones included, since they are decompressed all the same); over either the archive is refused with
  ``ArchiveUnreadable``. A single file over 5 MiB is skipped (generated or data files, not code to judge).
- A file that is not a readable tar.gz raises ``ArchiveUnreadable``.

Facts (``CodeFacts``):

- ``has_tests``: a file below a ``tests/``, ``test/`` or ``__tests__/`` directory, or a file named like a test:
  ``test_*.py``, ``*_test.py``, ``*_test.go``, ``*.test.js|ts``, ``*.spec.js|ts``, ``*_spec.rb``, ``*Test.java``.
- ``has_ci``: a CI service's configuration: ``.github/workflows/*.yml|yaml``, ``.gitlab-ci.yml``,
  ``.circleci/config.yml``, ``azure-pipelines.yml``, ``.travis.yml``, ``Jenkinsfile``, ``bitbucket-pipelines.yml``.
  ``tox.ini`` or a Makefile are not CI: they run tests when someone asks, not on every change.
- ``has_readme``: a ``README*`` file at the top level with some non-blank content.
- ``has_packaging``: at the top level, ``pyproject.toml``, ``setup.py``, ``setup.cfg``, ``requirements*.txt``,
  ``environment.yml|yaml``, ``Pipfile``, ``package.json``, ``Cargo.toml`` or ``go.mod`` (the root is where an
  installation starts).
- ``python_lines``: non-blank lines of the ``.py`` files (notebooks and ``.pyi`` stubs excluded).
- ``lint_issues``: the diagnostics ruff reports on the ``.py`` files (``scoring.adapters.lint``).

Also reported: ``total_lines``, the non-blank lines of source files in common code languages (the repository's
size in code, for reviewedness): ``.py .pyi .js .ts .java .c .cc .cpp .h .hpp .go .rs .rb .sh .jl .r .scala .kt
.swift .cu`` (suffixes compared in lower case; notebooks are excluded, being mostly output); ``files``, the regular
files extracted; ``skipped_members``, the members left out by the rules above.
"""

import asyncio
import gzip
import os
import shutil
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath
from typing import Final

import structlog

from scoring.adapters.lint import lint_python
from scoring.domain.code_quality import CodeFacts

log = structlog.get_logger()

MIB: Final = 1 << 20
SOURCE_SUFFIXES: Final = frozenset(
    {".py", ".pyi", ".js", ".ts", ".java", ".c", ".cc", ".cpp", ".h", ".hpp", ".go", ".rs", ".rb", ".sh", ".jl", ".r"}
    | {".scala", ".kt", ".swift", ".cu"}
)
TEST_DIRS: Final = frozenset({"tests", "test", "__tests__"})
TEST_FILES: Final = ("test_*.py", "*_test.py", "*_test.go", "*.test.[jt]s", "*.spec.[jt]s", "*_spec.rb", "*Test.java")
CI_FILES: Final = frozenset(
    {".gitlab-ci.yml", ".circleci/config.yml", "azure-pipelines.yml", ".travis.yml", "Jenkinsfile"}
    | {"bitbucket-pipelines.yml"}
)
PACKAGING_FILES: Final = frozenset(
    {"pyproject.toml", "setup.py", "setup.cfg", "requirements*.txt", "environment.y*ml", "Pipfile", "package.json"}
    | {"Cargo.toml", "go.mod"}
)


class ArchiveUnreadable(Exception):
    """The archive is not a readable tar.gz, or it exceeds the limits."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    """Bounds on what an archive may cost to inspect (bytes are uncompressed, as declared by the members)."""

    max_members: int = 20_000
    max_bytes: int = 512 * MIB
    max_file_bytes: int = 5 * MIB
    lint_timeout: float = 60.0


@dataclass(frozen=True, slots=True)
class CodeInspection:
    """What the archive showed: the code-quality facts, its size in code and its file count."""

    facts: CodeFacts
    total_lines: int
    files: int
    skipped_members: int = 0


@dataclass(slots=True)
class _Tally:
    """Running facts over the extracted files (in the worker thread)."""

    files: int = 0
    total_lines: int = 0
    python_lines: int = 0
    has_tests: bool = False
    has_ci: bool = False
    has_readme: bool = False
    has_packaging: bool = False

    def add(self, rel: PurePosixPath, path: Path) -> None:
        """Count the file at ``path`` (``rel`` below the repository root)."""
        self.files += 1
        self.has_tests = self.has_tests or _is_test(rel)
        self.has_ci = self.has_ci or rel.as_posix() in CI_FILES or _is_workflow(rel)
        top_level = len(rel.parts) == 1
        if top_level and any(fnmatchcase(rel.name, p) for p in PACKAGING_FILES):
            self.has_packaging = True
        if top_level and rel.name.upper().startswith("README") and path.read_bytes().strip():
            self.has_readme = True
        if rel.suffix.lower() in SOURCE_SUFFIXES:
            lines = _non_blank_lines(path)
            self.total_lines += lines
            self.python_lines += lines if rel.suffix == ".py" else 0


def _is_test(rel: PurePosixPath) -> bool:
    return any(part in TEST_DIRS for part in rel.parts[:-1]) or any(fnmatchcase(rel.name, p) for p in TEST_FILES)


def _is_workflow(rel: PurePosixPath) -> bool:
    return rel.parent.as_posix() == ".github/workflows" and rel.suffix in {".yml", ".yaml"}


def _non_blank_lines(path: Path) -> int:
    with path.open("rb") as file:
        return sum(1 for line in file if line.strip())


def _skip_reason(member: tarfile.TarInfo, dest: Path, limits: ArchiveLimits) -> str | None:
    """Why ``member`` must not be extracted, or ``None`` when it is safe."""
    if not (member.isfile() or member.isdir()):
        return "not a regular file or directory"
    name = PurePosixPath(member.name)
    if name.is_absolute() or ".." in name.parts:
        return "path outside the archive"
    if member.size > limits.max_file_bytes:
        return "file too large"
    try:
        tarfile.data_filter(member, str(dest))
    except tarfile.FilterError as exc:
        return f"refused by the data filter: {exc}"
    return None


def _extract_member(tar: tarfile.TarFile, member: tarfile.TarInfo, dest: Path) -> None:
    try:
        tar.extract(member, dest, set_attrs=False, filter="data")
    except gzip.BadGzipFile:
        raise
    except OSError as exc:  # e.g. a file where an earlier member made a directory
        raise ArchiveUnreadable(f"cannot extract {member.name}: {exc}") from exc


def _extract(archive: Path, dest: Path, limits: ArchiveLimits) -> int:
    """Extract the safe members of ``archive`` into ``dest``; returns how many were skipped."""
    if not hasattr(tarfile, "data_filter"):
        raise RuntimeError("safe extraction needs Python 3.11.4 or later (tarfile.data_filter)")
    members = declared = skipped = 0
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                members, declared = members + 1, declared + member.size
                if members > limits.max_members:
                    raise ArchiveUnreadable(f"more than {limits.max_members} members")
                if declared > limits.max_bytes:
                    raise ArchiveUnreadable(f"more than {limits.max_bytes} uncompressed bytes")
                if reason := _skip_reason(member, dest, limits):
                    log.debug("archive_member_skipped", member=member.name, reason=reason)
                    skipped += 1
                    continue
                _extract_member(tar, member, dest)
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise ArchiveUnreadable(f"not a readable tar.gz archive: {exc}") from exc
    return skipped


def _survey(archive: Path, dest: Path, limits: ArchiveLimits) -> tuple[Path, _Tally, int]:
    """Extract, strip the single top folder and tally the files: (repository root, tally, members skipped)."""
    skipped = _extract(archive, dest, limits)
    entries = list(dest.iterdir())
    root = entries[0] if len(entries) == 1 and entries[0].is_dir() else dest
    tally = _Tally()
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = Path(folder, name)
            tally.add(PurePosixPath(path.relative_to(root).as_posix()), path)
    return root, tally, skipped


async def inspect_archive(
    archive: Path, limits: ArchiveLimits = ArchiveLimits(), *, scratch_dir: Path | None = None
) -> CodeInspection:
    """Extract ``archive`` safely into a temporary directory (under ``scratch_dir`` when given), gather its facts.

    Raises ``ArchiveUnreadable`` for a corrupt archive or one over ``limits``, ``LintFailed`` when ruff fails.
    """
    workdir = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="code-archive-", dir=scratch_dir))
    extraction = asyncio.ensure_future(asyncio.to_thread(_survey, archive, workdir, limits))
    try:
        root, tally, skipped = await asyncio.shield(extraction)
        lint_issues = await lint_python(root, limits.lint_timeout) if tally.python_lines else 0
    finally:
        await asyncio.wait([extraction])  # a worker thread cannot be interrupted: let it finish before cleaning up
        await asyncio.to_thread(shutil.rmtree, workdir, ignore_errors=True)
    facts = CodeFacts(
        has_tests=tally.has_tests,
        has_ci=tally.has_ci,
        has_readme=tally.has_readme,
        has_packaging=tally.has_packaging,
        lint_issues=lint_issues,
        python_lines=tally.python_lines,
    )
    log.info("code_archive_inspected", files=tally.files, skipped=skipped, lint_issues=lint_issues)
    return CodeInspection(facts=facts, total_lines=tally.total_lines, files=tally.files, skipped_members=skipped)
