"""A ``Sandbox`` that runs a snippet in a separate, limited Python process, isolated by bubblewrap when available.

Each run gets a fresh temporary directory, used as working directory, ``HOME`` and ``TMPDIR`` and removed afterwards,
and an environment built from scratch: a minimal ``PATH``, ``HF_ENDPOINT``, ``GITHUB_API_URL``,
``HF_HUB_DISABLE_TELEMETRY=1``, ``PYTHONDONTWRITEBYTECODE=1`` (and ``PWD``, which bwrap sets) and nothing of this
process (no token). The interpreter (this one by default) runs in isolated mode (``-I``: no ``PYTHON*`` variables, no
user site, no script directory on ``sys.path``) in a new session, under resource limits its bootstrap sets before the
snippet runs: CPU seconds (``RLIMIT_CPU``), address space (``RLIMIT_AS``), file size (``RLIMIT_FSIZE``), open files
(``RLIMIT_NOFILE``), no core dumps. The wall-clock limit is enforced from here: on expiry the whole process group is
killed. Output is read as it comes and only its tail is kept, so a snippet printing forever costs no memory.

The isolation boundary is ``isolation``:

- ``"bwrap"`` (see ``detect_isolation``): the child runs under bubblewrap in new user, pid, IPC, UTS and cgroup
  namespaces as uid/gid 65534 with no capabilities, on a read-only view of the whole file system with fresh
  ``/proc``, ``/dev`` and ``/tmp`` and only the run's directory writable. The new pid namespace hides every process
  of the host (``/proc/<pid>/environ`` of this service included); the read-only root stops writes outside the run's
  directory, whatever the snippet does (native code, hard links, a spawned process). The network namespace stays
  shared, so the audit hook below is what limits connections to the two endpoints. The user namespace maps the
  sandbox's uid onto this service's uid: files this service's user can read stay readable (for a service running as
  root, root-only files such as ``/etc/shadow``), so run the service as an unprivileged user without secrets on disk.
  The timeout kills bwrap's process group, and ``--die-with-parent`` with the pid namespace take everything in it.
- ``"process"``: the weak fallback where bwrap is missing or cannot create namespaces (``detect_isolation`` logs
  ``sandbox_isolation_weak``): only the audit hook and the resource limits stand between the snippet and this host.

Network, processes, native code and files are also limited by ``scoring.adapters._sandbox_child``: an audit hook
installed before the snippet runs lets it reach only the hosts of ``HF_ENDPOINT`` and ``GITHUB_API_URL`` (on their
ports), start no process, load no foreign native library and change files only in its directory. The hook is defence
in depth, not a security boundary: it lives in the same process as the code it watches, and native code can step
around it. The production-grade step remains a container (or gVisor sandbox) per run, without network other than the
two endpoints; ``Sandbox`` is the interface such an adapter implements.

The output tails are returned for logs and tests only: they are the snippet's text, so nothing shown to users may
quote them (``scoring.evidence.reproduction.failure_reason`` keeps only an exception's class name).
"""

import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import structlog

from scoring.evidence.reproduction import RunStatus, SandboxRun

_MISSING_MODULE = re.compile(r"ModuleNotFoundError: No module named '([A-Za-z_][A-Za-z0-9_.]*)'")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_NOBODY = "65534"
_PROBE_SECONDS = 5.0

Isolation = Literal["bwrap", "process"]


def python_roots(interpreter: str) -> list[str]:
    """The installation an interpreter needs to run: its environment (a venv) and the base installation."""
    roots = {str(Path(interpreter).absolute().parent.parent), str(Path(os.path.realpath(interpreter)).parent.parent)}
    if Path(interpreter).absolute() == Path(sys.executable).absolute():
        roots |= {sys.prefix, sys.base_prefix, sys.exec_prefix}
    return sorted(roots)


def bwrap_prefix(workdir: str, bwrap: str = "bwrap", keep: Sequence[str] = ()) -> list[str]:
    """The bubblewrap command line that runs the rest of the command isolated, with only ``workdir`` writable.

    ``/tmp`` is a fresh tmpfs; the paths of ``keep`` that lie under it (an interpreter installed in a checkout under
    ``/tmp``) are shown again, read-only.
    """
    under_tmp = [path for path in keep if Path(path).is_relative_to("/tmp")]  # noqa: S108 - paths, not a temp file
    return [
        *(bwrap, "--die-with-parent", "--new-session"),
        *("--unshare-user", "--uid", _NOBODY, "--gid", _NOBODY),
        *("--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"),
        *("--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"),  # noqa: S108 - a fresh tmpfs
        *(arg for path in under_tmp for arg in ("--ro-bind", path, path)),
        *("--bind", workdir, workdir, "--chdir", workdir, "--cap-drop", "ALL", "--"),
    ]


def detect_isolation(interpreter: str = sys.executable) -> Isolation:
    """``"bwrap"`` when bubblewrap is on ``PATH`` and can build the sandbox here, else ``"process"`` (with a warning).

    Runs a probe (``/bin/true`` under the very options runs use) for at most a few seconds; call it once at startup.
    """
    bwrap = shutil.which("bwrap")
    reason = "bwrap is not installed"
    if bwrap is not None:
        try:
            with tempfile.TemporaryDirectory(prefix="sandbox-probe-") as workdir:
                probe = subprocess.run(
                    [*bwrap_prefix(workdir, bwrap, python_roots(interpreter)), interpreter, "-I", "-c", "pass"],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    timeout=_PROBE_SECONDS,
                    check=False,
                )
        except (OSError, subprocess.TimeoutExpired) as error:
            reason = f"bwrap probe failed: {type(error).__name__}"
        else:
            if probe.returncode == 0:
                return "bwrap"
            reason = f"bwrap probe exited {probe.returncode}: {probe.stderr.decode(errors='replace').strip()[:200]}"
    structlog.get_logger().warning("sandbox_isolation_weak", isolation="process", reason=reason)
    return "process"


@dataclass(frozen=True, slots=True)
class SandboxLimits:
    """What one run may use: wall-clock and CPU seconds, bytes of memory and of each file, open files, output kept."""

    wall_seconds: float = 20.0
    cpu_seconds: int = 20
    memory_bytes: int = 1 << 30
    file_bytes: int = 64 << 20
    open_files: int = 256
    tail_bytes: int = 2048


@dataclass(frozen=True, slots=True)
class SubprocessSandbox:
    """Runs snippets with ``interpreter`` in a child process (see the module's documentation for the isolation)."""

    hf_endpoint: str
    github_api_url: str
    limits: SandboxLimits = field(default_factory=SandboxLimits)
    interpreter: str = field(default_factory=lambda: sys.executable)
    isolation: Isolation = "process"

    async def run(self, code: str) -> SandboxRun:
        """Run ``code`` as ``__main__`` in a fresh directory and report how it ended."""
        workdir = await asyncio.to_thread(tempfile.mkdtemp, prefix="sandbox-")
        try:
            await asyncio.to_thread(Path(workdir, "example.py").write_text, code, "utf-8")
            result = await self._run_in(workdir)
        finally:
            await asyncio.to_thread(shutil.rmtree, workdir, True)
        structlog.get_logger().info(
            "sandbox_run", status=result.status, seconds=round(result.seconds, 3), exit_code=result.exit_code
        )
        return result

    async def _run_in(self, workdir: str) -> SandboxRun:
        """Start the child in ``workdir``, wait for it within the wall-clock limit, collect the output tails."""
        started = time.monotonic()
        child = await self._start(workdir)
        assert child.stdout is not None and child.stderr is not None
        stdout, stderr, keep = bytearray(), bytearray(), self.limits.tail_bytes
        readers = asyncio.gather(_keep_tail(child.stdout, stdout, keep), _keep_tail(child.stderr, stderr, keep))
        try:
            timed_out = await _wait(child, self.limits.wall_seconds)
        except BaseException:
            readers.cancel()
            raise
        finally:
            _kill_group(child.pid)
        exit_code = _exit_code(await child.wait(), self.isolation)
        seconds = time.monotonic() - started
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(readers, 2.0)
        errors = stderr.decode(errors="replace")
        return SandboxRun(
            status=_status(exit_code, timed_out),
            exit_code=exit_code,
            seconds=seconds,
            stderr_tail=errors,
            stdout_tail=stdout.decode(errors="replace"),
            missing_module=_missing_module(errors) if exit_code > 0 else None,
        )

    async def _start(self, workdir: str) -> asyncio.subprocess.Process:
        """Start the bootstrap (``_sandbox_child``) on ``workdir/example.py`` in a new session, under the limits."""
        bootstrap = await asyncio.to_thread(Path(__file__).with_name("_sandbox_child.py").read_text, "utf-8")
        policy = json.dumps({"endpoints": self._endpoints(), "workdir": workdir, "limits": _rlimits(self.limits)})
        command = [self.interpreter, "-I", "-B", "-c", bootstrap, str(Path(workdir, "example.py")), policy]
        if self.isolation == "bwrap":
            bwrap = shutil.which("bwrap") or "bwrap"
            command = [*bwrap_prefix(workdir, bwrap, python_roots(self.interpreter)), *command]
        return await asyncio.create_subprocess_exec(
            *command,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            cwd=workdir,
            env=self._environment(workdir),
            start_new_session=True,
        )

    def _endpoints(self) -> list[tuple[str, int]]:
        """The (host, port) of ``HF_ENDPOINT`` and ``GITHUB_API_URL``."""
        endpoints: list[tuple[str, int]] = []
        for url in (self.hf_endpoint, self.github_api_url):
            parts = urlsplit(url)
            if parts.hostname:
                endpoints.append((parts.hostname, parts.port or _DEFAULT_PORTS.get(parts.scheme, 443)))
        return endpoints

    def _environment(self, workdir: str) -> dict[str, str]:
        """The child's whole environment: nothing is inherited from this process."""
        return {
            "PATH": "/usr/bin:/bin",
            "HOME": workdir,
            "TMPDIR": workdir,
            "LANG": "C.UTF-8",
            "HF_ENDPOINT": self.hf_endpoint,
            "GITHUB_API_URL": self.github_api_url,
            "HF_HUB_DISABLE_TELEMETRY": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
        }


def _rlimits(limits: SandboxLimits) -> dict[str, int]:
    """The resource limits the child sets on itself before running the example (soft = hard, CPU hard + 1 s)."""
    return {
        "RLIMIT_CPU": limits.cpu_seconds,
        "RLIMIT_AS": limits.memory_bytes,
        "RLIMIT_FSIZE": limits.file_bytes,
        "RLIMIT_NOFILE": limits.open_files,
        "RLIMIT_CORE": 0,
    }


async def _keep_tail(stream: asyncio.StreamReader, tail: bytearray, limit: int) -> None:
    """Read ``stream`` to its end, keeping only its last ``limit`` bytes in ``tail``."""
    while chunk := await stream.read(1 << 16):
        tail += chunk
        if len(tail) > limit:
            del tail[:-limit]


async def _wait(child: asyncio.subprocess.Process, seconds: float) -> bool:
    """Wait for the child to exit; True when the wall-clock limit expired first."""
    try:
        await asyncio.wait_for(child.wait(), seconds)
    except TimeoutError:
        return True
    return False


def _kill_group(pid: int) -> None:
    """Kill the child's whole process group (the child leads it: ``start_new_session``), if anything is left of it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _exit_code(returned: int, isolation: Isolation) -> int:
    """The snippet's exit code; bwrap reports a child ended by signal N as exit 128 + N, made -N again here."""
    if isolation == "bwrap" and 128 < returned < 128 + 65:
        return 128 - returned
    return returned


def _status(exit_code: int, timed_out: bool) -> RunStatus:
    if timed_out:
        return "timeout"
    if exit_code < 0:
        return "killed"
    return "ok" if exit_code == 0 else "error"


def _missing_module(stderr: str) -> str | None:
    """The module a ``ModuleNotFoundError`` names, when the output's last line is one naming a valid module path."""
    last = next((line.strip() for line in reversed(stderr.splitlines()) if line.strip()), "")
    found = _MISSING_MODULE.fullmatch(last)
    return found.group(1) if found else None
