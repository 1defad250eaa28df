"""The bubblewrap sandbox with real child processes: limits, the example's environment, its file system and output."""

import asyncio
import errno
import json
import os
from pathlib import Path

import pytest

from scoring.adapters.bwrap import HF_HUB_CACHE, sandbox_environment
from scoring.adapters.sandbox import SandboxLimits
from tests.scoring.sandboxes import FAST, needs_isolation, sandbox, sandbox_processes

pytestmark = needs_isolation


async def test_code_that_prints_and_exits_runs_ok() -> None:
    run = await sandbox().run("print('hello from the sandbox')\n")
    assert run.status == "ok"
    assert run.exit_code == 0
    assert run.stdout_tail == "hello from the sandbox\n"
    assert run.missing_module is None


async def test_code_that_raises_is_an_error_ending_with_the_exception() -> None:
    run = await sandbox().run("def load():\n    raise ValueError('weights not found')\nload()\n")
    assert run.status == "error"
    assert run.exit_code == 1
    assert run.stderr_tail.strip().splitlines()[-1] == "ValueError: weights not found"


async def test_an_endless_loop_is_stopped_within_the_limits() -> None:
    run = await sandbox().run("while True:\n    pass\n")
    assert run.status in ("timeout", "killed")
    assert run.exit_code < 0
    assert run.seconds < FAST.wall_seconds + 1


async def test_a_sleeping_child_is_stopped_at_the_wall_clock_limit() -> None:
    run = await sandbox(SandboxLimits(wall_seconds=0.5, cpu_seconds=5)).run("import time\ntime.sleep(60)\n")
    assert run.status == "timeout"
    assert 0.5 <= run.seconds < 2
    await asyncio.sleep(0.2)
    assert sandbox_processes() == []


async def test_output_is_capped_to_its_tail() -> None:
    run = await sandbox().run("for i in range(200_000):\n    print(i)\n")
    assert run.status == "ok"
    assert len(run.stdout_tail) <= FAST.tail_bytes
    assert run.stdout_tail.endswith("199998\n199999\n")


async def test_the_environment_is_exactly_the_sandboxs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_TOKEN", "s3cret")
    run = await sandbox().run("import json, os\nprint(json.dumps(dict(os.environ)))\n")
    assert run.status == "ok", run.stderr_tail
    assert "s3cret" not in run.stdout_tail
    # bwrap sets PWD (the working directory) on --chdir.
    assert json.loads(run.stdout_tail) == {**sandbox_environment(), "PWD": "/sandbox"}


async def test_the_example_runs_as_main_from_a_read_only_file() -> None:
    code = (
        "import sys\nprint(__name__, sys.argv[0])\n"
        "try:\n    open(sys.argv[0], 'a').write('changed')\nexcept OSError as error:\n    print(error.errno)\n"
    )
    run = await sandbox().run(code)
    # The operating system refuses (EACCES or EROFS), not the audit hook (which lets files in /sandbox change).
    assert run.stdout_tail.splitlines()[0] == "__main__ /sandbox/example.py", run.stderr_tail
    assert int(run.stdout_tail.splitlines()[1]) in (errno.EACCES, errno.EROFS)


async def test_each_run_has_a_fresh_working_directory_and_tmp() -> None:
    code = (
        "import os\nprint(os.getcwd(), sorted(os.listdir('.')), sorted(os.listdir('/tmp')))\n"
        "open('left.txt', 'w').write('x')\nopen('/tmp/left.txt', 'w').write('x')\n"
    )
    first, second = await sandbox().run(code), await sandbox().run(code)
    assert first.stdout_tail == second.stdout_tail == "/sandbox ['.cache', 'example.py'] []\n", second.stderr_tail


async def test_the_working_directory_is_capped_in_size() -> None:
    code = "chunk = b'x' * (1 << 20)\nwith open('big.bin', 'wb') as out:\n    for _ in range(64):\n        out.write(chunk)\n"
    run = await sandbox().run(code)  # FAST: 16 MiB of tmpfs
    assert run.status == "error"
    assert "No space left on device" in run.stderr_tail


async def test_a_missing_third_party_module_is_named() -> None:
    run = await sandbox().run("from surely_not_installed_pkg.models import Tiny\n")
    assert run.status == "error"
    assert run.missing_module == "surely_not_installed_pkg"


async def test_no_process_can_be_started_through_python() -> None:
    for code in ("import subprocess\nsubprocess.run(['true'])\n", "import os\nos.system('true')\n"):
        run = await sandbox().run(code)
        assert run.status == "error"
        assert "PermissionError: sandbox:" in run.stderr_tail and "allows no new process" in run.stderr_tail


async def test_a_cache_is_mounted_read_only_where_huggingface_hub_looks(tmp_path: Path) -> None:
    model = tmp_path / "hub" / "models--acme--tiny" / "snapshots" / "abc"
    model.mkdir(parents=True)
    (model / "config.json").write_text('{"hidden_size": 8}')
    _readable_by_all(tmp_path)
    code = (
        "import os\n"
        f"print(open({HF_HUB_CACHE!r} + '/models--acme--tiny/snapshots/abc/config.json').read())\n"
        f"print(os.access({HF_HUB_CACHE!r}, os.W_OK), os.access(os.environ['HF_HOME'], os.W_OK))\n"
    )
    run = await sandbox().run(code, tmp_path / "hub")
    assert run.status == "ok", run.stderr_tail
    assert run.stdout_tail == '{"hidden_size": 8}\nFalse True\n'
    assert await asyncio.to_thread(os.listdir, tmp_path / "hub") == ["models--acme--tiny"]


def _readable_by_all(root: Path) -> None:
    for path in (root, *root.rglob("*")):
        path.chmod(0o755 if path.is_dir() else 0o644)
