"""The subprocess sandbox, with real child processes and a real TCP server standing for the allowed endpoint.

Every test runs in both isolation modes: bubblewrap (skipped only where bwrap cannot run) and the plain process.
"""

import asyncio
import json
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from scoring.adapters.sandbox import Isolation, SandboxLimits, SubprocessSandbox, detect_isolation

CHILD_ENVIRONMENT = {
    "PATH",
    "HOME",
    "TMPDIR",
    "LANG",
    "HF_ENDPOINT",
    "GITHUB_API_URL",
    "HF_HUB_DISABLE_TELEMETRY",
    "PYTHONDONTWRITEBYTECODE",
}
FAST = SandboxLimits(wall_seconds=2.0, cpu_seconds=1, memory_bytes=256 << 20)
BWRAP = detect_isolation() == "bwrap"
ISOLATIONS = [
    pytest.param("bwrap", marks=pytest.mark.skipif(not BWRAP, reason="bwrap cannot run here")),
    pytest.param("process"),
]
MODE: Isolation = "process"


@pytest.fixture(params=ISOLATIONS, autouse=True)
def isolation(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Isolation:
    """Run each test with each isolation: ``sandbox()`` builds sandboxes of the current one."""
    mode: Isolation = request.param
    monkeypatch.setattr(f"{__name__}.MODE", mode)
    return mode


def sandbox(endpoint: str = "http://127.0.0.1:9", limits: SandboxLimits = FAST) -> SubprocessSandbox:
    return SubprocessSandbox(hf_endpoint=endpoint, github_api_url="http://127.0.0.1:9", limits=limits, isolation=MODE)


@pytest.fixture
async def echo_port() -> AsyncIterator[int]:
    """A TCP echo server on 127.0.0.1, the only endpoint the sandbox is allowed to reach."""

    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(await reader.read(100))
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    async with server:
        yield server.sockets[0].getsockname()[1]


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
    run = await sandbox(limits=SandboxLimits(wall_seconds=0.5, cpu_seconds=5)).run("import time\ntime.sleep(60)\n")
    assert run.status == "timeout"
    assert 0.5 <= run.seconds < 2


async def test_a_memory_bomb_hits_the_address_space_limit() -> None:
    run = await sandbox().run("block = bytearray(2 << 30)\nprint('allocated')\n")
    assert run.status in ("error", "killed")
    assert "allocated" not in run.stdout_tail
    if run.status == "error":
        assert run.stderr_tail.strip().endswith("MemoryError")


async def test_output_is_capped_to_its_tail() -> None:
    run = await sandbox().run("for i in range(200_000):\n    print(i)\n")
    assert run.status == "ok"
    assert len(run.stdout_tail) <= FAST.tail_bytes
    assert run.stdout_tail.endswith("199998\n199999\n")


async def test_the_allowed_endpoint_is_reachable(echo_port: int) -> None:
    code = (
        "import socket\n"
        f"with socket.create_connection(('127.0.0.1', {echo_port}), timeout=2) as conn:\n"
        "    conn.sendall(b'ping')\n"
        "    print(conn.recv(100).decode())\n"
    )
    run = await sandbox(f"http://127.0.0.1:{echo_port}/hf").run(code)
    assert run.status == "ok", run.stderr_tail
    assert run.stdout_tail == "ping\n"


@pytest.mark.parametrize("address", ["('10.255.255.1', 80)", "('127.0.0.1', PORT + 1)"])
async def test_other_hosts_and_ports_are_refused(echo_port: int, address: str) -> None:
    code = f"import socket\nPORT = {echo_port}\nsocket.socket().connect({address})\n"
    run = await sandbox(f"http://127.0.0.1:{echo_port}").run(code)
    assert run.status == "error"
    assert "PermissionError: sandbox: socket.connect" in run.stderr_tail


async def test_names_of_other_hosts_are_not_resolved() -> None:
    run = await sandbox().run("import socket\nsocket.getaddrinfo('example.org', 443)\n")
    assert run.status == "error"
    assert "PermissionError: sandbox: socket.getaddrinfo of 'example.org'" in run.stderr_tail


@pytest.mark.parametrize(
    "code",
    [
        "import subprocess\nsubprocess.run(['true'])\n",
        "import os\nos.system('true')\n",
        "import os\nos.fork()\n",
        "import os\nos.execv('/bin/true', ['true'])\n",
    ],
)
async def test_no_process_can_be_started(code: str) -> None:
    run = await sandbox().run(code)
    assert run.status == "error"
    assert "PermissionError: sandbox:" in run.stderr_tail
    assert "allows no new process" in run.stderr_tail


async def test_ctypes_cannot_reach_libc_process_functions() -> None:
    run = await sandbox().run("import ctypes\nctypes.CDLL(None).system(b'true')\n")
    assert run.status == "error"
    assert "PermissionError: sandbox: ctypes.dlsym of 'system'" in run.stderr_tail


async def test_files_change_only_in_the_working_directory(tmp_path: Path) -> None:
    outside = tmp_path / "escaped.txt"
    code = f"open('inside.txt', 'w').write('ok')\nopen({str(outside)!r}, 'w').write('escaped')\n"
    run = await sandbox().run(code)
    assert run.status == "error"
    assert "PermissionError: sandbox: open of" in run.stderr_tail
    assert not outside.exists()


async def test_the_environment_is_built_from_scratch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_TOKEN", "s3cret")
    code = "import json, os\nprint(json.dumps(sorted(os.environ)))\nprint(os.environ.get('SECRET_TOKEN'))\n"
    run = await sandbox().run(code)
    assert run.status == "ok"
    names, token = run.stdout_tail.splitlines()
    assert token == "None"
    assert "s3cret" not in run.stdout_tail
    # bwrap sets PWD (the working directory) after its --chdir.
    assert set(json.loads(names)) == CHILD_ENVIRONMENT | ({"PWD"} if MODE == "bwrap" else set())


async def test_each_run_has_a_fresh_home_that_is_removed_afterwards() -> None:
    code = "import os\nprint(os.getcwd())\nprint(os.environ['HOME'])\nprint(sorted(os.listdir('.')))\n"
    first, second = await sandbox().run(code), await sandbox().run(code)
    cwd, home, listing = first.stdout_tail.splitlines()
    assert cwd == home
    assert listing == "['example.py']"
    assert cwd != second.stdout_tail.splitlines()[0]
    assert not await asyncio.to_thread(os.path.exists, cwd)


async def test_the_example_runs_as_main() -> None:
    run = await sandbox().run("import sys\nprint(__name__, sys.argv[0].endswith('example.py'))\n")
    assert run.stdout_tail == "__main__ True\n"


async def test_a_missing_third_party_module_is_named() -> None:
    run = await sandbox().run("from surely_not_installed_pkg.models import Tiny\n")
    assert run.status == "error"
    assert run.missing_module == "surely_not_installed_pkg"
