"""Hostile card examples against the scoring process's environment and data and the files outside the run: each
attempt fails, the rating is still produced, the secret is in no output and no file appears (see
``test_hostile_examples.py``)."""

import asyncio
import os
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.scoring.hostile import REPO, SECRET, Rater, libc_example, open_rater
from tests.scoring.sandboxes import needs_isolation

pytestmark = needs_isolation


@pytest.fixture
async def rate(tmp_path: Path) -> AsyncIterator[Rater]:
    """Rates with fakes of the Hub and GitHub, the real SQLite store, the real sandbox and the real model copy."""
    async with open_rater(tmp_path) as rater:
        yield rater


@pytest.mark.parametrize("pid", ["os.getppid()", "1", str(os.getpid())])
async def test_the_scoring_process_environment_is_out_of_reach(
    rate: Rater, monkeypatch: pytest.MonkeyPatch, pid: str
) -> None:
    monkeypatch.setenv("SCORING_DATABASE_URL", f"postgresql://scoring:{SECRET}@db/ratings")
    rated = await rate(f"import os\nprint(open(f'/proc/{{{pid}}}/environ', 'rb').read())\n")
    assert rated.note.detail in (
        "failed: the example failed: PermissionError",
        "failed: the example failed: FileNotFoundError",
    )
    assert SECRET not in rated.output


@pytest.fixture
def secret_files(tmp_path: Path) -> Iterator[list[Path]]:
    """A data dir's database and a file in the source checkout, both holding the secret."""
    database = tmp_path / "data" / "scoring" / "ratings.db"
    database.parent.mkdir(parents=True)
    in_checkout = REPO / f".sandbox-secret-{uuid.uuid4().hex}"
    for path in (database, in_checkout):
        path.write_text(SECRET)
        path.chmod(0o644)
    yield [database, in_checkout]
    in_checkout.unlink()


async def test_the_data_dir_and_the_checkout_are_out_of_reach(rate: Rater, secret_files: list[Path]) -> None:
    for path in secret_files:
        rated = await rate(f"print(open({str(path)!r}).read())\n")
        assert rated.note.detail == "failed: the example failed: FileNotFoundError"
        assert SECRET not in rated.output


async def test_nothing_is_written_outside_the_run(rate: Rater) -> None:
    name = f"escaped-{uuid.uuid4().hex}"
    targets = [REPO / name, Path(sys.prefix) / name, Path("/etc") / name, Path("/root") / name]
    for target in targets:
        body = (
            "open_ = by_address('open', ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_int)\n"
            f"if open_({str(target).encode()!r}, os.O_WRONLY | os.O_CREAT, 0o644) < 0:\n"
            "    failed('open')\n"
        )
        rated = await rate(libc_example(body))
        assert rated.note.detail in (
            "failed: the example failed: PermissionError",
            "failed: the example failed: FileNotFoundError",
            "failed: the example failed: OSError",
        ), rated.output
        assert not await asyncio.to_thread(target.exists), target
