"""The bypasses a security review found against the audit hook alone, run for real against the sandbox.

With bubblewrap the operating system stops them (read-only root, own pid namespace); the hardened bootstrap stops
those it can in both modes. The outside files live in a directory under ``/var/tmp``, which the sandbox sees (read
only) — ``/tmp`` of the host is hidden under a fresh tmpfs, which would make such a test pass vacuously.
"""

import asyncio
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from scoring.adapters.sandbox import Isolation, SandboxLimits, SubprocessSandbox, detect_isolation
from scoring.evidence.reproduction import reproduce

BWRAP = detect_isolation() == "bwrap"
needs_bwrap = pytest.mark.skipif(not BWRAP, reason="bwrap cannot run here")
BOTH = [pytest.param("bwrap", marks=needs_bwrap), pytest.param("process")]
LIMITS = SandboxLimits(wall_seconds=3.0, cpu_seconds=2, memory_bytes=256 << 20)
ORIGINAL = "original content\n"


def sandbox(isolation: Isolation) -> SubprocessSandbox:
    return SubprocessSandbox("http://127.0.0.1:9", "http://127.0.0.1:9", limits=LIMITS, isolation=isolation)


@pytest.fixture
def outside() -> Iterator[Path]:
    """A world-writable file outside any run's directory, visible inside the sandbox (so only permissions stop it)."""
    directory = Path(tempfile.mkdtemp(prefix="sandbox-outside-", dir="/var/tmp"))
    directory.chmod(0o777)
    target = directory / "target.txt"
    target.write_text(ORIGINAL)
    target.chmod(0o666)
    yield target
    shutil.rmtree(directory, ignore_errors=True)


@needs_bwrap
async def test_libc_open_cannot_write_outside_the_run(outside: Path) -> None:
    code = (
        "import ctypes, os\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        f"path = {str(outside)!r}\n"
        "print('visible', os.path.exists(path))\n"
        "fd = libc.open(path.encode(), os.O_WRONLY | os.O_TRUNC)\n"
        "print('fd', fd, os.strerror(ctypes.get_errno()))\n"
        "if fd >= 0:\n"
        "    libc.write(fd, b'escaped', 7)\n"
    )
    run = await sandbox("bwrap").run(code)
    assert run.status == "ok", run.stderr_tail
    assert "visible True" in run.stdout_tail
    assert "fd -1 Read-only file system" in run.stdout_tail
    assert await asyncio.to_thread(outside.read_text) == ORIGINAL


@needs_bwrap
async def test_a_libc_hard_link_cannot_open_an_outside_file_for_writing(outside: Path) -> None:
    code = (
        "import ctypes, os\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        f"result = libc.link({str(outside)!r}.encode(), b'alias.txt')\n"
        "print('link', result, os.strerror(ctypes.get_errno()))\n"
        "if result == 0:\n"
        "    fd = libc.open(b'alias.txt', os.O_WRONLY | os.O_TRUNC)\n"
        "    libc.write(fd, b'escaped', 7)\n"
    )
    run = await sandbox("bwrap").run(code)
    assert run.status == "ok", run.stderr_tail
    assert "link -1" in run.stdout_tail
    assert await asyncio.to_thread(outside.read_text) == ORIGINAL


@pytest.mark.parametrize("isolation", BOTH)
async def test_os_link_to_an_outside_file_is_refused(isolation: Isolation, outside: Path) -> None:
    code = f"import os\nos.link({str(outside)!r}, 'alias.txt')\nopen('alias.txt', 'w').write('escaped')\n"
    run = await sandbox(isolation).run(code)
    assert run.status == "error"
    assert "PermissionError: sandbox: os.link of" in run.stderr_tail
    assert await asyncio.to_thread(outside.read_text) == ORIGINAL


@pytest.mark.parametrize("isolation", BOTH)
async def test_a_symlink_to_an_outside_file_is_refused(isolation: Isolation, outside: Path) -> None:
    code = f"import os\nos.symlink({str(outside)!r}, 'alias.txt')\n"
    run = await sandbox(isolation).run(code)
    assert run.status == "error"
    assert "PermissionError: sandbox: os.symlink of" in run.stderr_tail


@needs_bwrap
async def test_the_services_environment_is_not_readable_through_proc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCORING_DB_PASSWORD", "secret-db-password-42")
    code = (
        "import os\n"
        f"for pid in sorted({{os.getppid(), {os.getpid()}, *[int(p) for p in os.listdir('/proc') if p.isdigit()]}}):\n"
        "    try:\n"
        "        print(pid, open(f'/proc/{pid}/environ', 'rb').read())\n"
        "    except OSError as error:\n"
        "        print(pid, type(error).__name__)\n"
        "print('processes', sorted(int(p) for p in os.listdir('/proc') if p.isdigit()))\n"
    )
    run = await sandbox("bwrap").run(code)
    assert run.status == "ok", run.stderr_tail
    assert "secret-db-password-42" not in run.stdout_tail
    assert "processes [1, 2]" in run.stdout_tail  # bwrap's init and the example: nothing of the host


@pytest.mark.parametrize("isolation", BOTH)
async def test_spawnv_passfds_cannot_start_a_process(isolation: Isolation, outside: Path) -> None:
    code = (
        "import multiprocessing.util, time\n"
        "try:\n"
        f"    multiprocessing.util.spawnv_passfds('/bin/sh', ['sh', '-c', 'echo escaped > {outside}'], ())\n"
        "except PermissionError as error:\n"
        "    print('refused', error)\n"
        "time.sleep(0.3)\n"
    )
    run = await sandbox(isolation).run(code)
    assert run.status == "ok", run.stderr_tail
    assert "refused sandbox: fork_exec" in run.stdout_tail
    assert await asyncio.to_thread(outside.read_text) == ORIGINAL


@pytest.mark.parametrize("isolation", BOTH)
async def test_fork_exec_cannot_be_restored_by_importing_it_again(isolation: Isolation) -> None:
    code = "import sys\ndel sys.modules['_posixsubprocess']\nimport _posixsubprocess\n"
    run = await sandbox(isolation).run(code)
    assert run.status == "error"
    assert "PermissionError: sandbox: import of _posixsubprocess" in run.stderr_tail


@pytest.mark.parametrize("isolation", BOTH)
async def test_the_bootstrap_has_nothing_left_to_disable(isolation: Isolation, outside: Path) -> None:
    code = (
        "import builtins, os, sys\n"
        "bootstrap = sys._getframe(1).f_globals\n"
        "print('globals', sorted(bootstrap))\n"
        "bootstrap.update(_SPAWN=frozenset(), _FILE_CHANGES={}, isinstance=lambda *a: False)\n"
        "builtins.isinstance = lambda *a: False\n"
        "builtins.any = lambda *a: True\n"
        "os.path.realpath = lambda path: os.getcwd()\n"
        f"open({str(outside)!r}, 'w').write('escaped')\n"
    )
    run = await sandbox(isolation).run(code)
    assert run.status == "error"
    assert "globals []" in run.stdout_tail
    assert "PermissionError: sandbox: open of" in run.stderr_tail
    assert await asyncio.to_thread(outside.read_text) == ORIGINAL


@pytest.mark.parametrize("code", ["import gc\ngc.get_objects()\n", "import gc, sys\ngc.get_referrers(sys)\n"])
async def test_the_interpreters_objects_cannot_be_listed(code: str) -> None:
    run = await sandbox("process").run(code)
    assert run.status == "error"
    assert "PermissionError: sandbox: gc.get_" in run.stderr_tail


@needs_bwrap
async def test_the_run_directory_is_writable_by_the_sandbox_user_only_inside() -> None:
    code = (
        "import os\n"
        "print(os.getuid(), os.getgid())\n"
        "open('inside.txt', 'w').write('ok')\n"
        "print(open('inside.txt').read())\n"
        "os.mkdir('sub')\n"
    )
    run = await sandbox("bwrap").run(code)
    assert run.status == "ok", run.stderr_tail
    assert run.stdout_tail == "65534 65534\nok\n"


@needs_bwrap
async def test_a_timed_out_run_leaves_no_process_behind() -> None:
    code = "import os, time\nprint(os.getcwd(), flush=True)\ntime.sleep(60)\n"
    limits = SandboxLimits(wall_seconds=0.5, cpu_seconds=5)
    run = await SubprocessSandbox("http://127.0.0.1:9", "http://127.0.0.1:9", limits, isolation="bwrap").run(code)
    assert run.status == "timeout"
    workdir = run.stdout_tail.strip().encode()
    assert workdir.startswith(b"/")
    await asyncio.sleep(0.2)
    assert await asyncio.to_thread(_processes_mentioning, workdir) == []


def _processes_mentioning(text: bytes) -> list[str]:
    """The host's processes whose command line contains ``text``."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:
                continue
            if text in cmdline:
                found.append(entry)
    return found


def card(code: str) -> str:
    return f"# Tiny\n\n```python\n{code}```\n"


@pytest.mark.parametrize("isolation", BOTH)
@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (
            "import sys\nprint('secret-value-123', file=sys.stderr)\nraise RuntimeError('secret-value-123')\n",
            "RuntimeError",
        ),
        ("raise ModuleNotFoundError(\"No module named 'secret-value-123'\")\n", "ModuleNotFoundError"),
        ("import sys\nsys.exit('secret-value-123')\n", "exit code 1"),
        ("import sys\nprint('secret-value-123', file=sys.stderr)\nsys.exit(3)\n", "exit code 3"),
        ("x = = 'secret-value-123'\n", "SyntaxError"),
    ],
)
async def test_the_detail_of_a_failed_run_never_quotes_its_output(isolation: Isolation, code: str, reason: str) -> None:
    result = await reproduce(card(code), sandbox(isolation))
    assert "secret-value-123" not in result.detail
    assert result.detail.endswith(f": {reason}")
