"""The bypasses a security review found against the audit hook alone, run for real against the sandbox.

The operating system stops them (read-only mounts, the sandbox's own user and pid namespace); the hardened bootstrap
stops those it can as a second layer. The outside file lives in an interpreter installation the sandbox shows read
only (a symbolic link to this Python in a directory under ``/var/tmp``: ``/tmp`` is writable in the sandbox, so the
hook would rightly let a path there change), so it is visible and world-writable: only the mount and the hook stop a
write, and a test cannot pass because the file is simply absent.
"""

import asyncio
import ctypes
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from scoring.adapters.sandbox import SubprocessSandbox
from scoring.evidence.reproduction import reproduce
from tests.scoring.sandboxes import needs_isolation, sandbox, sandbox_processes

pytestmark = needs_isolation
ORIGINAL = "original content\n"


@pytest.fixture
def outside() -> Iterator[Path]:
    """A world-writable file inside the (read-only) installation of the sandbox's interpreter."""
    env = Path(tempfile.mkdtemp(prefix="sandbox-outside-", dir="/var/tmp"))
    (env / "bin").mkdir(parents=True)
    (env / "bin" / "python").symlink_to(os.path.realpath(sys.executable))
    target = env / "target.txt"
    target.write_text(ORIGINAL)
    env.chmod(0o777)
    target.chmod(0o666)
    yield target
    shutil.rmtree(env, ignore_errors=True)


def in_env(target: Path) -> SubprocessSandbox:
    """A sandbox whose interpreter is the one of ``target``'s installation."""
    return sandbox(interpreter=str(target.parent / "bin" / "python"))


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
    run = await in_env(outside).run(code)
    assert run.status == "ok", run.stderr_tail
    assert "visible True" in run.stdout_tail
    assert "fd -1 Read-only file system" in run.stdout_tail
    assert await asyncio.to_thread(outside.read_text) == ORIGINAL


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
    run = await in_env(outside).run(code)
    assert run.status == "ok", run.stderr_tail
    assert "link -1" in run.stdout_tail
    assert await asyncio.to_thread(outside.read_text) == ORIGINAL


async def test_os_link_to_an_outside_file_is_refused(outside: Path) -> None:
    code = f"import os\nos.link({str(outside)!r}, 'alias.txt')\nopen('alias.txt', 'w').write('escaped')\n"
    run = await in_env(outside).run(code)
    assert run.status == "error"
    assert "PermissionError: sandbox: os.link of" in run.stderr_tail
    assert await asyncio.to_thread(outside.read_text) == ORIGINAL


async def test_a_symlink_to_an_outside_file_is_refused(outside: Path) -> None:
    code = f"import os\nos.symlink({str(outside)!r}, 'alias.txt')\n"
    run = await in_env(outside).run(code)
    assert run.status == "error"
    assert "PermissionError: sandbox: os.symlink of" in run.stderr_tail


async def test_the_example_runs_as_an_unprivileged_user_without_groups_or_capabilities() -> None:
    code = (
        "import os\n"
        "print(os.getresuid(), os.getresgid(), os.getgroups())\n"
        "status = dict(line.split(':', 1) for line in open('/proc/self/status'))\n"
        "print(*(int(status[name], 16) for name in ('CapPrm', 'CapEff', 'CapAmb')))\n"
        "print(status['NoNewPrivs'].strip())\n"
    )
    run = await sandbox().run(code)
    assert run.status == "ok", run.stderr_tail
    assert run.stdout_tail == "(65534, 65534, 65534) (65534, 65534, 65534) []\n0 0 0\n1\n"


async def test_no_user_namespace_can_be_made_even_by_calling_libc_by_address() -> None:
    libc = ctypes.CDLL(None)
    offset = int(ctypes.cast(libc.unshare, ctypes.c_void_p).value or 0) - int(
        ctypes.cast(libc.getpid, ctypes.c_void_p).value or 0
    )
    code = (
        "import ctypes, os\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "base = ctypes.cast(libc.getpid, ctypes.c_void_p).value\n"
        f"unshare = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int, use_errno=True)(base + {offset})\n"
        "print(unshare(0x10000000), os.strerror(ctypes.get_errno()))\n"  # CLONE_NEWUSER
    )
    run = await sandbox().run(code)
    assert run.stdout_tail == "-1 Operation not permitted\n", run.stderr_tail


async def test_the_sandbox_sees_only_its_own_processes() -> None:
    run = await sandbox().run("import os\nprint(sorted(int(p) for p in os.listdir('/proc') if p.isdigit()))\n")
    assert run.stdout_tail == "[1, 2]\n", run.stderr_tail  # bubblewrap's init and the example


async def test_spawnv_passfds_cannot_start_a_process(outside: Path) -> None:
    code = (
        "import multiprocessing.util, time\n"
        "try:\n"
        f"    multiprocessing.util.spawnv_passfds('/bin/sh', ['sh', '-c', 'echo escaped > {outside}'], ())\n"
        "except PermissionError as error:\n"
        "    print('refused', error)\n"
        "time.sleep(0.3)\n"
    )
    run = await in_env(outside).run(code)
    assert run.status == "ok", run.stderr_tail
    assert "refused sandbox: fork_exec" in run.stdout_tail
    assert await asyncio.to_thread(outside.read_text) == ORIGINAL


async def test_fork_exec_cannot_be_restored_by_importing_it_again() -> None:
    code = "import sys\ndel sys.modules['_posixsubprocess']\nimport _posixsubprocess\n"
    run = await sandbox().run(code)
    assert run.status == "error"
    assert "PermissionError: sandbox: import of _posixsubprocess" in run.stderr_tail


async def test_the_bootstrap_has_nothing_left_to_disable(outside: Path) -> None:
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
    run = await in_env(outside).run(code)
    assert run.status == "error"
    assert "globals []" in run.stdout_tail
    assert "PermissionError: sandbox: open of" in run.stderr_tail
    assert await asyncio.to_thread(outside.read_text) == ORIGINAL


@pytest.mark.parametrize("code", ["import gc\ngc.get_objects()\n", "import gc, sys\ngc.get_referrers(sys)\n"])
async def test_the_interpreters_objects_cannot_be_listed(code: str) -> None:
    run = await sandbox().run(code)
    assert run.status == "error"
    assert "PermissionError: sandbox: gc.get_" in run.stderr_tail


async def test_a_timed_out_run_leaves_no_process_behind() -> None:
    run = await sandbox().run("import time\nprint('started', flush=True)\ntime.sleep(60)\n")
    assert run.status == "timeout" and run.stdout_tail == "started\n"
    await asyncio.sleep(0.2)
    assert await asyncio.to_thread(sandbox_processes) == []


def card(code: str) -> str:
    return f"# Tiny\n\n```python\n{code}```\n"


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
async def test_the_detail_of_a_failed_run_never_quotes_its_output(code: str, reason: str) -> None:
    result = await reproduce(card(code), sandbox())
    assert "secret-value-123" not in result.detail
    assert result.detail.endswith(f": {reason}")
